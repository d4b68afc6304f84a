import { randomBytes } from "node:crypto";
import { ConflictError, Elbv2ListenerNotFound, Elbv2LoadBalancerNotFound, Elbv2RuleNotFound, Elbv2TargetGroupNotFound } from "@berth/shared";
import type { Txn, Versioned } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { parseElbv2Arn } from "./arns.js";
import type { ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord } from "./types.js";

/** How often a write that lost a race re-reads and tries again before giving up. */
export const elbv2WriteAttempts = 8;

/** A 16-hex-digit id, as ELBv2's ARNs end. */
export function newElbv2Id(): string {
  return randomBytes(8).toString("hex");
}

/** The load balancer an ARN names, with its mod revision; LoadBalancerNotFound otherwise. */
export async function loadBalancerByArn(ctx: CoreContext, arn: string): Promise<Versioned<LoadBalancerRecord>> {
  const ref = parseElbv2Arn(ctx.scope, arn);
  const cur = ref?.kind === "loadbalancer" ? await ctx.store.loadBalancers.get(ref.lbName) : undefined;
  if (!cur || ref?.kind !== "loadbalancer" || cur.value.id !== ref.lbId) throw new Elbv2LoadBalancerNotFound(`Load balancer '${arn}' not found`);
  return cur;
}

/** The target group an ARN names, with its mod revision; TargetGroupNotFound otherwise. */
export async function targetGroupByArn(ctx: CoreContext, arn: string): Promise<Versioned<TargetGroupRecord>> {
  const ref = parseElbv2Arn(ctx.scope, arn);
  const cur = ref?.kind === "targetgroup" ? await ctx.store.targetGroups.get(ref.name) : undefined;
  if (!cur || ref?.kind !== "targetgroup" || cur.value.id !== ref.id) throw new Elbv2TargetGroupNotFound(`Target group '${arn}' not found`);
  return cur;
}

/** The load balancer holding a listener, and the listener; ListenerNotFound otherwise. */
export async function listenerByArn(ctx: CoreContext, arn: string): Promise<{ lb: Versioned<LoadBalancerRecord>; listener: ListenerRecord }> {
  const ref = parseElbv2Arn(ctx.scope, arn);
  const lb = ref?.kind === "listener" ? await ctx.store.loadBalancers.get(ref.lbName) : undefined;
  const listener = ref?.kind === "listener" && lb?.value.id === ref.lbId ? lb.value.listeners.find((l) => l.id === ref.listenerId) : undefined;
  if (!lb || !listener) throw new Elbv2ListenerNotFound(`Listener '${arn}' not found`);
  return { lb, listener };
}

/** The load balancer, listener and rule a rule ARN names (`rule` undefined for a default rule). */
export async function ruleByArn(
  ctx: CoreContext,
  arn: string,
): Promise<{ lb: Versioned<LoadBalancerRecord>; listener: ListenerRecord; rule?: RuleRecord }> {
  const ref = parseElbv2Arn(ctx.scope, arn);
  const lb = ref?.kind === "listener-rule" ? await ctx.store.loadBalancers.get(ref.lbName) : undefined;
  const listener = ref?.kind === "listener-rule" && lb?.value.id === ref.lbId ? lb.value.listeners.find((l) => l.id === ref.listenerId) : undefined;
  if (!lb || !listener || ref?.kind !== "listener-rule") throw new Elbv2RuleNotFound(`Rule '${arn}' not found`);
  if (listener.defaultRuleId === ref.ruleId) return { lb, listener };
  const rule = listener.rules.find((r) => r.id === ref.ruleId);
  if (!rule) throw new Elbv2RuleNotFound(`Rule '${arn}' not found`);
  return { lb, listener, rule };
}

/**
 * Runs `attempt` until its guarded commit lands: it reads, decides (throwing a refusal leaves
 * everything as it was) and stages into a fresh transaction; a lost race re-reads.
 */
export async function guardedWrite<T>(ctx: CoreContext, attempt: (txn: Txn) => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    const txn = ctx.store.txn();
    const out = await attempt(txn);
    try {
      await ctx.store.commit(txn);
      return out;
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= elbv2WriteAttempts) throw err;
    }
  }
}

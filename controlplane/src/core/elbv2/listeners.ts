import { Elbv2InvalidConfigurationRequest, Elbv2OperationNotPermitted, Elbv2TargetGroupAssociationLimit, Elbv2TooManyListeners, Elbv2TooManyRules, Elbv2UnsupportedProtocol, type Tag } from "@berth/shared";
import { keys, type Txn } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { listenerArn, ruleArn } from "./arns.js";
import {
  checkActions,
  checkConditions,
  checkListenerPort,
  checkPriorityFree,
  forwardedGroups,
  groupsOfLoadBalancer,
  maxListenersPerLoadBalancer,
  maxRulesPerListener,
  planSetRulePriorities,
} from "./listener-rules.js";
import { guardedWrite, listenerByArn, loadBalancerByArn, newElbv2Id, ruleByArn, targetGroupByArn } from "./records.js";
import type { Action, Condition, ListenerRecord, LoadBalancerRecord, RuleRecord } from "./types.js";

/**
 * Stages `next` over the load balancer read at `modRevision`, after the checks that span
 * records: every target group forwarded to exists (its revision guarded) and is no other load
 * balancer's; no other load balancer listens on one of its ports (they share berth's host).
 * Every other load balancer's revision is guarded too, so a concurrent claim re-reads.
 */
async function stageLoadBalancer(ctx: CoreContext, txn: Txn, next: LoadBalancerRecord, modRevision: string): Promise<void> {
  const others = (await ctx.store.loadBalancers.list(keys.loadBalancers())).items.filter((i) => i.value.name !== next.name);
  for (const arn of groupsOfLoadBalancer(next)) {
    const tg = await targetGroupByArn(ctx, arn);
    txn.expect(ctx.store.targetGroups.recordKey(tg.value), tg.modRevision);
    const owner = others.find((o) => groupsOfLoadBalancer(o.value).includes(arn));
    if (owner) throw new Elbv2TargetGroupAssociationLimit(`The target group '${arn}' is already associated with load balancer '${owner.value.name}'; a target group serves one load balancer`);
  }
  for (const l of next.listeners) {
    const taken = others.find((o) => o.value.listeners.some((ol) => ol.port === l.port));
    if (taken) throw new Elbv2InvalidConfigurationRequest(`Port ${l.port} is taken on the load balancer host by load balancer '${taken.value.name}'`);
  }
  for (const o of others) txn.expect(o.key, o.modRevision);
  ctx.store.loadBalancers.stageUpdate(txn, next, modRevision);
}

/** Applies `change` to a load balancer's record in one guarded write (a throw writes nothing). */
async function mutateLoadBalancer<T>(ctx: CoreContext, read: () => Promise<{ value: LoadBalancerRecord; modRevision: string }>, change: (lb: LoadBalancerRecord) => [LoadBalancerRecord, T]): Promise<T> {
  return guardedWrite(ctx, async (txn) => {
    const cur = await read();
    const [next, out] = change(cur.value);
    await stageLoadBalancer(ctx, txn, next, cur.modRevision);
    return out;
  });
}

/** What CreateListener asks for, in berth's terms. */
export interface ListenerRequest {
  loadBalancerArn: string;
  protocol?: string;
  port?: number;
  defaultActions: Action[];
  tags: Tag[];
}

const checkProtocol = (protocol: string | undefined) => {
  if (protocol !== undefined && protocol !== "HTTP") throw new Elbv2UnsupportedProtocol(`Protocol '${protocol}' is not supported; berth's listeners are HTTP`);
};

/** CreateListener: an HTTP listener on a port no listener of the host's load balancers holds. */
export async function createListener(ctx: CoreContext, req: ListenerRequest): Promise<ListenerRecord> {
  checkProtocol(req.protocol);
  const port = req.port ?? 80;
  checkActions(req.defaultActions, "DefaultActions");
  const listener = await mutateLoadBalancer(ctx, () => loadBalancerByArn(ctx, req.loadBalancerArn), (lb) => {
    checkListenerPort(lb, port);
    if (lb.listeners.length >= maxListenersPerLoadBalancer) throw new Elbv2TooManyListeners(`A load balancer holds at most ${maxListenersPerLoadBalancer} listeners`);
    const id = newElbv2Id();
    const l: ListenerRecord = {
      id,
      arn: listenerArn(ctx.scope, lb.name, lb.id, id),
      port,
      protocol: "HTTP",
      defaultActions: req.defaultActions,
      defaultRuleId: newElbv2Id(),
      rules: [],
      tags: req.tags,
    };
    return [{ ...lb, listeners: [...lb.listeners, l] }, l];
  });
  ctx.log.info("listener created", { listenerArn: listener.arn, port });
  return listener;
}

/** ModifyListener: a new port, protocol or default actions (absent ones kept). */
export async function modifyListener(ctx: CoreContext, arn: string, changes: { protocol?: string; port?: number; defaultActions?: Action[] }): Promise<ListenerRecord> {
  checkProtocol(changes.protocol);
  if (changes.defaultActions) checkActions(changes.defaultActions, "DefaultActions");
  return mutateLoadBalancer(ctx, async () => (await listenerByArn(ctx, arn)).lb, (lb) => {
    const cur = lb.listeners.find((l) => l.arn === arn)!;
    if (changes.port !== undefined) checkListenerPort(lb, changes.port, cur.id);
    const next = { ...cur, port: changes.port ?? cur.port, defaultActions: changes.defaultActions ?? cur.defaultActions };
    return [{ ...lb, listeners: lb.listeners.map((l) => (l.id === cur.id ? next : l)) }, next];
  });
}

/** DeleteListener: the listener and its rules. */
export async function deleteListener(ctx: CoreContext, arn: string): Promise<void> {
  await mutateLoadBalancer(ctx, async () => (await listenerByArn(ctx, arn)).lb, (lb) => [{ ...lb, listeners: lb.listeners.filter((l) => l.arn !== arn) }, undefined]);
  ctx.log.info("listener deleted", { listenerArn: arn });
}

/** What CreateRule asks for, in berth's terms. */
export interface RuleRequest {
  listenerArn: string;
  priority: number;
  conditions: Condition[];
  actions: Action[];
  tags: Tag[];
}

/** CreateRule: conditions and one action at a priority no other rule of the listener holds. */
export async function createRule(ctx: CoreContext, req: RuleRequest): Promise<RuleRecord> {
  checkConditions(req.conditions);
  checkActions(req.actions, "Actions");
  return mutateLoadBalancer(ctx, async () => (await listenerByArn(ctx, req.listenerArn)).lb, (lb) => {
    const listener = lb.listeners.find((l) => l.arn === req.listenerArn)!;
    checkPriorityFree(listener, req.priority);
    if (listener.rules.length >= maxRulesPerListener) throw new Elbv2TooManyRules(`A listener holds at most ${maxRulesPerListener} rules`);
    const id = newElbv2Id();
    const rule: RuleRecord = { id, arn: ruleArn(ctx.scope, lb.name, lb.id, listener.id, id), priority: req.priority, conditions: req.conditions, actions: req.actions, tags: req.tags };
    const next = { ...listener, rules: [...listener.rules, rule] };
    return [{ ...lb, listeners: lb.listeners.map((l) => (l.id === listener.id ? next : l)) }, rule];
  });
}

/** ModifyRule: new conditions or actions; the default rule takes actions only (its listener's defaults). */
export async function modifyRule(ctx: CoreContext, arn: string, changes: { conditions?: Condition[]; actions?: Action[] }): Promise<{ listener: ListenerRecord; rule?: RuleRecord }> {
  if (changes.conditions) checkConditions(changes.conditions);
  if (changes.actions) checkActions(changes.actions, "Actions");
  // A rule ARN ends with the rule's id; a default rule's is its listener's defaultRuleId.
  const ruleId = arn.slice(arn.lastIndexOf("/") + 1);
  return mutateLoadBalancer(ctx, async () => (await ruleByArn(ctx, arn)).lb, (lb) => {
    const listener = lb.listeners.find((l) => l.defaultRuleId === ruleId || l.rules.some((r) => r.arn === arn))!;
    let next: ListenerRecord;
    let rule: RuleRecord | undefined;
    if (listener.defaultRuleId === ruleId) {
      if (changes.conditions) throw new Elbv2OperationNotPermitted("The default rule has no conditions");
      next = { ...listener, defaultActions: changes.actions ?? listener.defaultActions };
    } else {
      const cur = listener.rules.find((r) => r.arn === arn)!;
      rule = { ...cur, conditions: changes.conditions ?? cur.conditions, actions: changes.actions ?? cur.actions };
      next = { ...listener, rules: listener.rules.map((r) => (r.id === cur.id ? rule! : r)) };
    }
    return [{ ...lb, listeners: lb.listeners.map((l) => (l.id === listener.id ? next : l)) }, { listener: next, rule }];
  });
}

/** DeleteRule: a rule that is not a listener's default one. */
export async function deleteRule(ctx: CoreContext, arn: string): Promise<void> {
  await mutateLoadBalancer(ctx, async () => {
    const found = await ruleByArn(ctx, arn);
    if (!found.rule) throw new Elbv2OperationNotPermitted("The default rule cannot be deleted");
    return found.lb;
  }, (lb) => [{ ...lb, listeners: lb.listeners.map((l) => ({ ...l, rules: l.rules.filter((r) => r.arn !== arn) })) }, undefined]);
  ctx.log.info("rule deleted", { ruleArn: arn });
}

/** SetRulePriorities: every change applied together to one load balancer's rules. */
export async function setRulePriorities(ctx: CoreContext, changes: { ruleArn: string; priority: number }[]): Promise<RuleRecord[]> {
  if (changes.length === 0) return [];
  return mutateLoadBalancer(ctx, async () => {
    const lbs = await Promise.all(changes.map((c) => ruleByArn(ctx, c.ruleArn)));
    if (new Set(lbs.map((l) => l.lb.value.name)).size > 1) throw new Elbv2OperationNotPermitted("SetRulePriorities changes the rules of one load balancer at a time");
    return lbs[0].lb;
  }, (lb) => {
    const next = planSetRulePriorities(lb, changes.map((c) => ({ ruleId: c.ruleArn.slice(c.ruleArn.lastIndexOf("/") + 1), priority: c.priority })));
    const arns = new Set(changes.map((c) => c.ruleArn));
    return [next, next.listeners.flatMap((l) => l.rules.filter((r) => arns.has(r.arn)))];
  });
}

/** Whether a listener forwards to a target group somewhere (for DescribeTargetGroups' LoadBalancerArns). */
export function forwardsTo(l: ListenerRecord, tgArn: string): boolean {
  return forwardedGroups(l.defaultActions).includes(tgArn) || l.rules.some((r) => forwardedGroups(r.actions).includes(tgArn));
}

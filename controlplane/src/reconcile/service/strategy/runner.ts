import { newId, type DeploymentRecord, type Logger, type ServiceRecord, type TaskRecord } from "@berth/shared";
import { mutateService, setForwardWeights, shifting, targetGroupByArn, targetKey, type CoreContext } from "../../../core/index.js";
import { prependEvents, serviceMessages } from "../events.js";
import { callHookTarget, hookPayload } from "./hook-client.js";
import { decideShift, type HookAnswer, type ShiftDecision } from "./stages.js";
import { desiredRouting, rollBackShift } from "./traffic.js";

/**
 * The strategy step of the service loop, after the round's plan was applied: for a service whose
 * PRIMARY shifts traffic (BLUE_GREEN, LINEAR, CANARY), observe what the decision needs (are the
 * new tasks healthy in their target groups, are the source's gone), decide (stages.ts), call
 * the hooks it asks for and decide again with their answers, write the progress (or the
 * rollback) on the deployment record, then make the listener rules forward as the record says
 * (idempotent: a rule already right is not written). The leader alone runs it.
 */

/** How the strategy step is tuned (config: BERTH_BAKE_MINUTE_MS, BERTH_HOOK_RETRY_MS). */
export interface StrategyOptions {
  /** Milliseconds per minute of bake and hook timeout (60 000 unless scaled down for tests). */
  minuteMs: number;
  /** Delay before an IN_PROGRESS hook is asked again when it names no callBackDelay (ECS: 30 s). */
  hookRetryMs: number;
  /** How long one hook call may take. */
  hookCallTimeoutMs: number;
  /** How long after a rule change the load balancers may still route by the old rule (a few of their sync intervals). */
  routeSettleMs: number;
}

/** Hook calls one round may make for one service before leaving the rest to the next round. */
const maxHookCallsPerRound = 8;

/** Runs the strategy step for one service (see the module comment). */
export async function runStrategyStep(ctx: CoreContext, service: ServiceRecord, tasks: TaskRecord[], opts: StrategyOptions, log: Logger): Promise<void> {
  let current = service;
  const primary = service.deployments.find((d) => d.status === "PRIMARY");
  if (primary && shifting(primary)) {
    const decision = await decide(ctx, service, primary, tasks, opts);
    if (JSON.stringify(decision.shift) !== JSON.stringify(primary.shift) || decision.rollback) {
      current = (await writeProgress(ctx, service, primary, decision)) ?? current;
      if (decision.shift.stage !== primary.shift!.stage) log.info("deployment stage", { cluster: service.cluster, service: service.name, deploymentId: primary.id, from: primary.shift!.stage, to: decision.shift.stage });
      if (decision.rollback) log.warn("deployment rolled back", { cluster: service.cluster, service: service.name, deploymentId: primary.id, reason: decision.rollback });
    }
  }
  // The rules follow the record: the current shift's weights, or all to the PRIMARY's groups.
  let wrote = false;
  for (const r of desiredRouting(current)) wrote = (await setForwardWeights(ctx, r.ruleArn, r.groups)) || wrote;
  // The deployments the rules were changed for remember when (their tasks losing traffic are
  // kept until the change has reached the load balancers), and a rollback whose rules are back
  // on the source and settled is over.
  const now = ctx.now();
  const routedFor = (d: DeploymentRecord) => (d.status === "PRIMARY" && shifting(d)) || (d.shift?.rollback !== undefined && d.shift.rollback.completedAtMs === undefined);
  const settled = (d: DeploymentRecord) => !wrote && now >= (d.shift!.routedAtMs ?? 0) + opts.routeSettleMs;
  if (current.deployments.some((d) => routedFor(d) && (wrote || (d.shift?.rollback && settled(d))))) {
    await mutateService(ctx, service.cluster, service.name, (cur) => {
      let changed = false;
      const deployments = cur.deployments.map((d) => {
        if (!d.shift || !routedFor(d)) return d;
        if (wrote) {
          changed = true;
          return { ...d, shift: { ...d.shift, routedAtMs: now } };
        }
        if (d.shift.rollback && settled(d)) {
          changed = true;
          return { ...d, updatedAtMs: now, shift: { ...d.shift, rollback: { ...d.shift.rollback, completedAtMs: now } } };
        }
        return d;
      });
      return changed ? { ...cur, deployments, version: cur.version + 1 } : undefined;
    });
  }
}

/** Observes, decides, and calls the hooks the decision asks for, deciding again with each answer. */
async function decide(ctx: CoreContext, service: ServiceRecord, primary: DeploymentRecord, tasks: TaskRecord[], opts: StrategyOptions): Promise<ShiftDecision> {
  const shift = primary.shift!;
  const input = {
    shift,
    config: service.deploymentConfiguration,
    now: ctx.now(),
    minuteMs: opts.minuteMs,
    hookRetryMs: opts.hookRetryMs,
    routeSettleMs: opts.routeSettleMs,
    greenReady: await deploymentReady(ctx, primary, tasks),
    sourceGone: !tasks.some((t) => t.startedBy === shift.sourceDeploymentId && t.lastStatus !== "STOPPED"),
  };
  let decision = decideShift(input);
  for (let calls = 0; decision.callHook && calls < maxHookCallsPerRound; calls++) {
    const hook = service.deploymentConfiguration.lifecycleHooks?.[decision.callHook.hookIndex];
    const answer: HookAnswer = hook
      ? await callHookTarget(hook.hookTargetArn, hookPayload(service, primary, decision.shift, hook.hookDetails), opts.hookCallTimeoutMs)
      : { error: "the hook was removed from the service" };
    decision = decideShift({ ...input, shift: decision.shift, now: ctx.now(), hookAnswer: answer });
  }
  return decision;
}

/**
 * True when desired of the deployment's tasks run and each is a healthy target in every one of
 * its target groups (a group without health checks counts its registered targets).
 */
async function deploymentReady(ctx: CoreContext, d: DeploymentRecord, tasks: TaskRecord[]): Promise<boolean> {
  const running = new Set(tasks.filter((t) => t.startedBy === d.id && t.lastStatus === "RUNNING" && t.desiredStatus === "RUNNING").map((t) => t.arn));
  if (running.size < d.desiredCount) return false;
  for (const arn of d.shift!.targetGroupArns) {
    const tg = (await targetGroupByArn(ctx, arn)).value;
    const mine = tg.targets.filter((t) => t.drainingSinceMs === undefined && t.taskArn !== undefined && running.has(t.taskArn));
    if (mine.length < d.desiredCount) return false;
    if (!tg.healthCheck.enabled) continue;
    const seen = await ctx.store.targetHealth.get(tg.name);
    const states = seen?.value.targetGroupId === tg.id ? seen.value.targets : {};
    if (mine.filter((t) => states[targetKey(t)]?.state === "healthy").length < d.desiredCount) return false;
  }
  return true;
}

/**
 * Writes the decision onto the PRIMARY it was made for, only if that deployment's progress is
 * still what was read (another writer's change wins; the next round decides again).
 */
async function writeProgress(ctx: CoreContext, read: ServiceRecord, primary: DeploymentRecord, decision: ShiftDecision): Promise<ServiceRecord | undefined> {
  return mutateService(ctx, read.cluster, read.name, (cur) => {
    const d = cur.deployments.find((x) => x.id === primary.id);
    if (!d || d.status !== "PRIMARY" || JSON.stringify(d.shift) !== JSON.stringify(primary.shift)) return undefined;
    const now = ctx.now();
    let deployments = cur.deployments.map((x) => (x === d ? { ...x, shift: decision.shift, updatedAtMs: now } : x));
    let events = cur.events;
    if (decision.rollback) {
      deployments = rollBackShift(deployments, decision.rollback, now);
      const messages = [serviceMessages.deploymentFailed(cur.name, d.id), serviceMessages.rollingBack(cur.name, d.shift!.sourceDeploymentId)];
      events = prependEvents(cur.events, messages, newId(), now);
    }
    return { ...cur, deployments, events, version: cur.version + 1 };
  });
}

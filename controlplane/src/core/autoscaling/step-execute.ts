import { ConflictError } from "@berth/shared";
import type { CoreContext } from "../context.js";
import { keys, type ScalableTargetRecord, type Txn } from "../../store/index.js";
import { stageScalingActivity, trimScalingActivities } from "./activities.js";
import { desiredCountDescription } from "./scheduled-action-rules.js";
import { finishPendingDesired } from "./scheduled-firing.js";
import { planStep, type StepScalingConfig } from "./step.js";

/** The alarm that invokes a step policy, as the execution reads it. */
export interface InvokingAlarm {
  name: string;
  threshold: number;
  /** A GreaterThan… alarm breaches upwards. */
  breachAbove: boolean;
  /** Its window's datapoints (empty when its state was set by hand). */
  values: readonly number[];
  /** The state it invokes the policy in (ALARM, or OK / INSUFFICIENT_DATA for those actions). */
  state: string;
}

/** What an invocation came to, for the alarm's Action history item. */
export type StepOutcome = { ok: true; scaled: boolean; message: string } | { ok: false; message: string };

/**
 * Stages the invoking alarm's "acted" mark into the decision's transaction, so the decision and
 * the alarm's record of having acted land together (or not at all).
 */
export type StageActed = (txn: Txn) => Promise<void>;

/**
 * Executes the StepScaling policy `policyArn` for an alarm in ALARM: plans the step
 * ({@link planStep}) and, when it scales, records the decision in ONE transaction guarded by the
 * target's (and the service's) revision through the leader's fenced store: the cooldown mark, the
 * activity InProgress (`monitor alarm <alarm> in state <state> triggered policy <policy>`, AWS's
 * words), a pending desired mark, and `stageActed`'s alarm mark. Then the UpdateService and the
 * settle ({@link finishPendingDesired}). A leader lost after the commit leaves the mark, which the
 * next leader's schedule loop finishes instead of running the policy again. A lost race re-reads
 * and plans again. Not scaling (cooldown, at a bound, no step for the value) records nothing, as
 * AWS records no activity then.
 */
export async function executeStepPolicy(ctx: CoreContext, policyArn: string, alarm: InvokingAlarm, stageActed?: StageActed): Promise<StepOutcome> {
  for (let attempt = 0; ; attempt++) {
    if (attempt >= 5) return { ok: false, message: `policy ${policyArn}: the scalable target kept changing; the alarm invokes it again` };
    const cur = (await ctx.store.scalableTargets.list(keys.scalableTargets())).items.find((t) => t.value.policies.some((p) => p.arn === policyArn));
    const target = cur?.value;
    const policy = target?.policies.find((p) => p.arn === policyArn);
    if (!cur || !target || !policy) return { ok: false, message: `no scaling policy ${policyArn}` };
    if (policy.type !== "StepScaling" || !policy.stepScaling) return { ok: false, message: `policy ${policy.name} is a ${policy.type} policy, not a StepScaling one` };
    // An earlier change still pending (a scheduled action's, a lost leader's step) lands first.
    if (target.pendingDesired) {
      await finishPendingDesired(ctx, cur);
      continue;
    }
    const svcRead = await ctx.store.services.get(target.cluster, target.service);
    const svc = svcRead?.value;
    if (!svcRead || !svc || svc.status !== "ACTIVE") return { ok: false, message: `ECS service ${target.resourceId} is not ACTIVE` };
    const nowMs = ctx.now();
    const plan = planStep({
      config: policy.stepScaling as StepScalingConfig,
      nowMs,
      current: svc.desiredCount,
      minCapacity: target.minCapacity,
      maxCapacity: target.maxCapacity,
      values: alarm.values,
      threshold: alarm.threshold,
      breachAbove: alarm.breachAbove,
      scaleInSuspended: target.suspendedState.dynamicScalingInSuspended,
      scaleOutSuspended: target.suspendedState.dynamicScalingOutSuspended,
      lastScaleOutAtMs: target.lastScaleOutAtMs,
      lastScaleOutFrom: target.lastScaleOutFrom,
      lastScaleInAtMs: target.lastScaleInAtMs,
    });
    if (plan.action === "none") {
      ctx.log.debug("step policy did not scale", { resourceId: target.resourceId, policy: policy.name, alarm: alarm.name, why: plan.why });
      return { ok: true, scaled: false, message: `policy ${policy.name} did not scale: ${plan.why}` };
    }
    const txn = ctx.store.txn();
    // The service's revision too: the planned count is absolute, from this read of its desired count.
    txn.expect(keys.service(target.cluster, target.service), svcRead.modRevision);
    const activity = stageScalingActivity(ctx, txn, {
      cluster: target.cluster,
      service: target.service,
      resourceId: target.resourceId,
      description: desiredCountDescription(plan.desired),
      cause: `monitor alarm ${alarm.name} in state ${alarm.state} triggered policy ${policy.name}`,
      statusCode: "InProgress",
      startMs: nowMs,
    });
    // The cooldown runs from this attempt either way, so a refused update is not retried every period.
    const cooled = plan.direction === "out" ? { ...target, lastScaleOutAtMs: nowMs, lastScaleOutFrom: svc.desiredCount } : { ...target, lastScaleInAtMs: nowMs };
    const marked: ScalableTargetRecord = { ...cooled, pendingDesired: { desiredCount: plan.desired, activityRecordId: activity.id, source: "step" } };
    ctx.store.scalableTargets.stageUpdate(txn, marked, cur.modRevision);
    if (stageActed) await stageActed(txn);
    try {
      await ctx.store.commit(txn);
    } catch (err) {
      if (err instanceof ConflictError) continue;
      throw err;
    }
    await trimScalingActivities(ctx, target.cluster, target.service);
    const written = await ctx.store.scalableTargets.get(target.cluster, target.service);
    const done = written?.value.pendingDesired?.activityRecordId === activity.id ? await finishPendingDesired(ctx, written) : undefined;
    const desired = done?.desiredCount ?? plan.desired;
    ctx.log.info("service scaled by step policy", { resourceId: target.resourceId, policy: policy.name, alarm: alarm.name, from: svc.desiredCount, to: desired, metric: plan.metricValue, ...(done?.failure && { failure: done.failure }) });
    return done?.failure === undefined ? { ok: true, scaled: true, message: `set desired count of ${target.resourceId} to ${desired}` } : { ok: false, message: done.failure };
  }
}

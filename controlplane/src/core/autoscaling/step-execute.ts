import type { CoreContext } from "../context.js";
import { updateService } from "../services.js";
import { recordScalingActivity } from "./activities.js";
import { planStep, type StepScalingConfig } from "./step.js";
import { listScalableTargets } from "./targets.js";

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
 * Executes the StepScaling policy `policyArn` for an alarm in ALARM: plans the step
 * ({@link planStep}), sets the service's desired count, marks the target's cooldown, and records
 * the scaling activity in AWS's words (`monitor alarm <alarm> in state <state> triggered policy
 * <policy>`). Not scaling (cooldown, at a bound, no step for the value) records nothing, as AWS
 * records no activity then.
 */
export async function executeStepPolicy(ctx: CoreContext, policyArn: string, alarm: InvokingAlarm): Promise<StepOutcome> {
  const target = (await listScalableTargets(ctx)).find((t) => t.policies.some((p) => p.arn === policyArn));
  const policy = target?.policies.find((p) => p.arn === policyArn);
  if (!target || !policy) return { ok: false, message: `no scaling policy ${policyArn}` };
  if (policy.type !== "StepScaling" || !policy.stepScaling) return { ok: false, message: `policy ${policy.name} is a ${policy.type} policy, not a StepScaling one` };
  const svc = (await ctx.store.services.get(target.cluster, target.service))?.value;
  if (!svc || svc.status !== "ACTIVE") return { ok: false, message: `ECS service ${target.resourceId} is not ACTIVE` };
  const plan = planStep({
    config: policy.stepScaling as StepScalingConfig,
    nowMs: ctx.now(),
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
  const startMs = ctx.now();
  let failure: string | undefined;
  try {
    await updateService(ctx, target.cluster, target.service, { desiredCount: plan.desired });
  } catch (err) {
    failure = (err as Error).message;
  }
  // The cooldown runs from this attempt either way, so a refused update is not retried every period.
  await ctx.store.scalableTargets.mutate([target.cluster, target.service], (t) =>
    plan.direction === "out" ? { ...t, lastScaleOutAtMs: startMs, lastScaleOutFrom: svc.desiredCount } : { ...t, lastScaleInAtMs: startMs },
  );
  await recordScalingActivity(ctx, {
    cluster: target.cluster,
    service: target.service,
    resourceId: target.resourceId,
    description: `Setting desired count to ${plan.desired}.`,
    cause: `monitor alarm ${alarm.name} in state ${alarm.state} triggered policy ${policy.name}`,
    statusCode: failure === undefined ? "Successful" : "Failed",
    statusMessage: failure === undefined ? `Successfully set desired count to ${plan.desired}. Change successfully fulfilled by ecs.` : `Failed to set desired count to ${plan.desired}. Reason: ${failure}`,
    startMs,
    endMs: ctx.now(),
  });
  ctx.log.info("service scaled by step policy", { resourceId: target.resourceId, policy: policy.name, alarm: alarm.name, from: svc.desiredCount, to: plan.desired, metric: plan.metricValue, ...(failure && { failure }) });
  return failure === undefined ? { ok: true, scaled: true, message: `set desired count of ${target.resourceId} to ${plan.desired}` } : { ok: false, message: failure };
}

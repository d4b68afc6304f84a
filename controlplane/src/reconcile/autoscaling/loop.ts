import type { Logger } from "@berth/shared";
import {
  cpuUtilization,
  lastCompletePeriodStart,
  listScalableTargets,
  memoryUtilization,
  metricKindOf,
  readServiceMetrics,
  recordScalingActivity,
  targetGroupOfLabel,
  updateService,
  type CoreContext,
} from "../../core/index.js";
import type { ScalableTargetRecord } from "../../store/index.js";
import { startLoop, type ReconcileLoop } from "../loop.js";
import { denseDatapoints, planScaling, type TrackingPolicy } from "./plan.js";

/** AWS's default cooldowns of an ECS target tracking policy, seconds. */
const defaultCooldownSeconds = 300;

/** How the scaler reads and when it acts (docs/AUTOSCALING.md). */
export interface AutoscalingSettings {
  /** The datapoint period (BERTH_METRIC_PERIOD_MS; AWS's 60 s). */
  periodMs: number;
  /** Datapoints that must breach for a scale-out (BERTH_SCALE_OUT_DATAPOINTS; AWS's 3). */
  scaleOutDatapoints: number;
  /** Datapoints that must breach for a scale-in (BERTH_SCALE_IN_DATAPOINTS; AWS's 15). */
  scaleInDatapoints: number;
  log: Logger;
  /**
   * ALBRequestCountPerTarget's datapoints of a target group: requests per registered target in
   * each period (from the load balancers' HAProxy counters); absent, such policies never act.
   */
  requestsPerTarget?: (targetGroupName: string, lastStartMs: number, periodMs: number, n: number) => (number | undefined)[];
}

/** The last complete period's start: the same rule as the publishers' (core/service-metrics.ts). */
export function lastCompletePeriod(nowMs: number, periodMs: number): number {
  return lastCompletePeriodStart(nowMs, periodMs);
}

/**
 * The scaler: a leader loop that, twice a period, reads each scalable target with target tracking
 * policies, its service's desired count and datapoints, asks {@link planScaling} what to do, and
 * applies it: UpdateService's desired count, a scaling activity in AWS's words, the cooldown mark.
 */
export function startAutoscalingLoop(ctx: CoreContext, settings: AutoscalingSettings): ReconcileLoop {
  const interval = Math.min(30_000, Math.max(100, Math.floor(settings.periodMs / 2)));
  return startLoop("autoscaling", interval, async (active) => {
    for (const target of await listScalableTargets(ctx)) {
      if (!active()) return;
      await scaleTarget(ctx, settings, target).catch((err) => settings.log.warn("scaling round failed for a target", { resourceId: target.resourceId, err }));
    }
  }, settings.log);
}

async function scaleTarget(ctx: CoreContext, settings: AutoscalingSettings, target: ScalableTargetRecord): Promise<void> {
  const tracking = target.policies.filter((p) => p.type === "TargetTrackingScaling" && p.targetTracking);
  if (tracking.length === 0) return;
  const svc = (await ctx.store.services.get(target.cluster, target.service))?.value;
  if (!svc || svc.status !== "ACTIVE") return;
  const nowMs = ctx.now();
  const last = lastCompletePeriod(nowMs, settings.periodMs);
  const n = Math.max(settings.scaleOutDatapoints, settings.scaleInDatapoints);
  const policies: TrackingPolicy[] = [];
  const datapoints: Record<string, (number | undefined)[]> = {};
  const needs = new Set(tracking.map((p) => metricKindOf(p.targetTracking!)));
  if (needs.has("cpu") || needs.has("memory")) {
    const points = await readServiceMetrics(ctx, target.cluster, target.service, settings.periodMs);
    datapoints.cpu = denseDatapoints(points, last, settings.periodMs, n, cpuUtilization);
    datapoints.memory = denseDatapoints(points, last, settings.periodMs, n, memoryUtilization);
  }
  for (const p of tracking) {
    const cfg = p.targetTracking!;
    let metric: string = metricKindOf(cfg);
    // Each ALB policy reads its own target group's counts, kept under a series of its own.
    if (metric === "requests") {
      const group = targetGroupOfLabel(cfg.PredefinedMetricSpecification.ResourceLabel ?? "") ?? "";
      metric = `requests:${group}`;
      datapoints[metric] = settings.requestsPerTarget?.(group, last, settings.periodMs, n) ?? [];
    }
    policies.push({
      name: p.name,
      metric,
      targetValue: cfg.TargetValue,
      disableScaleIn: cfg.DisableScaleIn === true,
      scaleOutCooldownMs: (cfg.ScaleOutCooldown ?? defaultCooldownSeconds) * 1000,
      scaleInCooldownMs: (cfg.ScaleInCooldown ?? defaultCooldownSeconds) * 1000,
      highAlarm: p.alarms.find((a) => a.name.includes("-AlarmHigh-"))?.name ?? p.name,
      lowAlarm: p.alarms.find((a) => a.name.includes("-AlarmLow-"))?.name,
    });
  }
  const plan = planScaling({
    nowMs,
    current: svc.desiredCount,
    minCapacity: target.minCapacity,
    maxCapacity: target.maxCapacity,
    scaleInSuspended: target.suspendedState.dynamicScalingInSuspended,
    scaleOutSuspended: target.suspendedState.dynamicScalingOutSuspended,
    policies,
    datapoints,
    scaleOutDatapoints: settings.scaleOutDatapoints,
    scaleInDatapoints: settings.scaleInDatapoints,
    lastScaleOutAtMs: target.lastScaleOutAtMs,
    lastScaleInAtMs: target.lastScaleInAtMs,
  });
  if (plan.action === "none") {
    settings.log.trace("not scaled", { resourceId: target.resourceId, why: plan.why, current: svc.desiredCount, datapoints });
    return;
  }
  const cause = `monitor alarm ${plan.alarm} in state ALARM triggered policy ${plan.policy}`;
  const startMs = ctx.now();
  let failure: string | undefined;
  try {
    await updateService(ctx, target.cluster, target.service, { desiredCount: plan.desired });
  } catch (err) {
    failure = (err as Error).message;
  }
  // The cooldown runs from this attempt either way, so a refused update is not retried every round.
  await ctx.store.scalableTargets.mutate([target.cluster, target.service], (t) =>
    plan.direction === "out" ? { ...t, lastScaleOutAtMs: startMs } : { ...t, lastScaleInAtMs: startMs },
  );
  await recordScalingActivity(ctx, {
    cluster: target.cluster,
    service: target.service,
    resourceId: target.resourceId,
    description: `Setting desired count to ${plan.desired}.`,
    cause,
    statusCode: failure === undefined ? "Successful" : "Failed",
    statusMessage: failure === undefined ? `Successfully set desired count to ${plan.desired}. Change successfully fulfilled by ecs.` : `Failed to set desired count to ${plan.desired}. Reason: ${failure}`,
    startMs,
    endMs: ctx.now(),
  });
  settings.log.info("service scaled", { resourceId: target.resourceId, direction: plan.direction, from: svc.desiredCount, to: plan.desired, policy: plan.policy, metric: plan.metricValue, ...(failure && { failure }) });
}

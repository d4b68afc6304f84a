import type { DeploymentAlarmMonitor, DeploymentRecord, ServiceRecord } from "@berth/shared";
import { alarmsInAlarm, deploymentBakeMs, type DeploymentAlarmWatch } from "../../core/index.js";
import { failPrimary, type BreakerOutcome } from "./breaker.js";
import { rolloutReasons, serviceMessages } from "./events.js";

/**
 * deploymentConfiguration.alarms, decided beside the circuit breaker: ECS's other way of
 * detecting a failed deployment (developer guide, "How CloudWatch alarms detect Amazon ECS
 * deployment failures"). Pure: the deployments, the named alarms' states and `now` in.
 *
 * - A deployment is first seen rolling out: its check begins, DISABLED when a named alarm is
 *   already in ALARM ("Amazon ECS will not monitor alarms for the duration of that deployment"),
 *   MONITORING otherwise, with its bake fixed then.
 * - MONITORING and a named alarm in ALARM while IN_PROGRESS: the deployment FAILED and, with
 *   rollback, back to the last COMPLETED deployment (the breaker's path, breaker.ts failPrimary;
 *   BLUE_GREEN, LINEAR and CANARY hand production back to their source).
 * - Steady (every task of the deployment running and healthy, the old ones gone): the bake
 *   begins; the deployment stays IN_PROGRESS, watched, until it ends, then COMPLETED.
 */

/** Fails the primary when one of its alarms is in ALARM; begins the check of a primary first seen. */
export function applyDeploymentAlarms(service: ServiceRecord, outcome: BreakerOutcome, watch: DeploymentAlarmWatch, now: number, seed: string): BreakerOutcome {
  const config = service.deploymentConfiguration.alarms;
  if (!config?.enable || service.status !== "ACTIVE") return outcome;
  const primary = outcome.deployments.find((d) => d.status === "PRIMARY");
  if (!primary || primary.rolloutState !== "IN_PROGRESS") return outcome;
  if (!primary.alarms) return { ...outcome, deployments: replaced(outcome.deployments, primary, beginCheck(service, primary, watch)) };
  if (primary.alarms.status !== "MONITORING") return outcome;

  const triggered = alarmsInAlarm(primary.alarms.alarmNames, watch.states);
  if (triggered.length === 0) return outcome;
  const failed = failPrimary(service, outcome.deployments, primary, {
    rollback: config.rollback,
    failedReason: rolloutReasons.alarmsFailed(triggered),
    rollbackReason: rolloutReasons.alarmsRollback,
    failedMessage: serviceMessages.deploymentFailedAlarms(service.name, primary.id),
    mark: (d) => ({ ...d, alarms: { ...withoutBake(d.alarms!), status: "TRIGGERED", triggeredAlarmNames: triggered } }),
    now,
    seed,
  });
  // The rollback begins with those alarms in ALARM, so it is not watched (ECS's rule above):
  // the fix goes out even while the alarm that failed the last one still fires.
  const next = failed.deployments.find((d) => d.status === "PRIMARY");
  const deployments = next && next.rolloutState === "IN_PROGRESS" && !next.alarms ? replaced(failed.deployments, next, beginCheck(service, next, watch)) : failed.deployments;
  return { deployments, messages: [...outcome.messages, ...failed.messages] };
}

/** What the bake decides for a primary this round. */
export interface BakeOutcome {
  /** The primary with its bake begun, reset or finished. */
  primary: DeploymentRecord;
  /** True while the bake keeps a steady primary IN_PROGRESS. */
  holding: boolean;
}

/**
 * The bake of a watched ROLLING primary: begins when it is steady (`converged`), starts again
 * when it stops being so (the guide: the bake "starts after all tasks for a target service
 * revision are running and in a healthy state [and] source service revisions are scaled down to
 * 0%"), and holds completion until bakeMs has passed. A traffic-shifting deployment bakes in
 * its own BAKE_TIME stage, watched throughout, and completes when its rollout does.
 */
export function alarmBake(service: ServiceRecord, primary: DeploymentRecord, converged: boolean, now: number): BakeOutcome {
  const m = primary.alarms;
  if (!m || m.status !== "MONITORING" || primary.rolloutState !== "IN_PROGRESS") return { primary, holding: false };
  const done = (): BakeOutcome => ({ primary: { ...primary, alarms: { ...m, status: "MONITORING_COMPLETE" } }, holding: false });
  // Alarms turned off by UpdateService while it baked: nothing is watched any more.
  if (!service.deploymentConfiguration.alarms?.enable) return converged ? done() : { primary, holding: false };
  if (!converged) return { primary: m.bakeStartedAtMs === undefined ? primary : { ...primary, alarms: withoutBake(m) }, holding: false };
  if (primary.shift) return done();
  const started = m.bakeStartedAtMs ?? now;
  if (now - started >= m.bakeMs) return done();
  return { primary: m.bakeStartedAtMs === undefined ? { ...primary, alarms: { ...m, bakeStartedAtMs: now } } : primary, holding: true };
}

/** The check a deployment begins with: the service's alarm names, its bake, and whether any of them already fires. */
function beginCheck(service: ServiceRecord, d: DeploymentRecord, watch: DeploymentAlarmWatch): DeploymentRecord {
  const alarmNames = service.deploymentConfiguration.alarms!.alarmNames;
  const firing = alarmsInAlarm(alarmNames, watch.states).length > 0;
  return { ...d, alarms: { status: firing ? "DISABLED" : "MONITORING", alarmNames, bakeMs: deploymentBakeMs(service.deploymentConfiguration, watch.states, watch.minuteMs) } };
}

function withoutBake(m: DeploymentAlarmMonitor): DeploymentAlarmMonitor {
  const { bakeStartedAtMs: _, ...rest } = m;
  return rest;
}

function replaced(deployments: DeploymentRecord[], from: DeploymentRecord, to: DeploymentRecord): DeploymentRecord[] {
  return deployments.map((d) => (d === from ? to : d));
}

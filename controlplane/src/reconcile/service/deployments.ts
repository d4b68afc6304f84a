import type { DeploymentRecord, ServiceRecord, TaskRecord } from "@berth/shared";
import type { DeploymentAlarmWatch } from "../../core/index.js";
import { alarmBake, applyDeploymentAlarms } from "./alarm-rollback.js";
import { applyCircuitBreaker, failedTaskCount, lastCompleted } from "./breaker.js";
import type { ClassifiedTask } from "./classify.js";
import { rolloutReasons, serviceMessages } from "./events.js";
import { newDeploymentId } from "./ids.js";

/**
 * The deployment list before and after a round's task decisions: first make sure there is a
 * PRIMARY with the service's desired count and current failure counts, and run the circuit
 * breaker; then, once the round's stops are known, drop drained deployments and complete the
 * primary.
 */

const noAlarms: DeploymentAlarmWatch = { states: {}, minuteMs: 60_000 };

/** Deployments to plan with, plus the event messages their changes produced (oldest first). */
export interface PreparedDeployments {
  deployments: DeploymentRecord[];
  messages: string[];
}

/** Brings the deployment list up to date before tasks are planned. */
export function prepareDeployments(service: ServiceRecord, tasks: TaskRecord[], now: number, seed: string, alarms: DeploymentAlarmWatch = noAlarms): PreparedDeployments {
  let deployments = service.deployments.map((d) => {
    const failedTasks = failedTaskCount(d, tasks);
    return failedTasks === d.failedTasks ? d : { ...d, failedTasks, updatedAtMs: now };
  });
  if (service.status !== "ACTIVE") return { deployments, messages: [] };

  // CreateService writes the first deployment; a record without one still gets a primary
  // rather than running nothing forever.
  if (!deployments.some((d) => d.status === "PRIMARY")) {
    const id = newDeploymentId(`${seed}:primary`);
    deployments = [
      {
        id,
        status: "PRIMARY",
        taskDefinition: service.taskDefinition,
        desiredCount: service.desiredCount,
        failedTasks: 0,
        rolloutState: "IN_PROGRESS",
        rolloutStateReason: rolloutReasons.inProgress(id),
        createdAtMs: now,
        updatedAtMs: now,
        launchType: service.launchType,
      },
      ...deployments,
    ];
  }
  // The service's desiredCount is what UpdateService changes; the primary mirrors it, as ECS
  // shows the same number on the service and its PRIMARY deployment.
  deployments = deployments.map((d) =>
    d.status === "PRIMARY" && d.desiredCount !== service.desiredCount ? { ...d, desiredCount: service.desiredCount, updatedAtMs: now } : d,
  );
  // Either detection method fails the deployment as soon as its criteria are met (the guide).
  return applyDeploymentAlarms(service, applyCircuitBreaker(service, deployments, now, seed), alarms, now, seed);
}

/** What settling looks at: the round's classification and the stops it decided. */
export interface SettleInput {
  service: ServiceRecord;
  deployments: DeploymentRecord[];
  classified: ClassifiedTask[];
  stoppedIds: ReadonlySet<string>;
  start: number;
  now: number;
}

/** The deployment list after the round, and whether the service sits at its steady state. */
export interface SettledDeployments {
  deployments: DeploymentRecord[];
  messages: string[];
  /** Every live task is a healthy primary task, exactly desired of them, nothing else listed. */
  steady: boolean;
}

/**
 * Drops non-primary deployments with no task left (ECS lists only deployments that still hold
 * tasks), sets each remaining old deployment's desiredCount to the tasks it keeps after this
 * round (ECS shows it shrinking as the rollout drains it), and completes the primary once it
 * alone runs desired healthy tasks.
 */
export function settleDeployments(input: SettleInput): SettledDeployments {
  const { service, classified, stoppedIds, now } = input;
  const holding = new Map<string, number>();
  const keeping = new Map<string, number>();
  for (const c of classified) {
    if (c.bucket === "stopped" || c.task.startedBy === undefined) continue;
    holding.set(c.task.startedBy, (holding.get(c.task.startedBy) ?? 0) + 1);
    if (c.bucket !== "stopping" && !stoppedIds.has(c.task.id)) keeping.set(c.task.startedBy, (keeping.get(c.task.startedBy) ?? 0) + 1);
  }
  const stored = input.deployments.find((d) => d.status === "PRIMARY");
  const anchor = rollbackAnchor(service, input.deployments, stored);

  // A stopping task still holds its deployment, so it is dropped only once every task is STOPPED.
  const holds = (d: DeploymentRecord) => d.status !== "INACTIVE" && (holding.get(d.id) ?? 0) > 0;
  const liveOthers = classified.filter((c) => c.bucket !== "stopped" && c.bucket !== "stopping" && c.bucket !== "healthy");
  const healthyPrimary = classified.filter((c) => c.bucket === "healthy").length;
  const converged =
    service.status === "ACTIVE" &&
    stored !== undefined &&
    !input.deployments.some((d) => d.status !== "PRIMARY" && holds(d)) &&
    liveOthers.length === 0 &&
    healthyPrimary === stored.desiredCount &&
    input.start === 0 &&
    stoppedIds.size === 0;
  // deploymentConfiguration.alarms: a steady primary still bakes, watched, before it completes,
  // and the deployment it would roll back to stays listed meanwhile (alarm-rollback.ts).
  const bake = stored ? alarmBake(service, stored, converged, now) : undefined;
  const primary = bake?.primary ?? stored;
  const settled = converged && !bake?.holding;

  const deployments: DeploymentRecord[] = [];
  for (const d of input.deployments) {
    if (d.status === "PRIMARY") deployments.push(d === stored ? primary! : d);
    else if (holds(d) || (d === anchor && !settled)) {
      const kept = keeping.get(d.id) ?? 0;
      deployments.push(kept === d.desiredCount ? d : { ...d, desiredCount: kept, updatedAtMs: now });
    }
  }

  const messages: string[] = [];
  if (!settled || !primary) return { deployments, messages, steady: false };
  if (primary.rolloutState === "IN_PROGRESS") {
    const completed: DeploymentRecord = { ...primary, rolloutState: "COMPLETED", rolloutStateReason: rolloutReasons.completed(primary.id), updatedAtMs: now };
    deployments[deployments.indexOf(primary)] = completed;
    messages.push(serviceMessages.deploymentCompleted(service.name, primary.id));
    return { deployments, messages, steady: true };
  }
  // A FAILED primary (breaker without rollback) is never a steady state.
  return { deployments, messages, steady: primary.rolloutState === "COMPLETED" };
}

/**
 * The deployment a breaker rollback would return to, kept listed even once drained: ECS rolls
 * back to the last COMPLETED deployment, and berth finds it only in this list (a 0/100 rollout
 * drains it before the new tasks have had a chance to fail). It is let go when the primary
 * completes or fails.
 */
function rollbackAnchor(service: ServiceRecord, deployments: DeploymentRecord[], primary: DeploymentRecord | undefined): DeploymentRecord | undefined {
  const { deploymentCircuitBreaker: breaker, alarms } = service.deploymentConfiguration;
  const rollsBack = (breaker.enable && breaker.rollback) || (alarms?.enable === true && alarms.rollback);
  if (!rollsBack || primary?.rolloutState !== "IN_PROGRESS") return undefined;
  return lastCompleted(deployments);
}

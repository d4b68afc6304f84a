import type { DeploymentRecord, ServiceRecord, TaskRecord } from "@berth/shared";
import { circuitBreakerThreshold } from "./bounds.js";
import { rolloutReasons, serviceMessages, stopReasons } from "./events.js";
import { newDeploymentId } from "./ids.js";
import { rollBackShift } from "./strategy/traffic.js";

/**
 * The deployment circuit breaker: counts the primary deployment's failed tasks and, at ECS's
 * threshold, fails the deployment and (with rollback) starts a new primary on the task
 * definition of the last COMPLETED deployment.
 */

// Every ELB failure reason starts so, whichever target group it names (the ARN and its ")" cut off).
const elbFailurePrefix = stopReasons.elbUnhealthy("").slice(0, -1);

/**
 * True when a stopped task counts as a failure: it never reached RUNNING (no start time, or the
 * agent said TaskFailedToStart), or the scheduler stopped it for failing its container or ELB
 * health checks.
 */

export function isFailedTask(t: TaskRecord): boolean {
  if (t.lastStatus !== "STOPPED") return false;
  if (t.startedAtMs === undefined || t.stopCode === "TaskFailedToStart") return true;
  return t.stoppedReason === stopReasons.unhealthy || (t.stoppedReason?.startsWith(elbFailurePrefix) ?? false);
}

/**
 * The failure count to store: the larger of what is stored and what the tasks show, because
 * stopped tasks are eventually removed from the store while the count must never go down.
 */
export function failedTaskCount(d: DeploymentRecord, tasks: TaskRecord[]): number {
  const derived = tasks.filter((t) => t.startedBy === d.id && isFailedTask(t)).length;
  return Math.max(d.failedTasks, derived);
}

/** What tripping the breaker produced. */
export interface BreakerOutcome {
  /** Deployments after the trip: PRIMARY first. */
  deployments: DeploymentRecord[];
  /** Event messages, oldest first. */
  messages: string[];
}

/**
 * Trips the breaker when the primary is enabled for it, still IN_PROGRESS (a COMPLETED
 * deployment never trips) and has failed at least {@link circuitBreakerThreshold} tasks;
 * otherwise returns `deployments` unchanged with no messages.
 */
export function applyCircuitBreaker(service: ServiceRecord, deployments: DeploymentRecord[], now: number, seed: string): BreakerOutcome {
  const breaker = service.deploymentConfiguration.deploymentCircuitBreaker;
  const primary = deployments.find((d) => d.status === "PRIMARY");
  if (!breaker.enable || !primary || primary.rolloutState !== "IN_PROGRESS") return { deployments, messages: [] };
  if (primary.failedTasks < circuitBreakerThreshold(primary.desiredCount)) return { deployments, messages: [] };
  return failPrimary(service, deployments, primary, {
    rollback: breaker.rollback,
    failedReason: rolloutReasons.failed,
    rollbackReason: rolloutReasons.rollback,
    failedMessage: serviceMessages.deploymentFailed(service.name, primary.id),
    now,
    seed,
  });
}

/** How a detection method (the circuit breaker, deployment alarms) fails the primary. */
export interface FailureHow {
  /** Roll back to the last COMPLETED deployment (or, shifting traffic, to the source). */
  rollback: boolean;
  /** The failed deployment's rolloutStateReason. */
  failedReason: string;
  /** The rollback deployment's rolloutStateReason, naming the deployment it returns to. */
  rollbackReason: (toDeploymentId: string) => string;
  /** The service event saying the deployment failed. */
  failedMessage: string;
  /** Marks the failed deployment with what failed it (the alarms that triggered). */
  mark?: (failed: DeploymentRecord) => DeploymentRecord;
  now: number;
  seed: string;
}

/**
 * Fails the IN_PROGRESS `primary` (ECS launches nothing more for a FAILED deployment) and, with
 * rollback, starts a new primary on the task definition of the last COMPLETED deployment; a
 * traffic-shifting deployment hands production back to its source, whose tasks still run
 * (strategy/traffic.ts). Without a COMPLETED deployment to return to, the deployment stalls.
 */
export function failPrimary(service: ServiceRecord, deployments: DeploymentRecord[], primary: DeploymentRecord, how: FailureHow): BreakerOutcome {
  const { now, seed } = how;
  const mark = how.mark ?? ((d: DeploymentRecord) => d);
  const others = deployments.filter((d) => d !== primary);

  // A traffic-shifting deployment rolls back by handing production back to its source, whose
  // tasks still run (strategy/traffic.ts), rather than by a new deployment.
  if (primary.shift && how.rollback && others.some((d) => d.id === primary.shift!.sourceDeploymentId)) {
    return {
      deployments: rollBackShift(deployments, how.failedReason, now).map((d) => (d.id === primary.id ? mark(d) : d)),
      messages: [how.failedMessage, serviceMessages.rollingBack(service.name, primary.shift.sourceDeploymentId)],
    };
  }
  const failed: DeploymentRecord = mark({ ...primary, rolloutState: "FAILED", rolloutStateReason: how.failedReason, updatedAtMs: now });
  const messages = [how.failedMessage];
  // ECS rolls back to the most recent COMPLETED deployment; without one the deployment stalls.
  const target = how.rollback ? lastCompleted(others) : undefined;
  if (!target) return { deployments: [failed, ...others], messages };

  const rollback: DeploymentRecord = {
    id: newDeploymentId(`${seed}:rollback`),
    status: "PRIMARY",
    taskDefinition: target.taskDefinition,
    desiredCount: primary.desiredCount,
    failedTasks: 0,
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: how.rollbackReason(target.id),
    createdAtMs: now,
    updatedAtMs: now,
    launchType: primary.launchType,
    // It runs the revision it returns to and carries the failed one's service deployment.
    serviceRevisionArn: target.serviceRevisionArn,
    rollbackOf: primary.id,
    ...(target.networkConfiguration && { networkConfiguration: target.networkConfiguration }),
    ...(target.loadBalancers && { loadBalancers: target.loadBalancers }),
  };
  messages.push(serviceMessages.rollingBack(service.name, target.id));
  // The failed deployment keeps its rolloutState FAILED and is drained like any old one.
  return { deployments: [rollback, { ...failed, status: "ACTIVE" }, ...others], messages };
}

/** The most recently created non-primary deployment whose rollout COMPLETED. */
export function lastCompleted(deployments: DeploymentRecord[]): DeploymentRecord | undefined {
  let best: DeploymentRecord | undefined;
  for (const d of deployments) {
    if (d.status === "ACTIVE" && d.rolloutState === "COMPLETED" && (!best || d.createdAtMs > best.createdAtMs)) best = d;
  }
  return best;
}

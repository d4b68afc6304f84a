import { maxServiceEvents, type ServiceEventRecord } from "@berth/shared";
import { eventId } from "./ids.js";

/**
 * ECS's service event messages and the stoppedReasons the service scheduler writes, in ECS's
 * wording, so scripts that grep `describe-services` output for them work against berth too.
 */
export const serviceMessages = {
  /** After the scheduler stops tasks; ECS says "running" whatever state they were in. */
  stoppedTasks: (service: string, taskIds: string[]) =>
    `(service ${service}) has stopped ${taskIds.length} running tasks: ${taskIds.map((id) => `(task ${id})`).join(" ")}.`,
  /** After the scheduler starts tasks (written by the apply step, which knows their ids). */
  startedTasks: (service: string, taskIds: string[]) =>
    `(service ${service}) has started ${taskIds.length} tasks: ${taskIds.map((id) => `(task ${id})`).join(" ")}.`,
  /** A task the scheduler is about to replace because a container health check failed. */
  taskUnhealthy: (service: string, taskId: string) => `(service ${service}) (task ${taskId}) failed container health checks.`,
  /** A task the scheduler is about to replace because its load balancer reports its target unhealthy. */
  taskElbUnhealthy: (service: string, taskId: string, port: number, targetGroupArn: string, reason: string) =>
    `(service ${service}) (task ${taskId}) (port ${port}) is unhealthy in (target-group ${targetGroupArn}) due to (reason ${reason}).`,
  deploymentCompleted: (service: string, deploymentId: string) => `(service ${service}) (deployment ${deploymentId}) deployment completed.`,
  deploymentFailed: (service: string, deploymentId: string) =>
    `(service ${service}) (deployment ${deploymentId}) deployment failed: tasks failed to start.`,
  rollingBack: (service: string, deploymentId: string) => `(service ${service}) rolling back to deployment ${deploymentId}.`,
  steadyState: (service: string) => `(service ${service}) has reached a steady state.`,
  /** A deployment that deploymentConfiguration.alarms failed (the breaker's message, with its cause). */
  deploymentFailedAlarms: (service: string, deploymentId: string) => `(service ${service}) (deployment ${deploymentId}) deployment failed: alarm detected.`,
  rebalancing: (service: string, zone: string, how: "start" | "stop") =>
    how === "start"
      ? `(service ${service}) is rebalancing tasks across Availability Zones: starting a task in ${zone}.`
      : `(service ${service}) is rebalancing tasks across Availability Zones: stopping a task in ${zone}.`,
} as const;

/** The rolloutStateReason ECS shows per rollout state. */
export const rolloutReasons = {
  inProgress: (deploymentId: string) => `ECS deployment ${deploymentId} in progress.`,
  completed: (deploymentId: string) => `ECS deployment ${deploymentId} completed.`,
  failed: "ECS deployment circuit breaker: tasks failed to start.",
  rollback: (toDeploymentId: string) => `ECS deployment circuit breaker: rolling back to deploymentId ${toDeploymentId}.`,
  // ECS documents no wording for alarm failures; these follow the breaker's, naming the alarms.
  alarmsFailed: (alarmNames: string[]) => `ECS deployment alarms: alarm(s) in ALARM state: ${alarmNames.join(", ")}.`,
  alarmsRollback: (toDeploymentId: string) => `ECS deployment alarms: rolling back to deploymentId ${toDeploymentId}.`,
} as const;

/** The stoppedReason of each kind of scheduler stop. */
export const stopReasons = {
  /** ECS's reason for every stop a deployment or a desired-count change causes. */
  scaling: (deploymentId: string) => `Scaling activity initiated by (deployment ${deploymentId})`,
  /** ECS's reason for a task replaced after its container health check failed. */
  unhealthy: "Task failed container health checks",
  /** ECS's reason for a task replaced because a target group reported its target unhealthy. */
  elbUnhealthy: (targetGroupArn: string) => `Task failed ELB health checks in (target-group ${targetGroupArn})`,
  // ECS documents no fixed wording for draining replacements; this names the cause plainly.
  /** A service task moved off an instance set to DRAINING. */
  draining: "Container instance is being drained",
  // A service with no deployment left to name (a malformed record being deleted).
  /** Stops while the service is deleted and no deployment id is at hand. */
  deleted: "Service is being deleted",
} as const;

/**
 * `messages` (oldest first, as the plan produced them) on top of `events`, newest first and
 * capped at {@link maxServiceEvents}. Ids come from the round's seed so the plan stays pure.
 */
export function prependEvents(events: ServiceEventRecord[], messages: string[], seed: string, now: number): ServiceEventRecord[] {
  if (messages.length === 0) return events;
  const fresh = messages.map((message, i) => ({ id: eventId(seed, i), createdAtMs: now, message })).reverse();
  return [...fresh, ...events].slice(0, maxServiceEvents);
}

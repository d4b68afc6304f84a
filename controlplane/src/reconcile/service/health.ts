import { taskHealthStatus, type TaskRecord } from "@berth/shared";

/**
 * Task health as the service scheduler judges it. Containers without a health check carry no
 * `healthStatus` (the agent sends none), so "every checked container HEALTHY" is "none UNHEALTHY,
 * none UNKNOWN, at least one HEALTHY" — ECS's task-level HEALTHY for health-checked tasks.
 */

/** What the planner needs to judge a task's health. */
export interface HealthContext {
  /** Task definition ARNs whose containers define a health check. */
  healthChecked: ReadonlySet<string>;
  now: number;
  /** healthCheckGracePeriodSeconds in ms (0 when unset). */
  graceMs: number;
}

/** True when some container reports UNHEALTHY. */
export function reportsUnhealthy(t: TaskRecord): boolean {
  return t.containers.some((c) => c.healthStatus === "UNHEALTHY");
}

/**
 * True when an UNHEALTHY report should be acted on. ECS ignores container health checks for
 * healthCheckGracePeriodSeconds after a task starts, so slow starters are not killed in a loop.
 */
export function isUnhealthy(t: TaskRecord, h: HealthContext): boolean {
  if (!reportsUnhealthy(t)) return false;
  if (h.graceMs <= 0) return true;
  const since = t.startedAtMs ?? t.createdAtMs;
  return h.now - since >= h.graceMs;
}

/**
 * True when a live task counts toward the healthy count: RUNNING, and for a health-checked task
 * definition every checked container HEALTHY. Without health checks RUNNING is healthy, as ECS
 * treats tasks of services with no load balancer and no container health check.
 */
export function isHealthy(t: TaskRecord, h: HealthContext): boolean {
  if (t.lastStatus !== "RUNNING" || reportsUnhealthy(t)) return false;
  if (!h.healthChecked.has(t.taskDefinitionArn)) return true;
  return taskHealthStatus(t) === "HEALTHY";
}

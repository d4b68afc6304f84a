import { taskHealthStatus, type TaskRecord } from "@berth/shared";
import type { TaskElbHealth } from "../../core/index.js";

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
  /**
   * For a service with loadBalancers, each live task's health in its target groups (by task id);
   * absent for a service without, whose tasks are judged without ELB.
   */
  elb?: Readonly<Record<string, TaskElbHealth>>;
}

/** The ELB failure to act on: the task's target is unhealthy in a group and the grace period is over. */
export type ElbFailure = Extract<TaskElbHealth, { state: "unhealthy" }>;

/** True once the grace period since the task started (or was created) is over. */
function pastGrace(t: TaskRecord, h: HealthContext): boolean {
  if (h.graceMs <= 0) return true;
  const since = t.startedAtMs ?? t.createdAtMs;
  return h.now - since >= h.graceMs;
}

/**
 * The target group failure to replace the task for: ELB reports its target unhealthy and
 * healthCheckGracePeriodSeconds since its start is over (ECS ignores ELB health until then).
 */
export function elbFailureOf(t: TaskRecord, h: HealthContext): ElbFailure | undefined {
  const seen = h.elb?.[t.id];
  return seen?.state === "unhealthy" && t.lastStatus === "RUNNING" && pastGrace(t, h) ? seen : undefined;
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
  if (elbFailureOf(t, h)) return true;
  return reportsUnhealthy(t) && pastGrace(t, h);
}

/**
 * True when a live task counts toward the healthy count: RUNNING, and for a health-checked task
 * definition every checked container HEALTHY, and for a service with loadBalancers healthy in
 * every target group (ECS counts a task toward minimumHealthyPercent and the steady state only
 * then). Without health checks RUNNING is healthy, as ECS treats tasks of services with no load
 * balancer and no container health check.
 */
export function isHealthy(t: TaskRecord, h: HealthContext): boolean {
  if (t.lastStatus !== "RUNNING" || reportsUnhealthy(t)) return false;
  if (h.elb && h.elb[t.id]?.state !== "healthy") return false;
  if (!h.healthChecked.has(t.taskDefinitionArn)) return true;
  return taskHealthStatus(t) === "HEALTHY";
}

import type { DeploymentRecord, TaskRecord } from "@berth/shared";
import { elbFailureOf, isHealthy, isUnhealthy, reportsUnhealthy, type ElbFailure, type HealthContext } from "./health.js";

/** The bucket a service task falls in; the plan acts per bucket. */
export type TaskBucket = "stopped" | "stopping" | "unhealthy" | "draining" | "orphaned" | "old" | "healthy" | "pending";

/** One task with its bucket and whether it counts toward the healthy count. */
export interface ClassifiedTask {
  task: TaskRecord;
  bucket: TaskBucket;
  /** Counts toward minimumHealthyPercent (RUNNING and, if health-checked, HEALTHY). */
  healthy: boolean;
  /** An unhealthy task's cause when it is its target group's report, not a container's check. */
  elbFailure?: ElbFailure;
}

/** When a task started, or was created if it has not started: what stop orders compare. */
export const startedAtOf = (c: ClassifiedTask): number => c.task.startedAtMs ?? c.task.createdAtMs;

/**
 * Newest-started first, ties by task id so the order is the same every round: the order tasks
 * are stopped in (a task that has run longest has proven itself, so the newest go first).
 */
export const newestFirst = (a: ClassifiedTask, b: ClassifiedTask): number =>
  startedAtOf(b) - startedAtOf(a) || (a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0);

/** What the rules look at besides the task. */
export interface ClassifyContext {
  health: HealthContext;
  /** The deployments as this round sees them (after any rollback). */
  deployments: ReadonlyMap<string, DeploymentRecord>;
  primaryId: string | undefined;
  drainingInstances: ReadonlySet<string>;
}

interface ClassifyRule {
  bucket: TaskBucket;
  matches(t: TaskRecord, c: ClassifyContext): boolean;
}

/**
 * The rules, in order; the first that matches names the bucket (nomad's filterByTainted and
 * friends, as one table). Order matters: a task that is both unhealthy and old is unhealthy,
 * because that is the reason it goes now rather than when the rollout gets to it.
 */
const rules: ClassifyRule[] = [
  // Already gone: only the circuit breaker still looks at it, to count start failures.
  { bucket: "stopped", matches: (t) => t.lastStatus === "STOPPED" },
  // Told to stop, not yet stopped: neither running nor pending, but its reservation and its
  // place under maximumPercent are held until it really stops, so it is never stopped twice.
  { bucket: "stopping", matches: (t) => t.desiredStatus === "STOPPED" },
  // A container health check failed (past the grace period): it does not count as healthy,
  // so stopping it never costs minimumHealthyPercent; it is replaced like any missing task.
  { bucket: "unhealthy", matches: (t, c) => isUnhealthy(t, c.health) },
  // On a DRAINING instance, whatever its deployment: replaced elsewhere, then stopped while
  // minimumHealthyPercent allows (pending ones at once, as ECS's draining docs say).
  { bucket: "draining", matches: (t, c) => c.drainingInstances.has(t.containerInstanceId) },
  // Started by a deployment the service no longer lists (INACTIVE or unknown): oldest of all.
  {
    bucket: "orphaned",
    matches: (t, c) => {
      const d = t.startedBy === undefined ? undefined : c.deployments.get(t.startedBy);
      return d === undefined || d.status === "INACTIVE";
    },
  },
  // Started by a still-listed, non-primary deployment: drained as the primary comes up.
  { bucket: "old", matches: (t, c) => t.startedBy !== c.primaryId },
  // The primary's tasks that count: RUNNING and, if checked, HEALTHY.
  { bucket: "healthy", matches: (t, c) => isHealthy(t, c.health) },
  // The primary's other live tasks: provisioning, pending, or RUNNING with health still UNKNOWN.
  { bucket: "pending", matches: () => true },
];

/** Classifies each task by the first rule it matches. */
export function classifyTasks(tasks: TaskRecord[], c: ClassifyContext): ClassifiedTask[] {
  return tasks.map((task) => {
    const bucket = rules.find((r) => r.matches(task, c))!.bucket;
    const live = bucket !== "stopped" && bucket !== "stopping";
    // A failed container check names the cause first, as ECS's event does; ELB's otherwise.
    const elbFailure = bucket === "unhealthy" && !reportsUnhealthy(task) ? elbFailureOf(task, c.health) : undefined;
    return { task, bucket, healthy: live && bucket !== "unhealthy" && isHealthy(task, c.health), ...(elbFailure && { elbFailure }) };
  });
}

/** Classified tasks grouped by bucket, each list in input order. */
export function byBucket(classified: ClassifiedTask[]): Record<TaskBucket, ClassifiedTask[]> {
  const out: Record<TaskBucket, ClassifiedTask[]> = {
    stopped: [],
    stopping: [],
    unhealthy: [],
    draining: [],
    orphaned: [],
    old: [],
    healthy: [],
    pending: [],
  };
  for (const c of classified) out[c.bucket].push(c);
  return out;
}

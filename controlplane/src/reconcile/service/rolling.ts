import { protectionHolds } from "@berth/shared";
import type { DeploymentBounds } from "./bounds.js";
import { byBucket, newestFirst, type ClassifiedTask, type TaskBucket } from "./classify.js";
import { stopReasons } from "./events.js";
import type { StopRequest } from "./types.js";
import { balancedStopOrder } from "./zones.js";

/** What the rolling step needs beyond the classified tasks. */
export interface RollingInput {
  classified: ClassifiedTask[];
  bounds: DeploymentBounds;
  /** The PRIMARY deployment's id, named in scaling stop reasons; undefined if there is none. */
  primaryId: string | undefined;
  /** False when nothing may start: the service is being deleted, or its primary FAILED. */
  canStart: boolean;
  /** True when old deployments' healthy tasks are kept: the primary FAILED without rollback. */
  holdOld: boolean;
  /** True while the service is DRAINING (being deleted): every live task goes. */
  deleting: boolean;
  /** The round's clock, against which task scale-in protection is judged. */
  now: number;
}

/** A stop with the bucket it came from, for events and tests. */
export interface PlannedStop extends StopRequest {
  bucket: TaskBucket;
}

/** How many primary tasks to start and which tasks to stop, in stop order. */
export interface RollingResult {
  start: number;
  stops: PlannedStop[];
}

const live = (c: ClassifiedTask) => c.bucket !== "stopped" && c.bucket !== "stopping";

/** Why an unhealthy task is stopped: its target group's failure, else its container's. */
export const unhealthyReason = (c: ClassifiedTask): string => (c.elbFailure ? stopReasons.elbUnhealthy(c.elbFailure.targetGroupArn) : stopReasons.unhealthy);


/**
 * One round of ECS's rolling update. Starts primary tasks up to
 * min(desired − primary tasks that stay, maxTotal − every task not yet stopped); stops
 * unhealthy tasks and leavers that never ran outright (they do not count as healthy), running
 * leavers whose health is still unknown once minHealthy is met without them, and healthy
 * leavers only while the healthy count stays at or above minHealthy. Stopping tasks keep
 * their place under maxTotal until they are STOPPED, so starts wait for them. Tasks whose
 * scale-in protection holds at `now` are neither leavers nor extras.
 */
export function planRolling(input: RollingInput): RollingResult {
  const { classified, bounds, primaryId } = input;
  const scaling = primaryId ? stopReasons.scaling(primaryId) : stopReasons.deleted;
  const stops: PlannedStop[] = [];
  // Scale-in and deployment stops (the scaling reason outside deletion) are the ones protection
  // prevents; apply re-checks it when it writes them.
  const stop = (c: ClassifiedTask, reason: string) =>
    stops.push({ taskId: c.task.id, reason, code: "ServiceSchedulerInitiated", bucket: c.bucket, spareProtected: !input.deleting && reason === scaling });

  if (input.deleting) {
    for (const c of classified.filter(live).sort(newestFirst)) stop(c, scaling);
    return { start: 0, stops };
  }

  const b = byBucket(classified);
  // Task scale-in protection shields a task from the two kinds of stop ECS names: scale-in and
  // deployments. Health-check failures, draining and deletion stop it as any other.
  const guarded = (c: ClassifiedTask) => protectionHolds(c.task, input.now);
  const unguarded = (c: ClassifiedTask) => !guarded(c);
  const occupied = classified.filter((c) => c.bucket !== "stopped").length;
  let healthy = classified.filter((c) => c.healthy).length;
  const reasonOf = (c: ClassifiedTask) =>
    c.bucket === "unhealthy" ? unhealthyReason(c) : c.bucket === "draining" ? stopReasons.draining : scaling;

  // Leavers: tasks that must go once the rollout allows. Draining ones first, since an operator
  // is waiting on the instance; then tasks of deployments no longer listed; then old ones.
  // Protected old tasks stay, so the deployment waits for them (ECS: it does not complete until
  // their protection is removed or expires).
  const leavers = [b.draining, ...(input.holdOld ? [] : [b.orphaned.filter(unguarded), b.old.filter(unguarded)])].flatMap((xs) => [...xs].sort(newestFirst));
  // The primary's tasks beyond desired (a scale-in): unprotected ones first, from the fullest
  // Availability Zone each time so the service stays balanced across zones as ECS keeps it
  // (within a zone pending ones, then newest-started), protected ones last and never stopped:
  // when only protected tasks are left above desired, the service runs more than desired until
  // their protection ends.
  const primaryTasks = [...b.pending, ...b.healthy];
  const keepers = [...balancedStopOrder(primaryTasks.filter(unguarded), primaryTasks), ...[...primaryTasks.filter(guarded)].sort(newestFirst)];
  const extras = keepers.slice(0, Math.max(0, keepers.length - bounds.desired)).filter(unguarded);

  // Unhealthy tasks, leavers that never ran and extras not yet healthy cost no healthy count:
  // stop them now.
  const running = (c: ClassifiedTask) => c.task.lastStatus === "RUNNING";
  for (const c of [...b.unhealthy].sort(newestFirst)) stop(c, reasonOf(c));
  for (const c of [...leavers.filter((x) => !running(x)), ...extras]) if (!c.healthy) stop(c, reasonOf(c));
  // A leaver that runs but has not passed its first health check yet may be what keeps the
  // service up (a deployment started right after the last one): it goes only once the healthy
  // count is met without it, so a quick second deployment never empties the service.
  for (const c of leavers) if (!c.healthy && running(c) && healthy >= bounds.minHealthy) stop(c, reasonOf(c));
  // Healthy leavers, then healthy extras, each only while minHealthy still holds after it.
  for (const c of [...leavers, ...extras]) {
    if (!c.healthy || healthy - 1 < bounds.minHealthy) continue;
    stop(c, reasonOf(c));
    healthy--;
  }

  const missing = bounds.desired - keepers.length;
  const room = bounds.maxTotal - occupied;
  const start = input.canStart ? Math.max(0, Math.min(missing, room)) : 0;
  return { start, stops };
}

import { groupBy } from "@berth/shared";
import { eligibleInstances } from "../../scheduler/index.js";
import { startedAtOf, type ClassifiedTask } from "./classify.js";
import { stopReasons } from "./events.js";
import { unhealthyReason, type PlannedStop, type RollingResult } from "./rolling.js";
import type { DaemonContext } from "./types.js";

/**
 * The DAEMON scheduler's decisions, pure: one task of the PRIMARY deployment on every ACTIVE
 * instance that meets the placement constraints, placed on that instance and nowhere else.
 * plan.ts calls it in place of the rolling step (see README.md); deployments, the circuit
 * breaker, settling and events are the replica path's, with the desired count set to the
 * number of eligible instances.
 */

/** The instances a daemon service should run on. */
export interface DaemonView {
  /** ACTIVE instances satisfying every memberOf constraint, by id. */
  eligible: ReadonlySet<string>;
}

/**
 * Which instances take a daemon task (the scheduler's {@link eligibleInstances}). Constraints
 * are checked when written; one that still fails to parse throws, which fails this service's
 * round (the loop logs it) rather than reading as "no instance qualifies" and stopping every
 * task of the service.
 */
export function daemonView(context: DaemonContext, group: string): DaemonView {
  return { eligible: new Set(eligibleInstances(context.instances, context.constraints, group).map((i) => i.id)) };
}

/** What the daemon step needs beyond the classified tasks. */
export interface DaemonInput {
  classified: ClassifiedTask[];
  context: DaemonContext;
  view: DaemonView;
  /** Healthy tasks on eligible instances the plan's own stops must leave (ceil(N × min / 100)). */
  minHealthy: number;
  /** The PRIMARY deployment's id, named in scaling stop reasons. */
  primaryId: string | undefined;
  /** False when nothing may start: the primary FAILED, or there is none. */
  canStart: boolean;
  /** True when old deployments' tasks are kept: the primary FAILED without rollback. */
  holdOld: boolean;
}

/** The rolling step's result, plus the instances each started task goes to (one each). */
export interface DaemonResult extends RollingResult {
  startOn: string[];
}

const live = (c: ClassifiedTask) => c.bucket !== "stopped" && c.bucket !== "stopping";
const running = (c: ClassifiedTask) => c.task.lastStatus === "RUNNING";
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One round of the daemon scheduler, per instance:
 * - not eligible: a DRAINING instance's daemon task goes last (ECS drains daemon tasks after
 *   the instance's other tasks): pending ones at once, running ones once nothing else runs
 *   there; on an ACTIVE instance the constraints no longer admit, or one that is gone, it goes
 *   at once;
 * - eligible: unhealthy tasks and duplicates of the primary go at once; tasks of older
 *   deployments go host by host (instance id order), a healthy one only while the healthy count
 *   over eligible instances stays at or above minHealthy, which is ECS's daemon rollout (stop
 *   the old task, then start the new one);
 * - a start only on an eligible instance whose agent is connected and that holds no task of
 *   the service that has not STOPPED, so the new task never races the old one for ports or
 *   memory, and a lost instance's tasks are never replaced elsewhere.
 */
export function planDaemon(input: DaemonInput): DaemonResult {
  const { classified, context, view, primaryId } = input;
  const scaling = primaryId ? stopReasons.scaling(primaryId) : stopReasons.deleted;
  const stops: PlannedStop[] = [];
  // Scale-in protection is for replica services (ECS documents it for service scale-in and
  // rolling deployments); a daemon task goes with its host or its revision.
  const stop = (c: ClassifiedTask, reason: string) => stops.push({ taskId: c.task.id, reason, code: "ServiceSchedulerInitiated", bucket: c.bucket, spareProtected: false });
  const instances = new Map(context.instances.map((i) => [i.id, i]));
  const present = groupBy(
    classified.filter((c) => c.bucket !== "stopped"),
    (c) => c.task.containerInstanceId,
  );
  const hosts = [...present.keys()].sort(byId);
  let healthy = classified.filter((c) => c.healthy && view.eligible.has(c.task.containerInstanceId)).length;
  const leaversByHost = new Map<string, ClassifiedTask[]>();

  for (const host of hosts) {
    // Oldest-started first, ids breaking ties: the plan must not depend on the store's order.
    const tasks = present.get(host)!.filter(live).sort((a, b) => startedAtOf(a) - startedAtOf(b) || byId(a.task.id, b.task.id));
    if (!view.eligible.has(host)) {
      if (instances.get(host)?.status === "DRAINING") {
        const othersLeft = (context.otherTasks[host] ?? 0) > 0;
        for (const c of tasks) if (!running(c) || !othersLeft) stop(c, stopReasons.draining);
      } else {
        for (const c of tasks) stop(c, scaling);
      }
      continue;
    }
    for (const c of tasks) if (c.bucket === "unhealthy") stop(c, unhealthyReason(c));
    // One primary task per instance: the healthy, longest-running one stays.
    const primary = tasks
      .filter((c) => c.bucket === "healthy" || c.bucket === "pending")
      .sort((a, b) => Number(b.healthy) - Number(a.healthy) || startedAtOf(a) - startedAtOf(b) || byId(a.task.id, b.task.id));
    for (const c of primary.slice(1)) {
      stop(c, scaling);
      if (c.healthy) healthy--;
    }
    if (input.holdOld) continue;
    const leavers = tasks.filter((c) => c.bucket === "old" || c.bucket === "orphaned");
    // Leavers that never ran cost nothing; running ones with health still unknown go once the
    // healthy count is met without them (as in the rolling step).
    for (const c of leavers) if (!running(c) || (!c.healthy && healthy >= input.minHealthy)) stop(c, scaling);
    leaversByHost.set(host, leavers.filter((c) => c.healthy));
  }
  // Healthy leavers host by host, each only while minHealthy still holds after it.
  for (const host of hosts) {
    for (const c of leaversByHost.get(host) ?? []) {
      if (healthy - 1 < input.minHealthy) break;
      stop(c, scaling);
      healthy--;
    }
  }

  const startOn = input.canStart
    ? [...view.eligible].sort(byId).filter((id) => instances.get(id)?.agentConnected === true && !present.has(id))
    : [];
  return { start: startOn.length, stops, startOn };
}

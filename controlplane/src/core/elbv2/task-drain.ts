import type { TaskDrainRecord, TaskRecord } from "@berth/shared";
import { drainDelayMs } from "./target-group-rules.js";
import type { TargetGroupRecord } from "./types.js";

/**
 * Connection draining before a stop, ECS's DEACTIVATING: a stop of a task registered in target
 * groups first holds the stop back (the task's `drain` gate), the leader deregisters its
 * targets, and only when every one of them has drained for its group's
 * `deregistration_delay.timeout_seconds` is the gate lifted and the agent told to stop. These
 * are the two pure decisions; the gate is set by core's stopTask and lifted by
 * releaseDrainedTasks.
 */

/**
 * How long past the longest delay a gate may hold at most: room for the load balancer loop to
 * deregister the targets (it runs every pass) before their delay even starts. A gate never
 * outlives it, so a data plane that is down delays a stop, never blocks it.
 */
export const drainSlackMs = 30_000;

/** The groups in which `task` has a target still registered or still draining at `now`. */
function groupsHolding(task: Pick<TaskRecord, "arn">, groups: TargetGroupRecord[], now: number): TargetGroupRecord[] {
  return groups.filter((tg) =>
    tg.targets.some((t) => t.taskArn === task.arn && (t.drainingSinceMs === undefined || now < t.drainingSinceMs + drainDelayMs(tg))),
  );
}

/**
 * The gate a stop of `task` at `now` sets, or undefined when the stop goes to the agent at once:
 * only a RUNNING task with a target registered (or draining) in some group is held, until its
 * targets have drained, at most the longest of those groups' delays plus {@link drainSlackMs}.
 * A group with a delay of 0 holds nothing. Pure.
 */
export function planStopDrain(task: Pick<TaskRecord, "arn" | "lastStatus">, groups: TargetGroupRecord[], now: number): TaskDrainRecord | undefined {
  if (task.lastStatus !== "RUNNING") return undefined;
  const holding = groupsHolding(task, groups, now).filter((tg) => drainDelayMs(tg) > 0);
  if (holding.length === 0) return undefined;
  const longest = Math.max(...holding.map(drainDelayMs));
  return { sinceMs: now, targetGroupArns: holding.map((tg) => tg.arn), untilMs: now + longest + drainSlackMs };
}

/** Whether a held stop is let through now, and why (for the log and the tests). */
export type DrainVerdict = { release: false } | { release: true; why: "drained" | "deadline" | "stopped" };

/**
 * Whether the gate on `task` lifts at `now`, first rule that applies: a task that stopped anyway
 * (an essential container exited, its instance was lost) needs no gate; past `untilMs` the stop
 * goes regardless; while any of its named groups still has a target of the task registered (not
 * yet deregistered) or draining within its delay, it holds; otherwise its targets have drained
 * (or their groups are gone) and it lifts. Pure.
 */
export function drainVerdict(task: Pick<TaskRecord, "arn" | "lastStatus" | "drain">, groups: TargetGroupRecord[], now: number): DrainVerdict {
  if (!task.drain) return { release: true, why: "drained" };
  if (task.lastStatus === "STOPPED") return { release: true, why: "stopped" };
  if (now >= task.drain.untilMs) return { release: true, why: "deadline" };
  const named = groups.filter((tg) => task.drain!.targetGroupArns.includes(tg.arn));
  return groupsHolding(task, named, now).length > 0 ? { release: false } : { release: true, why: "drained" };
}

/** The group's targets with those of `taskArn` that are not yet draining starting to drain at `now`. Pure. */
export function drainTaskTargets(tg: TargetGroupRecord, taskArn: string, now: number): TargetGroupRecord["targets"] {
  return tg.targets.map((t) => (t.taskArn === taskArn && t.drainingSinceMs === undefined ? { ...t, drainingSinceMs: now } : t));
}

import { containerStatuses, essentialContainerExitedReason, statusRank, type ContainerStatus } from "@berth/shared";
import type { ManagedContainer, ManagedTask } from "./model.js";

/** The reason ECS gives a task stopped because an essential container stopped. */
export const essentialExitedReason = essentialContainerExitedReason;

/**
 * A task's known status from its containers: the lowest known status among them (so STOPPED
 * only once all are), never below what the task already reached.
 */
export function taskStatusFromContainers(
  containers: readonly Pick<ManagedContainer, "knownStatus">[],
  previous: ContainerStatus = "NONE",
): ContainerStatus {
  if (containers.length === 0) return previous;
  const lowest = Math.min(...containers.map((c) => statusRank(c.knownStatus)));
  return containerStatuses[Math.max(lowest, statusRank(previous))];
}

/**
 * The essential rule: once an essential container has stopped while the task should run, the
 * whole task is to stop. Returns the task's stop reason then (the container's own failure
 * reason when it never ran, as ECS shows `CannotPullContainerError: ...` on the task), else
 * undefined.
 */
export function essentialStopReason(
  task: Pick<ManagedTask, "desiredStatus">,
  containers: readonly Pick<ManagedContainer, "essential" | "knownStatus" | "reason" | "startedAtMs" | "name">[],
): string | undefined {
  if (task.desiredStatus === "STOPPED") return undefined;
  const stopped = containers.find((c) => c.essential && c.knownStatus === "STOPPED");
  if (!stopped) return undefined;
  if (stopped.startedAtMs === undefined && stopped.reason) return stopped.reason;
  return essentialExitedReason;
}

/**
 * Sets the task's and every container's desired status to STOPPED (forward only) and keeps
 * the first reason given. Returns whether anything changed.
 */
export function stopTask(task: ManagedTask, reason: string | undefined): boolean {
  let changed = false;
  if (task.desiredStatus !== "STOPPED") {
    task.desiredStatus = "STOPPED";
    changed = true;
  }
  if (reason && !task.reason) {
    task.reason = reason;
    changed = true;
  }
  for (const c of task.containers) {
    if (c.desiredStatus !== "STOPPED") {
      c.desiredStatus = "STOPPED";
      changed = true;
    }
  }
  return changed;
}

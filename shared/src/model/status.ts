import type { TaskStatus } from "./records.js";

/**
 * The agent's container (and task) known statuses, in the order they only move forward. A task's
 * known status is the lowest of its containers' (the ECS agent's rule).
 */
export const containerStatuses = ["NONE", "PULLED", "CREATED", "RUNNING", "STOPPED"] as const;
export type ContainerStatus = (typeof containerStatuses)[number];

/** Position of a status in the forward order, for comparisons. */
export const statusRank = (s: ContainerStatus): number => containerStatuses.indexOf(s);

export function isContainerStatus(s: string): s is ContainerStatus {
  return (containerStatuses as readonly string[]).includes(s);
}

/**
 * What ECS shows for a task whose agent-known status is `known` and desired status is `desired`:
 * PENDING until every container runs, STOPPING while a running task is being stopped.
 */
export function visibleTaskStatus(known: ContainerStatus, desired: "RUNNING" | "STOPPED"): TaskStatus {
  if (known === "STOPPED") return "STOPPED";
  if (desired === "STOPPED" && known !== "NONE") return "STOPPING";
  if (known === "RUNNING") return "RUNNING";
  return "PENDING";
}

/**
 * ECS's stoppedReason for a task stopped because an essential container that ran exited
 * (stopCode EssentialContainerExited). The agent reports it; the control plane falls back to it.
 */
export const essentialContainerExitedReason = "Essential container in task exited";

import type { TaskRecord } from "./records.js";

/**
 * Whether a task's scale-in protection holds at `now`: set and not yet expired. The service
 * planner and GetTaskProtection both ask this one question, so an expired protection reads as
 * off everywhere at the same instant, without a write clearing it.
 */
export function protectionHolds(task: Pick<TaskRecord, "protection">, now: number): boolean {
  return task.protection !== undefined && now < task.protection.expiresAtMs;
}

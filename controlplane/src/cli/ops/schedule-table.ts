import type { ScheduleRow } from "../../core/index.js";

/** One row of `berth schedules` as printed. */
export interface ScheduleLine {
  kind: string;
  name: string;
  cluster: string;
  taskDefinition: string;
  expression: string;
  state: string;
  next: string;
  last: string;
}

/** `2026-03-07T10:00:00.000Z` -> `2026-03-07 10:00:00Z`; compact and sortable. */
const stamp = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z");

/** The family:revision of a task definition ARN (or the reference as given). */
const shortDefinition = (ref: string) => ref.replace(/^arn:[^:]+:ecs:[^:]*:[^:]*:task-definition\//, "");

/**
 * The printed lines: next runs in UTC, the expression with its zone when not UTC, the last run
 * as its time and task count or its error, and the last failure when a later run succeeded.
 */
export function scheduleLines(rows: ScheduleRow[]): ScheduleLine[] {
  return rows.map((r) => {
    const last = r.lastRun
      ? r.lastRun.error
        ? `${stamp(r.lastRun.scheduledMs)} FAILED: ${r.lastRun.error}`
        : `${stamp(r.lastRun.scheduledMs)} ${r.lastRun.taskArns.length} task(s)`
      : "-";
    const earlier = r.lastError && r.lastError !== r.lastRun && r.lastError.scheduledMs !== r.lastRun?.scheduledMs ? `; last failure ${stamp(r.lastError.scheduledMs)}: ${r.lastError.error}` : "";
    return {
      kind: r.kind,
      name: r.name,
      cluster: r.cluster,
      taskDefinition: shortDefinition(r.taskDefinition),
      expression: r.timezone === "UTC" ? r.expression : `${r.expression} ${r.timezone}`,
      state: r.state,
      next: r.next.length > 0 ? r.next.map(stamp).join("\n") : "-",
      last: last + earlier,
    };
  });
}

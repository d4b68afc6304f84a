import { describe, expect, it } from "vitest";
import type { ScheduleRow } from "../../core/index.js";
import { scheduleLines } from "./schedule-table.js";

const T = (s: string) => Date.parse(`2026-03-07T${s}Z`);
const row = (more: Partial<ScheduleRow>): ScheduleRow => ({
  kind: "schedule",
  name: "default/nightly",
  cluster: "prod",
  taskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/report:3",
  expression: "cron(0 2 * * ? *)",
  timezone: "UTC",
  state: "ENABLED",
  next: [T("02:00:00"), T("02:00:00") + 86_400_000],
  ...more,
});

describe("scheduleLines", () => {
  it.each<[string, ScheduleRow, Partial<ReturnType<typeof scheduleLines>[number]>]>([
    // never ran: next runs one per line, family:revision, no zone shown for UTC
    ["never ran", row({}), { taskDefinition: "report:3", expression: "cron(0 2 * * ? *)", next: "2026-03-07 02:00:00Z\n2026-03-08 02:00:00Z", last: "-" }],
    // a zone other than UTC is shown beside the expression
    ["zoned", row({ timezone: "Europe/Berlin" }), { expression: "cron(0 2 * * ? *) Europe/Berlin" }],
    // the last run succeeded
    ["ran", row({ lastRun: { scheduledMs: T("01:00:00"), firedAtMs: T("01:00:01"), taskArns: ["a", "b"] } }), { last: "2026-03-07 01:00:00Z 2 task(s)" }],
    // the last run failed: its reason
    ["failed", row({ lastRun: { scheduledMs: T("01:00:00"), firedAtMs: T("01:00:01"), taskArns: [], error: "no capacity" }, lastError: { scheduledMs: T("01:00:00"), firedAtMs: T("01:00:01"), taskArns: [], error: "no capacity" } }), { last: "2026-03-07 01:00:00Z FAILED: no capacity" }],
    // an earlier failure stays visible after a later success
    [
      "recovered",
      row({ lastRun: { scheduledMs: T("01:00:00"), firedAtMs: T("01:00:01"), taskArns: ["a"] }, lastError: { scheduledMs: T("00:00:00"), firedAtMs: T("00:00:01"), taskArns: [], error: "cluster gone" } }),
      { last: "2026-03-07 01:00:00Z 1 task(s); last failure 2026-03-07 00:00:00Z: cluster gone" },
    ],
    // disabled or finished: no next runs
    ["disabled", row({ state: "DISABLED", next: [] }), { state: "DISABLED", next: "-" }],
  ])("%s", (_name, r, want) => {
    expect(scheduleLines([r])[0]).toMatchObject(want);
  });
});

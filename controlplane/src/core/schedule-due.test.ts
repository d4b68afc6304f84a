import { describe, expect, it } from "vitest";
import { flexOffsetMs, planDue, type DueInput } from "./schedule-due.js";
import { parseScheduleExpression } from "./schedule-expression.js";

const T = (s: string) => Date.parse(`2026-03-07T${s}Z`);
const min = 60_000;
const day = 86_400_000;

/** A schedule's decision input with defaults: enabled, no window, a day's maximum age. */
function input(expr: string, handled: string, now: string, more: Partial<DueInput> = {}): DueInput {
  return {
    expression: parseScheduleExpression(expr),
    handledThroughMs: T(handled),
    anchorMs: T(handled),
    enabled: true,
    flexibleWindowMs: 0,
    maxAgeMs: day,
    seed: "arn:aws:scheduler:us-east-1:000000000000:schedule/default/s",
    nowMs: T(now),
    ...more,
  };
}

interface Want {
  fire: string[];
  skipped?: number;
  handled: string;
  next?: string;
  completed?: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(11, 19);

describe("planDue", () => {
  it.each<[string, DueInput, Want]>([
    // nothing due yet: the next minute is ahead
    ["cron not yet due", input("cron(* * * * ? *)", "10:00:30", "10:00:59"), { fire: [], handled: "10:00:30", next: "10:01:00" }],
    // the minute came: it fires and becomes handled
    ["cron due", input("cron(* * * * ? *)", "10:00:30", "10:01:00"), { fire: ["10:01:00"], handled: "10:01:00", next: "10:02:00" }],
    // already handled (a second leader, or the round after): nothing fires again
    ["handled already", input("cron(* * * * ? *)", "10:01:00", "10:01:20"), { fire: [], handled: "10:01:00", next: "10:02:00" }],
    // a leader outage of three minutes: each missed time fires once, oldest first
    ["catch-up", input("cron(* * * * ? *)", "10:00:00", "10:03:10"), { fire: ["10:01:00", "10:02:00", "10:03:00"], handled: "10:03:00", next: "10:04:00" }],
    // times older than the maximum age are passed over, the recent one fires
    ["too old", input("rate(1 hour)", "00:00:00", "03:30:00", { maxAgeMs: 60 * min }), { fire: ["03:00:00"], skipped: 1, handled: "03:00:00", next: "04:00:00" }],
    // at() ahead: waits; its time comes: fires; afterwards it is complete
    ["at ahead", input("at(2026-03-07T10:00:05)", "10:00:00", "10:00:04"), { fire: [], handled: "10:00:00", next: "10:00:05" }],
    ["at due", input("at(2026-03-07T10:00:05)", "10:00:00", "10:00:05"), { fire: ["10:00:05"], handled: "10:00:05", completed: true }],
    ["at done", input("at(2026-03-07T10:00:05)", "10:00:05", "10:00:30"), { fire: [], handled: "10:00:05", completed: true }],
    // an at() in the past when created never fires
    ["at before creation", input("at(2026-03-07T09:00:00)", "10:00:00", "10:00:30"), { fire: [], handled: "10:00:00", completed: true }],
    // the start date holds times back
    ["before start", input("rate(5 minutes)", "10:00:00", "10:12:00", { startDateMs: T("10:20:00") }), { fire: [], handled: "10:00:00", next: "10:20:00" }],
    // the end date stops it, and it is complete
    ["after end", input("rate(5 minutes)", "10:05:00", "10:12:00", { endDateMs: T("10:08:00") }), { fire: [], handled: "10:05:00", completed: true }],
    // disabled: due times pass by unfired and are handled
    ["disabled", input("cron(* * * * ? *)", "10:00:00", "10:03:10", { enabled: false }), { fire: [], handled: "10:03:10", next: "10:04:00" }],
    // a weekly schedule days after its last time: nothing due, the mark stays (no write every round)
    ["weekly between times", input("cron(0 10 ? * SAT *)", "10:00:00", "10:00:00", { nowMs: T("10:05:00") + 3 * day }), { fire: [], handled: "10:00:00", next: "10:00:00" }],
    // at most maxFires per round; the rest wait for the next
    ["bounded", input("cron(* * * * ? *)", "10:00:00", "10:05:30"), { fire: ["10:01:00", "10:02:00"], handled: "10:02:00", next: "10:03:00" }],
  ])("%s", (_name, inp, want) => {
    const plan = planDue(inp, 2 + (_name === "catch-up" ? 8 : 0));
    expect({
      fire: plan.fire.map(iso),
      skipped: plan.skipped,
      handled: iso(plan.handledThroughMs),
      next: plan.next && iso(plan.next.scheduledMs),
      completed: plan.completed,
    }).toEqual({ fire: want.fire, skipped: want.skipped ?? 0, handled: want.handled, next: want.next, completed: want.completed ?? false });
  });

  it("flexible window: fires once inside the window, at the same offset for every leader", () => {
    const window = 15 * min;
    const offset = flexOffsetMs("seed-a", T("10:00:00"), window);
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThan(window);
    expect(flexOffsetMs("seed-a", T("10:00:00"), window)).toBe(offset);
    const base = input("cron(0 10 * * ? *)", "09:00:00", "10:00:00", { flexibleWindowMs: window, seed: "seed-a" });
    const before = planDue({ ...base, nowMs: T("10:00:00") + offset - 1 });
    const at = planDue({ ...base, nowMs: T("10:00:00") + offset });
    expect(before.fire).toEqual([]);
    expect(before.next).toEqual({ scheduledMs: T("10:00:00"), fireAtMs: T("10:00:00") + offset });
    expect(at.fire).toEqual([T("10:00:00")]);
    expect(planDue({ ...base, handledThroughMs: at.handledThroughMs, nowMs: T("10:14:59") }).fire).toEqual([]);
  });

  it("a long-disabled minute schedule plans without walking every missed minute", () => {
    const plan = planDue(input("rate(1 minute)", "10:00:00", "10:00:00", { enabled: false, nowMs: T("10:00:00") + 365 * day }));
    expect(plan.fire).toEqual([]);
    expect(plan.next!.scheduledMs - (T("10:00:00") + 365 * day)).toBeLessThanOrEqual(min);
  });
});

import { describe, expect, it } from "vitest";
import type { TaskRecord } from "@berth/shared";
import { planTaskCleanup } from "./plan.js";

const hour = 3600_000;
const now = 10 * hour;

function task(id: string, lastStatus: TaskRecord["lastStatus"], stoppedAgoMs?: number): { value: TaskRecord; modRevision: string } {
  return {
    modRevision: `${id}-rev`,
    value: {
      id,
      cluster: "c",
      lastStatus,
      createdAtMs: now - 2 * hour,
      stoppedAtMs: stoppedAgoMs === undefined ? undefined : now - stoppedAgoMs,
    } as TaskRecord,
  };
}

describe("planTaskCleanup", () => {
  it.each([
    // a task stopped two hours ago is forgotten
    [[task("a", "STOPPED", 2 * hour)], ["a"]],
    // one stopped a minute ago is still shown
    [[task("a", "STOPPED", 60_000)], []],
    // running tasks are never touched, however old
    [[task("a", "RUNNING")], []],
    // a STOPPED record without a stop time falls back to its creation time
    [[task("a", "STOPPED")], ["a"]],
    // oldest first, and no more than the round's cap
    [[task("new", "STOPPED", 2 * hour), task("old", "STOPPED", 5 * hour), task("mid", "STOPPED", 3 * hour), task("x", "STOPPED", 4 * hour)], ["old", "x", "mid"]],
  ])("case %#", (tasks, want) => {
    const plan = planTaskCleanup({ tasks, now, retentionMs: hour, maxPerRound: 3 });
    expect(plan.delete.map((d) => d.id)).toEqual(want);
  });

  it("keeps the revision each task was read at, so a task changed since is not deleted", () => {
    const plan = planTaskCleanup({ tasks: [task("a", "STOPPED", 2 * hour)], now, retentionMs: hour, maxPerRound: 10 });
    expect(plan.delete).toEqual([{ cluster: "c", id: "a", modRevision: "a-rev" }]);
  });
});

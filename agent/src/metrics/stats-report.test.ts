import { describe, expect, it } from "vitest";
import type { AgentTaskView } from "../engine/types.js";
import type { ContainerSample } from "./container-stats.js";
import { buildStatsReport, type CpuMark } from "./stats-report.js";

const arn = (id: string) => `arn:aws:ecs:us-east-1:000000000000:task/c/${id}`;
const task = (id: string): AgentTaskView => ({ arn: arn(id), cluster: "c", family: "f", revision: 1, desiredStatus: "RUNNING", knownStatus: "RUNNING", containers: [] });
const sample = (runtimeId: string, taskId: string, container: string, cpuSeconds: number, memory = 1000, readAtMs = 10_000): ContainerSample => ({
  runtimeId,
  readAtMs,
  labels: { cluster: "c", task_id: taskId, family: "f", container },
  usage: { cpuSeconds, memoryUsageBytes: memory, memoryLimitBytes: 0, networkReceiveBytes: 0, networkTransmitBytes: 0 },
});

describe("buildStatsReport", () => {
  it.each<[string, ContainerSample[], [string, CpuMark][], { taskArn: string; containers: { name: string; cpuPercent: number; memoryBytes: number }[] }[]]>([
    // first sight of a container: no rate yet, nothing reported
    ["first round", [sample("r1", "t1", "app", 5)], [], []],
    // one core busy for the 10 s between readings: 100 %
    ["one core", [sample("r1", "t1", "app", 15, 2048)], [["r1", { cpuSeconds: 5, atMs: 0 }]], [{ taskArn: arn("t1"), containers: [{ name: "app", cpuPercent: 100, memoryBytes: 2048 }] }]],
    // half a core over 2 s, two containers of one task grouped
    [
      "two containers",
      [sample("r1", "t1", "a", 1, 1000, 2000), sample("r2", "t1", "b", 2, 1000, 2000)],
      [["r1", { cpuSeconds: 0, atMs: 0 }], ["r2", { cpuSeconds: 2, atMs: 0 }]],
      [{ taskArn: arn("t1"), containers: [{ name: "a", cpuPercent: 50, memoryBytes: 1000 }, { name: "b", cpuPercent: 0, memoryBytes: 1000 }] }],
    ],
    // the same cached reading again: no rate (not a made-up 0 %)
    ["cached reading", [sample("r1", "t1", "app", 5)], [["r1", { cpuSeconds: 5, atMs: 10_000 }]], []],
    // the counter went back (container restarted under the same id): no rate
    ["counter reset", [sample("r1", "t1", "app", 1)], [["r1", { cpuSeconds: 5, atMs: 0 }]], []],
    // a container of a task the engine no longer lists
    ["unknown task", [sample("r1", "gone", "app", 6)], [["r1", { cpuSeconds: 5, atMs: 0 }]], []],
  ])("%s", (_name, samples, previous, want) => {
    const { tasks } = buildStatsReport(samples, [task("t1")], new Map(previous));
    expect(tasks).toEqual(want);
  });

  it("keeps marks only for the containers of this round, the older one for a cached reading", () => {
    const { marks } = buildStatsReport(
      [sample("r2", "t1", "app", 3, 1000, 500), sample("r3", "t1", "app", 9, 1000, 100)],
      [task("t1")],
      new Map([["r1", { cpuSeconds: 1, atMs: 0 }], ["r3", { cpuSeconds: 9, atMs: 100 }]]),
    );
    expect([...marks.entries()]).toEqual([["r2", { cpuSeconds: 3, atMs: 500 }], ["r3", { cpuSeconds: 9, atMs: 100 }]]);
  });
});

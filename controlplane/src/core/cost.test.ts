import { describe, expect, it } from "vitest";
import { costOf, costReport, defaultPrices, meteredTaskOf, usageOf, type MeteredTask } from "./cost.js";

const day = 86_400_000;
const hour = 3_600_000;
/** A simulated clock's epoch: 2026-11-01T00:00:00Z. */
const t0 = Date.UTC(2026, 10, 1);

describe("usageOf and costOf on a simulated clock", () => {
  it("the guide's example: 0.25 vCPU and 0.5 GB for 30 days cost $8.89", () => {
    const task: MeteredTask = { cpuUnits: 256, memoryMiB: 512, startMs: t0 };
    const u = usageOf(task, t0 + 30 * day);
    expect(u).toEqual({ vcpuHours: 180, gbHours: 360 });
    expect(costOf(u, defaultPrices).toFixed(2)).toBe("8.89");
  });

  it.each<[string, MeteredTask, number, number, { vcpuHours: number; gbHours: number }]>([
    // never started: nothing
    ["not started", { cpuUnits: 1024, memoryMiB: 2048 }, t0 + hour, 0, { vcpuHours: 0, gbHours: 0 }],
    // stopped after an hour: the hour, however late we look
    ["stopped", { cpuUnits: 1024, memoryMiB: 2048, startMs: t0, endMs: t0 + hour }, t0 + day, 0, { vcpuHours: 1, gbHours: 2 }],
    // still running: up to now
    ["running", { cpuUnits: 2048, memoryMiB: 4096, startMs: t0 }, t0 + 2 * hour, 0, { vcpuHours: 4, gbHours: 8 }],
    // a window starting mid-run counts from the window
    ["since", { cpuUnits: 1024, memoryMiB: 1024, startMs: t0 }, t0 + 3 * hour, t0 + 2 * hour, { vcpuHours: 1, gbHours: 1 }],
    // a task stopped before the window: nothing
    ["before since", { cpuUnits: 1024, memoryMiB: 1024, startMs: t0, endMs: t0 + hour }, t0 + 3 * hour, t0 + 2 * hour, { vcpuHours: 0, gbHours: 0 }],
  ])("%s", (_name, task, now, since, expected) => {
    expect(usageOf(task, now, since)).toEqual(expected);
  });

  it("prices are configurable", () => {
    expect(costOf({ vcpuHours: 10, gbHours: 100 }, { vcpuHour: 0.1, gbHour: 0.01 })).toBeCloseTo(2);
  });
});

describe("meteredTaskOf", () => {
  const reserved = { cpu: 128, memory: 64, ports: [], portsUdp: [] };
  it.each<[string, Parameters<typeof meteredTaskOf>[0], MeteredTask]>([
    // task-level size wins over the reservation, metered from the pull's start
    ["task size", { cpu: "256", memory: "512", reserved, pullStartedAtMs: 5, startedAtMs: 9, stoppedAtMs: 20 }, { cpuUnits: 256, memoryMiB: 512, startMs: 5, endMs: 20 }],
    // no task size: what placement reserved, from the start
    ["reservation", { reserved, startedAtMs: 9 }, { cpuUnits: 128, memoryMiB: 64, startMs: 9, endMs: undefined }],
  ])("%s", (_name, rec, expected) => {
    expect(meteredTaskOf(rec)).toEqual(expected);
  });
});

describe("costReport", () => {
  const reserved = { cpu: 0, memory: 0, ports: [], portsUdp: [] };
  const task = (cluster: string, group: string | undefined, cpu: string, memory: string, hours: number) => ({
    cluster,
    group,
    cpu,
    memory,
    reserved,
    startedAtMs: t0,
    stoppedAtMs: t0 + hours * hour,
  });
  it("sums per cluster and service, largest first, standalone tasks under ''", () => {
    const rows = costReport(
      [task("prod", "service:web", "1024", "2048", 10), task("prod", "service:web", "1024", "2048", 10), task("prod", "family:batch", "256", "512", 1), task("dev", "service:web", "256", "512", 0)],
      t0 + day,
    );
    expect(rows.map((r) => [r.cluster, r.service, r.tasks, r.vcpuHours, r.gbHours])).toEqual([
      ["prod", "web", 2, 20, 40],
      ["prod", "", 1, 0.25, 0.5],
    ]);
    expect(rows[0].dollars).toBeCloseTo(20 * 0.04048 + 40 * 0.004445);
  });
});

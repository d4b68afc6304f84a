import { describe, expect, it } from "vitest";
import { aggregateServicePeriods, cpuUtilization, memoryUtilization, mergeServicePeriods, TaskStatsWindows, type ServicePeriod, type TaskWindow } from "./task-stats.js";

const owner = (taskId: string, service: string | undefined, reservedCpu = 1024, reservedMemoryMiB = 512) => ({ cluster: "c", taskId, service, reservedCpu, reservedMemoryMiB });
const s = (timestamp: number, cpuPercent: number, memoryMiB = 0) => ({ timestamp, containers: [{ name: "app", cpuPercent, memoryBytes: memoryMiB * 1024 * 1024 }] });
const point = (startMs: number, p: Partial<ServicePeriod>): ServicePeriod => ({ startMs, cpuUsed: 0, cpuReserved: 0, memoryUsedMiB: 0, memoryReservedMiB: 0, tasks: 0, ...p });

describe("aggregateServicePeriods", () => {
  it.each<[string, TaskWindow[], Record<string, ServicePeriod[]>]>([
    // one task at one core of its 1024 units: 1024 used of 1024
    ["one task busy", [{ owner: owner("t1", "web"), samples: [s(0, 100, 256), s(500, 100, 256)] }], { "c/web": [point(0, { cpuUsed: 1024, cpuReserved: 1024, memoryUsedMiB: 256, memoryReservedMiB: 512, tasks: 1 })] }],
    // a period's samples are averaged per task before summing
    ["mean per task", [{ owner: owner("t1", "web"), samples: [s(0, 0), s(100, 50)] }], { "c/web": [point(0, { cpuUsed: 256, cpuReserved: 1024, memoryReservedMiB: 512, tasks: 1 })] }],
    // two tasks, one idle: reserved sums, used sums
    [
      "two tasks",
      [{ owner: owner("t1", "web"), samples: [s(10, 100)] }, { owner: owner("t2", "web"), samples: [s(20, 0)] }],
      { "c/web": [point(0, { cpuUsed: 1024, cpuReserved: 2048, memoryReservedMiB: 1024, tasks: 2 })] },
    ],
    // samples in two periods; one outside [from, to) is left out
    [
      "periods",
      [{ owner: owner("t1", "web"), samples: [s(10, 100), s(1010, 50), s(2010, 100)] }],
      { "c/web": [point(0, { cpuUsed: 1024, cpuReserved: 1024, memoryReservedMiB: 512, tasks: 1 }), point(1000, { cpuUsed: 512, cpuReserved: 1024, memoryReservedMiB: 512, tasks: 1 })] },
    ],
    // a task of no service counts nowhere
    ["standalone task", [{ owner: owner("t1", undefined), samples: [s(10, 100)] }], {}],
  ])("%s", (_name, windows, want) => {
    expect(Object.fromEntries(aggregateServicePeriods(windows, 1000, 0, 2000))).toEqual(want);
  });
});

describe("utilization", () => {
  it.each<[string, Partial<ServicePeriod>, number | undefined, number | undefined]>([
    // half of the reservation used
    ["half", { cpuUsed: 512, cpuReserved: 1024, memoryUsedMiB: 128, memoryReservedMiB: 512 }, 50, 25],
    // over the reservation (no hard CPU limit): above 100, as ECS reports it
    ["over", { cpuUsed: 2048, cpuReserved: 1024, memoryUsedMiB: 0, memoryReservedMiB: 512 }, 200, 0],
    // nothing reserved: no datapoint
    ["unreserved", {}, undefined, undefined],
  ])("%s", (_name, p, cpu, mem) => {
    expect(cpuUtilization(point(0, p))).toBe(cpu);
    expect(memoryUtilization(point(0, p))).toBe(mem);
  });
});

describe("mergeServicePeriods", () => {
  it("sums replicas' datapoints by period", () => {
    const a = [point(0, { cpuUsed: 1, cpuReserved: 2, tasks: 1 }), point(1000, { cpuUsed: 3, cpuReserved: 4, tasks: 1 })];
    const b = [point(1000, { cpuUsed: 5, cpuReserved: 6, tasks: 2 })];
    expect(mergeServicePeriods([a, b])).toEqual([point(0, { cpuUsed: 1, cpuReserved: 2, tasks: 1 }), point(1000, { cpuUsed: 8, cpuReserved: 10, tasks: 3 })]);
  });
});

describe("TaskStatsWindows", () => {
  it("keeps at most maxSamples per task and ages samples out", () => {
    const w = new TaskStatsWindows({ maxSamples: 2, maxAgeMs: 100 });
    for (const t of [0, 50, 120]) w.record(owner("t1", "web"), s(t, 1));
    expect(w.samples("c", "t1")?.map((x) => x.timestamp)).toEqual([50, 120]);
    w.prune(200);
    expect(w.samples("c", "t1")?.map((x) => x.timestamp)).toEqual([120]);
    w.prune(400);
    expect(w.samples("c", "t1")).toBeUndefined();
  });
});

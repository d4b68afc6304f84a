import { describe, expect, it } from "vitest";
import { cgroupDirs, cgroupPlan } from "./task-cgroup.js";

describe("cgroupPlan", () => {
  it.each<[string, 1 | 2, { cpuUnits?: number; memoryMiB?: number }, ReturnType<typeof cgroupPlan>]>([
    // v1: memory in its controller's tree, cpu as a CFS quota of 0.25 of the 100 ms period
    [
      "v1 both",
      1,
      { cpuUnits: 256, memoryMiB: 128 },
      {
        dirs: ["memory/ecs/t1", "cpu/ecs/t1"],
        writes: [
          { path: "memory/ecs/t1/memory.limit_in_bytes", value: String(128 * 1024 * 1024) },
          { path: "cpu/ecs/t1/cpu.cfs_period_us", value: "100000" },
          { path: "cpu/ecs/t1/cpu.cfs_quota_us", value: "25000" },
        ],
      },
    ],
    // v1 memory only
    ["v1 memory", 1, { memoryMiB: 512 }, { dirs: ["memory/ecs/t1"], writes: [{ path: "memory/ecs/t1/memory.limit_in_bytes", value: String(512 * 1024 * 1024) }] }],
    // v2: controllers enabled down the tree, then memory.max and cpu.max
    [
      "v2 both",
      2,
      { cpuUnits: 2048, memoryMiB: 1024 },
      {
        dirs: ["ecs", "ecs/t1"],
        writes: [
          { path: "cgroup.subtree_control", value: "+memory +cpu" },
          { path: "ecs/cgroup.subtree_control", value: "+memory +cpu" },
          { path: "ecs/t1/memory.max", value: String(1024 * 1024 * 1024) },
          { path: "ecs/t1/cpu.max", value: "200000 100000" },
        ],
      },
    ],
    // a tiny cpu value still gets the kernel's minimum quota of 1 ms
    ["v1 tiny cpu", 1, { cpuUnits: 2 }, { dirs: ["cpu/ecs/t1"], writes: [{ path: "cpu/ecs/t1/cpu.cfs_period_us", value: "100000" }, { path: "cpu/ecs/t1/cpu.cfs_quota_us", value: "1000" }] }],
  ])("%s", (_name, version, limits, expected) => {
    expect(cgroupPlan(version, "t1", limits)).toEqual(expected);
  });

  it("cgroupDirs: every v1 controller, the one v2 directory", () => {
    expect(cgroupDirs(1, "t1", ["memory", "pids"])).toEqual(["memory/ecs/t1", "pids/ecs/t1"]);
    expect(cgroupDirs(2, "t1", [])).toEqual(["ecs/t1"]);
  });
});

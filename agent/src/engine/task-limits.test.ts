import { describe, expect, it } from "vitest";
import { taskCgroupId, taskLimitsOf } from "./task-limits.js";
import type { ParsedTaskSpec } from "./container-config.js";

const parsed = (cpu?: string, memory?: string, overrides?: ParsedTaskSpec["overrides"]): ParsedTaskSpec => ({
  td: { cpu, memory, containerDefinitions: [{ name: "app", image: "busybox" }] },
  overrides,
});

describe("taskLimitsOf", () => {
  it.each<[string, ParsedTaskSpec, ReturnType<typeof taskLimitsOf>]>([
    // no task-level size: no task cgroup limits
    ["none", parsed(), undefined],
    // both, in ECS units
    ["both", parsed("256", "512"), { cpuUnits: 256, memoryMiB: 512 }],
    // ECS's unit spellings
    ["spelled", parsed("1 vCPU", "2 GB"), { cpuUnits: 1024, memoryMiB: 2048 }],
    // memory only (an EC2 task may set one)
    ["memory only", parsed(undefined, "128"), { memoryMiB: 128 }],
    // an override wins
    ["override", parsed("256", "512", { cpu: "512", memory: "1024" }), { cpuUnits: 512, memoryMiB: 1024 }],
    // garbage sets no limit rather than failing the task
    ["garbage", parsed("lots", "512"), { memoryMiB: 512 }],
  ])("%s", (_name, p, expected) => {
    expect(taskLimitsOf(p)).toEqual(expected);
  });

  it("taskCgroupId: the ARN's last part", () => {
    expect(taskCgroupId("arn:aws:ecs:us-east-1:000000000000:task/prod/0123abcd")).toBe("0123abcd");
  });
});

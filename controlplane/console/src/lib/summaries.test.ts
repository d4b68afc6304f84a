import { describe, expect, it } from "vitest";
import type { ContainerInstance, Task, TaskStats } from "../api/types";
import { appendBounded, clusterResources, containerEndpoints, countBy, deploymentProgress, sparklinePath, statSeries, zoneOf } from "./summaries";

const ci = (status: string, cpu: [number, number], mem: [number, number]): ContainerInstance => ({
  containerInstanceArn: `arn:x/${status}`,
  status,
  registeredResources: [{ name: "CPU", integerValue: cpu[0] }, { name: "MEMORY", integerValue: mem[0] }],
  remainingResources: [{ name: "CPU", integerValue: cpu[1] }, { name: "MEMORY", integerValue: mem[1] }],
});

describe("clusterResources", () => {
  it.each<[string, ContainerInstance[], ReturnType<typeof clusterResources>]>([
    // no instances: nothing registered
    ["empty", [], { cpu: { registered: 0, reserved: 0 }, memory: { registered: 0, reserved: 0 } }],
    // two instances add up; reserved is registered minus remaining
    [
      "two",
      [ci("ACTIVE", [2048, 1024], [4000, 3000]), ci("DRAINING", [1024, 1024], [2000, 1500])],
      { cpu: { registered: 3072, reserved: 1024 }, memory: { registered: 6000, reserved: 1500 } },
    ],
    // an INACTIVE instance is left out
    ["inactive", [ci("INACTIVE", [2048, 0], [4000, 0])], { cpu: { registered: 0, reserved: 0 }, memory: { registered: 0, reserved: 0 } }],
  ])("%s", (_n, instances, want) => expect(clusterResources(instances)).toEqual(want));
});

describe("deploymentProgress", () => {
  it.each([
    // half way
    [{ id: "d", status: "PRIMARY", desiredCount: 4, runningCount: 2 }, 50, "2 of 4 running"],
    // pending and failed are named
    [{ id: "d", status: "PRIMARY", desiredCount: 2, runningCount: 0, pendingCount: 1, failedTasks: 3 }, 0, "0 of 2 running, 1 pending, 3 failed"],
    // scaled to zero is complete
    [{ id: "d", status: "ACTIVE", desiredCount: 0, runningCount: 0 }, 100, "0 of 0 running"],
    // more running than desired (draining the old) caps at 100
    [{ id: "d", status: "PRIMARY", desiredCount: 1, runningCount: 2 }, 100, "2 of 1 running"],
  ])("%j", (d, pct, label) => expect(deploymentProgress(d)).toEqual({ percent: pct, label }));
});

describe("containerEndpoints", () => {
  const task = (over: Partial<Task>): Task => ({ taskArn: "t", ...over });
  it.each<[string, Task, string[]]>([
    // bridge mode: host port bindings
    ["bindings", task({}), ["0.0.0.0:32768->80/tcp"]],
    // awsvpc: the task's ENI address
    ["eni", task({ attachments: [{ type: "ElasticNetworkInterface", details: [{ name: "privateIPv4Address", value: "10.0.1.5" }] }] }), ["10.0.1.5"]],
    // nothing published
    ["none", task({}), []],
  ])("%s", (name, t, want) => {
    const c = name === "bindings" ? { name: "web", networkBindings: [{ containerPort: 80, hostPort: 32768, protocol: "tcp" }] } : { name: "web" };
    expect(containerEndpoints(t, c)).toEqual(want);
  });
});

describe("statSeries and sparklinePath", () => {
  const stats: TaskStats = {
    samples: [
      { timestamp: 2, containers: [{ name: "web", cpuPercent: 50, memoryBytes: 200 }] },
      { timestamp: 1, containers: [{ name: "web", cpuPercent: 10, memoryBytes: 100 }, { name: "side", cpuPercent: 1 }] },
      { timestamp: 3, containers: [{ name: "side", cpuPercent: 2 }] },
    ],
  };
  it.each<[string, "cpuPercent" | "memoryBytes", number[]]>([
    // oldest first, regardless of the order sent
    ["web", "cpuPercent", [10, 50]],
    // a sample without the container is skipped
    ["web", "memoryBytes", [100, 200]],
    // a metric missing from a sample is skipped
    ["side", "memoryBytes", []],
  ])("%s %s", (c, m, want) => expect(statSeries(stats, c, m)).toEqual(want));

  it.each<[number[], number, string]>([
    // none: no path
    [[], 0, ""],
    // one value: a flat line across
    [[5], 0, "M0,0 L100,0"],
    // against a ceiling of 100: 50 % is half height
    [[0, 50, 100], 100, "M0,20 L50,10 L100,0"],
    // no ceiling: the largest value is the top
    [[1, 2], 0, "M0,10 L100,0"],
  ])("%j", (values, ceiling, want) => expect(sparklinePath(values, 100, 20, ceiling)).toBe(want));
});

describe("small reducers", () => {
  it("countBy: counts by key, sorted", () => expect(countBy(["RUNNING", "STOPPED", "RUNNING"], (s) => s)).toEqual([["RUNNING", 2], ["STOPPED", 1]]));
  it.each([
    // below the cap: all kept
    [[1, 2], [3], 5, [1, 2, 3]],
    // over: the newest kept
    [[1, 2, 3], [4, 5], 3, [3, 4, 5]],
  ])("appendBounded(%j, %j, %s)", (a, b, max, want) => expect(appendBounded(a, b, max)).toEqual(want));
  it("zoneOf: the availability-zone attribute, or a dash", () => {
    expect(zoneOf({ containerInstanceArn: "a", status: "ACTIVE", attributes: [{ name: "ecs.availability-zone", value: "us-east-1a" }] })).toBe("us-east-1a");
    expect(zoneOf({ containerInstanceArn: "a", status: "ACTIVE" })).toBe("-");
  });
});

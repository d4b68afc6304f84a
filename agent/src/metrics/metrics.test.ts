import { describe, expect, it } from "vitest";
import { silentLogger } from "@berth/shared";
import type { AgentTaskView } from "../engine/types.js";
import { createAgentMetrics } from "./agent-metrics.js";
import { ContainerStatsCollector } from "./container-stats.js";
import { parseDockerStats } from "./docker-stats.js";
import { clusterLabelOf, statsTargets, taskIdOf } from "./labels.js";

const taskArn = "arn:aws:ecs:us-east-1:000000000000:task/prod/0123456789abcdef";
const task = (over: Partial<AgentTaskView> = {}): AgentTaskView => ({
  arn: taskArn,
  cluster: "prod",
  family: "web",
  revision: 3,
  desiredStatus: "RUNNING",
  knownStatus: "RUNNING",
  containers: [
    { name: "app", runtimeId: "c1", image: "x", knownStatus: "RUNNING", desiredStatus: "RUNNING", networkBindings: [] },
    { name: "init", runtimeId: "c2", image: "x", knownStatus: "STOPPED", desiredStatus: "STOPPED", networkBindings: [] },
    { name: "pending", image: "x", knownStatus: "NONE", desiredStatus: "RUNNING", networkBindings: [] },
  ],
  ...over,
});

const v1 = {
  read: "2026-01-01T00:00:00Z",
  cpu_stats: { cpu_usage: { total_usage: 2_500_000_000 } },
  memory_stats: { usage: 10_000_000, limit: 268_435_456, stats: { total_inactive_file: 1_000_000, cache: 3_000_000 } },
  networks: { eth0: { rx_bytes: 100, tx_bytes: 40 }, eth1: { rx_bytes: 5, tx_bytes: 2 } },
};

describe("parseDockerStats", () => {
  it.each<[string, unknown, ReturnType<typeof parseDockerStats>]>([
    // cgroup v1: total_inactive_file is subtracted, networks summed
    ["cgroup v1", v1, { cpuSeconds: 2.5, memoryUsageBytes: 9_000_000, memoryLimitBytes: 268_435_456, networkReceiveBytes: 105, networkTransmitBytes: 42 }],
    // cgroup v2: inactive_file
    ["cgroup v2", { cpu_stats: { cpu_usage: { total_usage: 1e9 } }, memory_stats: { usage: 5000, limit: 9000, stats: { inactive_file: 1000 } } },
      { cpuSeconds: 1, memoryUsageBytes: 4000, memoryLimitBytes: 9000, networkReceiveBytes: 0, networkTransmitBytes: 0 }],
    // old engines: only cache
    ["cache only", { cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: { usage: 5000, limit: 9000, stats: { cache: 500 } } },
      { cpuSeconds: 0, memoryUsageBytes: 4500, memoryLimitBytes: 9000, networkReceiveBytes: 0, networkTransmitBytes: 0 }],
    // reclaimable larger than usage: keep usage rather than go negative
    ["odd cache", { cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: { usage: 100, stats: { cache: 500 } } },
      { cpuSeconds: 0, memoryUsageBytes: 100, memoryLimitBytes: 0, networkReceiveBytes: 0, networkTransmitBytes: 0 }],
    // a just-stopped container: empty memory stats
    ["stopped", { read: "0001-01-01T00:00:00Z", cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: {} }, undefined],
    // not an object
    ["junk", "nope", undefined],
  ])("parseDockerStats: %s", (_name, doc, want) => {
    expect(parseDockerStats(doc)).toEqual(want);
  });
});

describe("labels", () => {
  it.each([
    // a task ARN
    [taskArn, "0123456789abcdef"],
    // not an ARN: kept whole
    ["local-task", "local-task"],
  ])("taskIdOf: %s", (arn, id) => {
    expect(taskIdOf(arn)).toBe(id);
  });

  it.each([
    // a name
    ["prod", "prod"],
    // an ARN
    ["arn:aws:ecs:us-east-1:000000000000:cluster/prod", "prod"],
  ])("clusterLabelOf: %s", (c, name) => {
    expect(clusterLabelOf(c)).toBe(name);
  });

  it("statsTargets: only RUNNING containers with a runtime id", () => {
    expect(statsTargets([task()])).toEqual([{ runtimeId: "c1", labels: { cluster: "prod", task_id: "0123456789abcdef", family: "web", container: "app" } }]);
  });
});

describe("ContainerStatsCollector", () => {
  it("ContainerStatsCollector: caches within the window, drops departed containers, keeps the last reading on error", async () => {
    let clock = 0;
    let calls = 0;
    let tasks = [task()];
    let failing = false;
    const c = new ContainerStatsCollector({
      tasks: () => tasks,
      source: async () => {
        calls++;
        if (failing) throw new Error("engine busy");
        return v1;
      },
      logger: silentLogger,
      cacheMs: 1000,
      now: () => clock,
    });
    const [a, b] = await Promise.all([c.current(), c.current()]);
    expect(calls).toBe(1);
    expect(a).toBe(b);
    expect(a.map((s) => s.labels.container)).toEqual(["app"]);
    clock = 500;
    await c.current();
    expect(calls).toBe(1);
    clock = 1500;
    failing = true;
    expect((await c.current()).map((s) => s.usage.cpuSeconds)).toEqual([2.5]);
    expect(calls).toBe(2);
    clock = 3000;
    tasks = [];
    expect(await c.current()).toEqual([]);
  });
});

describe("createAgentMetrics", () => {
  it("createAgentMetrics: task and session gauges", async () => {
    const m = createAgentMetrics({ tasks: () => [task(), task({ arn: "t2", knownStatus: "PULLED" })], version: "1.2.3", cluster: "prod", processMetrics: false });
    m.setSessionConnected(true);
    m.stateChangesSent.inc(3);
    m.stateChangesAcked.inc(2);
    const text = await m.registry.metrics();
    expect(text).toContain('berth_agent_tasks{status="RUNNING"} 1');
    expect(text).toContain('berth_agent_tasks{status="PULLED"} 1');
    expect(text).toContain('berth_agent_tasks{status="STOPPED"} 0');
    expect(text).toContain("berth_agent_containers_running 2");
    expect(text).toContain("berth_agent_session_connected 1");
    expect(text).toContain("berth_agent_state_changes_sent_total 3");
    expect(text).toContain("berth_agent_state_changes_acked_total 2");
    expect(text).toContain('berth_agent_info{version="1.2.3",cluster="prod"} 1');
    expect(text).not.toContain("berth_container_cpu_seconds_total{");
  });
});

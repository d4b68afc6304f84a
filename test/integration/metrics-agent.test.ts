// The agent's metrics against a real container on the host's dockerd: per-container series
// read from Docker's stats API with the right labels and values, the series dropped once the
// container stops, and the whole exposition accepted by `promtool check metrics`.
import type Docker from "dockerode";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  agentVersionString, createAgentMetrics, dockerStatsSource, startIntrospectionServer,
  type AgentMetrics, type AgentTaskView, type IntrospectionServer,
} from "@berth/agent";
import { docker, ensureTestImage, removeContainersByLabel } from "../support/docker.js";
import { LOOPBACK } from "../support/ports.js";

const LABEL = "berth-test.metrics-agent";
const runId = randomUUID();
const cluster = "itest";
const taskId = runId.replaceAll("-", "");
const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/${cluster}/${taskId}`;
const memoryLimit = 64 * 1024 * 1024;
const labels = `{cluster="${cluster}",task_id="${taskId}",family="metrics-probe",container="app"}`;

/** `promtool check metrics` on `text`: its exit status and what it printed. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync("/usr/bin/promtool", ["check", "metrics"], { input: text, encoding: "utf8", timeout: 30_000 });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** The value of the one sample `name{labels}` in an exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("agent metrics", () => {
  const client: Docker = docker();
  let server: IntrospectionServer;
  let metrics: AgentMetrics;
  let containerId: string;
  let tasks: AgentTaskView[] = [];
  let base: string;

  beforeAll(async () => {
    const image = await ensureTestImage();
    const created = await client.createContainer({
      Image: image,
      name: `berth-itest-metrics-${runId.slice(0, 8)}`,
      // Burn a little CPU first so the CPU counter is visibly above zero, then idle.
      Cmd: ["sh", "-c", "i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done; sleep 300"],
      Labels: { [LABEL]: runId },
      HostConfig: { Memory: memoryLimit },
    });
    await created.start();
    containerId = created.id;
    tasks = [{
      arn: taskArn, cluster, family: "metrics-probe", revision: 1, desiredStatus: "RUNNING", knownStatus: "RUNNING",
      containers: [{ name: "app", runtimeId: containerId, image, knownStatus: "RUNNING", desiredStatus: "RUNNING", networkBindings: [] }],
    }];
    metrics = createAgentMetrics({ tasks: () => tasks, stats: dockerStatsSource(client), version: "0.1.0", cluster, statsCacheMs: 100 });
    server = await startIntrospectionServer({
      host: LOOPBACK,
      port: 0,
      provider: { metadata: () => ({ cluster, version: agentVersionString() }), tasks: () => tasks, registry: metrics.registry },
    });
    base = `http://${LOOPBACK}:${server.address.port}`;
  });

  afterAll(async () => {
    await server?.close();
    await removeContainersByLabel(`${LABEL}=${runId}`, client);
  });

  const scrape = async () => (await fetch(`${base}/metrics`)).text();

  it("per-container series from Docker's stats, with cluster, task, family and container labels", async () => {
    // The busy loop may still be running on the first scrape; wait until it has used CPU.
    let text = "";
    for (let i = 0; i < 50; i++) {
      text = await scrape();
      if ((sample(text, `berth_container_cpu_seconds_total${labels}`) ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(sample(text, `berth_container_cpu_seconds_total${labels}`)).toBeGreaterThan(0);
    expect(sample(text, `berth_container_memory_usage_bytes${labels}`)).toBeGreaterThan(0);
    expect(sample(text, `berth_container_memory_limit_bytes${labels}`)).toBe(memoryLimit);
    expect(sample(text, `berth_container_network_receive_bytes_total${labels}`)).toBeGreaterThanOrEqual(0);
    expect(sample(text, `berth_container_network_transmit_bytes_total${labels}`)).toBeGreaterThanOrEqual(0);
    // The usage is the engine's figure for this container, not the host's: below its limit.
    const raw = await client.getContainer(containerId).stats({ stream: false, "one-shot": true });
    expect(raw.memory_stats.usage).toBeGreaterThan(0);
    expect(sample(text, `berth_container_memory_usage_bytes${labels}`)).toBeLessThan(memoryLimit);
    // Agent state and process metrics are there too.
    expect(sample(text, 'berth_agent_tasks{status="RUNNING"}')).toBe(1);
    expect(sample(text, "berth_agent_containers_running")).toBe(1);
    expect(text).toContain("process_cpu_seconds_total");
  });

  it("session and state-change handles show on the next scrape", async () => {
    metrics.setSessionConnected(true);
    metrics.stateChangesSent.inc(2);
    metrics.stateChangesAcked.inc();
    const text = await scrape();
    expect(sample(text, "berth_agent_session_connected")).toBe(1);
    expect(sample(text, "berth_agent_state_changes_sent_total")).toBe(2);
    expect(sample(text, "berth_agent_state_changes_acked_total")).toBe(1);
  });

  it("promtool check metrics accepts the agent's exposition", async () => {
    const text = await scrape();
    expect(text).toContain("berth_container_cpu_seconds_total{");
    const check = promtoolCheck(text);
    expect(check.output).toBe("");
    expect(check.status).toBe(0);
  });

  it("a stopped container's series disappear", async () => {
    await client.getContainer(containerId).stop({ t: 1 });
    tasks = [{ ...tasks[0], knownStatus: "STOPPED", containers: tasks[0].containers.map((c) => ({ ...c, knownStatus: "STOPPED" as const })) }];
    await new Promise((r) => setTimeout(r, 150));
    const text = await scrape();
    expect(text).not.toContain(`task_id="${taskId}"`);
    expect(sample(text, 'berth_agent_tasks{status="STOPPED"}')).toBe(1);
    expect(sample(text, "berth_agent_containers_running")).toBe(0);
  });
});

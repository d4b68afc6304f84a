import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { CreateClusterCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { eventually, removeDir, startTestAgent, startTestControlPlane, type TestAgent, type TestControlPlane } from "../support/berth.js";
import { removeContainersByLabel } from "../support/docker.js";
import { TEST_IMAGE } from "../support/image.js";
import { BENCH_PREFIX } from "./docker-cli.js";
import { median } from "./report.js";
import { parseProcStat } from "./scale/measure.js";

/** issue 12's goal for a real agent's idle RSS, MiB. */
export const AGENT_RSS_GOAL_MIB = 60;

/** One process's memory as /proc/<pid>/status tells it, MiB. */
export interface MemorySample {
  /** VmRSS: what `ps`, `top` and the figure count. */
  rss: number;
  /** RssAnon: the process's own pages (heap, code it compiled, buffers). */
  anon: number;
  /** RssFile: pages of mapped files, mostly the node binary itself (shared with other node processes). */
  file: number;
}

/** The agent's own view from its /metrics (prom-client's nodejs_* gauges), MiB. */
export interface HeapFigures {
  heapUsed: number;
  heapTotal: number;
  external: number;
}

/** One agent build measured idle, twice: connected with no tasks, then with `tasks` idle tasks. */
export interface AgentRssRun {
  /** Which build: "this build" or the path given in BERTH_BENCH_AGENT_COMPARE. */
  label: string;
  connected: MemorySample;
  withTasks: MemorySample;
  /** The agent's CPU over the idle wait with tasks, as a share of one core (1 = a whole core). */
  idleCpu: number;
  heap?: HeapFigures;
}

/** Benchmark 9's figures. */
export interface AgentRssResult {
  /** `node -e 'setInterval(() => {}, 1e9)'` on this machine: the floor no Node program goes under. */
  floor: MemorySample;
  tasks: number;
  idleMs: number;
  runs: AgentRssRun[];
}

/** Options for {@link benchAgentRss}. */
export interface AgentRssOptions {
  /** Idle tasks (a busybox `sleep`) running during the second measurement. */
  tasks: number;
  /** How long the agent is left alone before each measurement. */
  idleMs: number;
  /** Other agent builds (their bin/berth-agent.js) to measure in the same run, e.g. main's. */
  compare: string[];
}

const mib = (kb: number) => kb / 1024;

/** VmRSS, RssAnon and RssFile of a process. */
export async function sampleMemory(pid: number): Promise<MemorySample> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, "m").exec(status);
    if (!m) throw new Error(`no ${key} in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rss: mib(kb("VmRSS")), anon: mib(kb("RssAnon")), file: mib(kb("RssFile")) };
}

/**
 * Five samples a second apart, each field's median: one sample can land on a heartbeat's or a
 * stats report's short-lived garbage.
 */
async function settledMemory(pid: number): Promise<MemorySample> {
  const samples: MemorySample[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(await sampleMemory(pid));
    await sleep(1_000);
  }
  return { rss: median(samples.map((s) => s.rss)), anon: median(samples.map((s) => s.anon)), file: median(samples.map((s) => s.file)) };
}

/** The floor: a bare node process that only waits, measured the same way as the agent. */
async function nodeFloor(): Promise<MemorySample> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e9)"], { stdio: "ignore" });
  try {
    await sleep(3_000);
    return await settledMemory(child.pid!);
  } finally {
    child.kill("SIGKILL");
  }
}

/** heapUsed, heapTotal and external from the agent's Prometheus text (read after the RSS samples: a scrape allocates). */
async function heapFigures(port: number): Promise<HeapFigures | undefined> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => "");
  const gauge = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, "m").exec(text)?.[1]) / 2 ** 20;
  const heap = { heapUsed: gauge("nodejs_heap_size_used_bytes"), heapTotal: gauge("nodejs_heap_size_total_bytes"), external: gauge("nodejs_external_memory_bytes") };
  return Object.values(heap).every(Number.isFinite) ? heap : undefined;
}

/**
 * A real control plane and a real agent on this machine's Docker, as `berth up` runs them (the
 * agent as its own process of the built bin/berth-agent.js, log level info). After its session
 * opens it is left alone `idleMs` and measured; then `tasks` idle tasks are run on it, it is left
 * alone `idleMs` again and measured again. The same for each build in `compare`, one at a time,
 * on a control plane of its own. The floor is a bare `node` waiting on a timer.
 */
export async function benchAgentRss(opts: AgentRssOptions): Promise<AgentRssResult> {
  const floor = await nodeFloor();
  const runs: AgentRssRun[] = [];
  for (const [i, bin] of [undefined, ...opts.compare].entries()) {
    runs.push(await measureBuild(bin, `${BENCH_PREFIX}-rss-${process.pid}-${i}`, opts));
  }
  return { floor, tasks: opts.tasks, idleMs: opts.idleMs, runs };
}

/** One build: its own control plane, cluster and agent, measured connected and with tasks. */
async function measureBuild(bin: string | undefined, cluster: string, opts: AgentRssOptions): Promise<AgentRssRun> {
  let t: TestControlPlane | undefined;
  let agent: TestAgent | undefined;
  try {
    t = await startTestControlPlane();
    const ecs = t.ecs;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: { BERTH_LOG_LEVEL: "info", ECS_CONTAINER_STOP_TIMEOUT: "1s" }, ...(bin && { bin }) });
    await eventually("the agent to connect", () => connected(ecs, cluster), 60_000, 250);
    await sleep(opts.idleMs);
    const connectedSample = await settledMemory(agent.child.pid!);

    const family = `${BENCH_PREFIX}-rss`;
    await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: "main", image: TEST_IMAGE, memory: 16, stopTimeout: 1, command: ["sleep", "100000"] }] }));
    const arns: string[] = [];
    while (arns.length < opts.tasks) {
      const out = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family, count: Math.min(10, opts.tasks - arns.length) }));
      if (!out.tasks?.length) throw new Error(`RunTask placed no task: ${JSON.stringify(out.failures)}`);
      arns.push(...out.tasks.map((x) => x.taskArn!));
    }
    await eventually(`${opts.tasks} tasks RUNNING`, async () => {
      const tasks = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
      return tasks.length === arns.length && tasks.every((x) => x.lastStatus === "RUNNING") ? true : undefined;
    }, 120_000, 250);
    const cpuAt = async () => parseProcStat(await readFile(`/proc/${agent!.child.pid}/stat`, "utf8"));
    const idleFrom = { cpu: await cpuAt(), at: performance.now() };
    await sleep(opts.idleMs);
    const idleCpu = (await cpuAt() - idleFrom.cpu) / ((performance.now() - idleFrom.at) / 1000);
    const withTasks = await settledMemory(agent.child.pid!);
    const heap = await heapFigures(agent.introspectionPort);
    for (const task of arns) await ecs.send(new StopTaskCommand({ cluster, task })).catch(() => undefined);
    return { label: bin ?? "this build", connected: connectedSample, withTasks, idleCpu, heap };
  } finally {
    await agent?.stop().catch(() => undefined);
    await t?.stop().catch(() => undefined);
    await removeContainersByLabel(`com.amazonaws.ecs.cluster=${cluster}`).catch(() => undefined);
    if (agent) await removeDir(agent.dataDir).catch(() => undefined);
  }
}

/** True once the cluster's one instance says its agent is connected. */
async function connected(ecs: ECSClient, cluster: string): Promise<true | undefined> {
  const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
  if (arns.length === 0) return undefined;
  const cis = (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances ?? [];
  return cis.some((ci) => ci.agentConnected) ? true : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

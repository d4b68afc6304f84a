import { AGENT_RSS_GOAL_MIB, type AgentRssResult, type MemorySample } from "./agent-rss.js";
import type { AwsvpcStartResult, StartMode } from "./awsvpc-start.js";
import type { FailureDetectionResult } from "./failure-detection.js";
import type { LogIngestResult } from "./log-ingest.js";
import type { RoundResult, System } from "./replicas.js";
import type { NodesResult } from "./nodes.js";
import { median, printTable, ratio, secs } from "./report.js";
import type { SchedulerResult } from "./scheduler.js";
import type { WritePathResult } from "./write-path.js";

const allSystems: System[] = ["raw", "api", "swarm", "berth"];
const labels: Record<System, string> = {
  raw: "raw docker run -d (8 parallel)",
  api: "engine API create+start (8 parallel)",
  swarm: "Docker Swarm service",
  berth: "berth service (1 agent)",
};
const teardownLabels: Record<System, string> = {
  raw: "raw docker rm -f, until none left",
  api: "engine API remove force (8 parallel)",
  swarm: "docker service rm, until no container",
  berth: "berth DeleteService --force, until no container",
};

/** The median of one measure per system, over the rounds that produced it. */
export function medians(results: RoundResult[], pick: (r: RoundResult) => number | undefined): Partial<Record<System, number>> {
  const out: Partial<Record<System, number>> = {};
  for (const system of allSystems) {
    const samples = results.filter((r) => r.system === system).map(pick).filter((v): v is number => v !== undefined);
    if (samples.length > 0) out[system] = median(samples);
  }
  return out;
}

function systemTable(title: string, results: RoundResult[], pick: (r: RoundResult) => number | undefined, names: Record<System, string>, notes: string[]): void {
  const m = medians(results, pick);
  const systems = allSystems.filter((s) => results.some((r) => r.system === s));
  const rows = systems.map((s) => [
    names[s],
    results.filter((r) => r.system === s).map((r) => (r.error && pick(r) === undefined ? "failed" : secs(pick(r)))).join(", "),
    secs(m[s]),
    ratio(m[s], m.raw),
    ratio(m[s], m.api),
  ]);
  printTable(title, ["", "runs (s)", "median (s)", "÷ docker run", "÷ engine API"], rows, [
    `berth ÷ swarm: ${ratio(m.berth, m.swarm)}    berth ÷ docker run: ${ratio(m.berth, m.raw)}    berth ÷ engine API: ${ratio(m.berth, m.api)}`,
    ...notes,
  ]);
}

/** Benchmark 1: time to N running. */
export function printStartTable(results: RoundResult[], replicas: number): void {
  systemTable(`1. Start ${replicas} replicas until running`, results, (r) => r.startMs, labels, [
    "docker run / engine API: until the last start returned; swarm: `docker service ls` shows N/N; berth: DescribeServices runningCount == N",
    "berth's agent starts every task of a payload at once (no parallelism cap); the two raw rows run 8 at a time",
  ]);
}

/** Benchmark 2: time to none left. */
export function printTeardownTable(results: RoundResult[], replicas: number): void {
  const inactive = medians(results, (r) => r.inactiveMs).berth;
  systemTable(`2. Tear down ${replicas} replicas`, results, (r) => r.teardownMs, teardownLabels, [
    `berth service INACTIVE after (median): ${secs(inactive)} s`,
  ]);
}

/** Benchmark 3a: placement writes against raw etcd batch writes. */
export function printWritePathTable(w: WritePathResult): void {
  const rate = (ms: number) => w.tasks / (ms / 1000);
  const berth = rate(w.berthMs);
  const row = (label: string, ms: number) => [label, ms.toFixed(0), rate(ms).toFixed(0), ratio(rate(ms), berth)];
  printTable(
    `3a. Control-plane write path: ${w.tasks} tasks on ${w.instances} instances`,
    ["", "time (ms)", "per s", "÷ berth"],
    [
      row(`raw etcd txn puts, ${w.txnOps} ops/txn, ${w.smallBytes} B values`, w.rawSmallMs),
      row(`raw etcd txn puts, ${w.txnOps} ops/txn, ${w.recordBytes} B values (task-record size)`, w.rawSizedMs),
      row(`raw etcd txn puts, ${w.batch} ops/txn, ${w.recordBytes} B values (one txn per RunTask)`, w.rawBatchMs),
      row(`berth core.runTasks, ${w.batch} tasks per call (RunTask's batch)`, w.berthMs),
    ],
    [
      `per s: etcd writes/s for raw rows (median of ${w.repeats}), tasks placed and recorded/s for berth`,
      `berth reaches ${((berth / rate(w.rawSmallMs)) * 100).toFixed(1)} % of the ${w.txnOps}-op batch limit and ${((berth / rate(w.rawBatchMs)) * 100).toFixed(1)} % of ${w.batch}-op transactions`,
      `one berth call: ${w.firstCallsMs.toFixed(1)} ms on average over the first 10 calls, ${w.lastCallsMs.toFixed(1)} ms over the last 10 (each call reads the cluster's instances, which carry the tasks they hold)`,
    ],
  );
}

/** Benchmark 3b: the scheduler alone. */
export function printSchedulerTable(rows: SchedulerResult[]): void {
  const notes =
    rows[0]?.path === "pure placeTasks"
      ? [`median of ${rows[0].repeats} runs each, simulated instances of 4 vCPU / 8 GiB in 3 zones`]
      : ["@berth/controlplane does not export placeTasks: measured through core.runTasks (one call: snapshot, plan, etcd writes)"];
  printTable(
    `3b. Scheduler: ${rows[0]?.tasks ?? "?"} tasks on ${rows[0]?.instances ?? "?"} instances`,
    ["path", "strategy", "time (ms)", "tasks/s"],
    rows.map((r) => [r.path, r.strategy, r.ms.toFixed(1), (r.tasks / (r.ms / 1000)).toFixed(0)]),
    notes,
  );
}

/** Benchmark 4: failure detection, absolute times. */
export function printFailureTable(f: FailureDetectionResult, settings: string[]): void {
  printTable(
    `4. Failure detection after kill -9 of the agent (${f.tasks}-task service)`,
    ["", "after kill -9 (s)"],
    [
      ["DescribeContainerInstances agentConnected=false", secs(f.disconnectedMs)],
      ["every task STOPPED (lost, TerminationNotice)", secs(f.lostMs)],
    ],
    settings,
  );
}

/** Benchmark 5: a multi-node cluster on this machine against its physical floor. */
export function printNodesTable(n: NodesResult): void {
  printTable(
    `5. berth cluster create --nodes 3 on Docker-in-Docker nodes${n.coldImage ? " (node image built in this run)" : " (node image cached)"}`,
    ["", "time (s)", "÷ floor"],
    [
      ["3 raw node containers, dockerd answering in each (the floor)", secs(n.rawEnginesMs), "1.00x"],
      ["berth cluster create: etcd, control plane, 3 nodes, agents connected", secs(n.createMs), ratio(n.createMs, n.rawEnginesMs)],
      ["lost-instance grace (the failover floor)", secs(n.graceMs), "1.00x"],
      ["node kill → its tasks RUNNING on the other nodes", secs(n.failoverMs), ratio(n.failoverMs, n.graceMs)],
    ],
    Object.entries(n.memoryMiB).sort().map(([c, m]) => `memory after create: ${c} ${m} MiB`),
  );
}

/** Benchmark 6: awsvpc task start against a bridge-mode task, same run. */
export function printAwsvpcStartTable(r: AwsvpcStartResult): void {
  const row = (label: string, mode: StartMode) => [label, secs(r.median[mode]), secs(r.p90[mode]), secs(r.reportedMedian[mode]), ratio(r.median[mode], r.median.bridge), ratio(r.p90[mode], r.p90.bridge)];
  printTable(
    `6. Task start, awsvpc vs bridge (${r.tasks} tasks each, one at a time, alternating)`,
    ["", "median (s)", "p90 (s)", "createdAt → startedAt, median (s)", "median ÷ bridge", "p90 ÷ bridge"],
    [row("bridge-mode task", "bridge"), row("awsvpc task (pause container + CNI bridge/host-local)", "awsvpc")],
    [
      "RunTask call → DescribeTasks RUNNING (awsvpc: and its ElasticNetworkInterface ATTACHED), polled every 25 ms",
      "createdAt → startedAt: as DescribeTasks records them (placement to the agent's report of RUNNING); one warm-up task per mode first, not counted",
    ],
  );
}

/** Benchmark 7: awslogs ingestion into berth's log store against `docker logs` on the same output. */
export function printLogIngestTable(r: LogIngestResult): void {
  const rate = (ms: number) => (ms > 0 ? r.lines / (ms / 1000) : NaN);
  const fmt = (ms: number) => rate(ms).toFixed(0);
  printTable(
    `7. Log ingestion: ${r.lines} lines of ${r.lineBytes} B from one container (one host)`,
    ["", "time (s)", "lines/s", "÷ docker logs"],
    [
      ["the container writing them (dockerd's first → last timestamp)", secs(r.writeMs), fmt(r.writeMs), ratio(rate(r.writeMs), rate(r.dockerLogsMs))],
      ["berth awslogs: first line → all in the log store (GetLogEvents tail)", secs(r.berthIngestMs), fmt(r.berthIngestMs), ratio(rate(r.berthIngestMs), rate(r.dockerLogsMs))],
      ["docker logs CONTAINER reading the same output (the floor)", secs(r.dockerLogsMs), fmt(r.dockerLogsMs), "1.00x"],
      ["GetLogEvents paging the stored stream from the head", secs(r.berthReadMs), fmt(r.berthReadMs), ratio(rate(r.berthReadMs), rate(r.dockerLogsMs))],
    ],
    [
      `berth's lag behind the writer: ${secs(r.berthIngestMs - r.writeMs)} s after the last line was written`,
      "the agent reads the json-file log through the engine API, ships batches over its gRPC session, the control plane appends them to its store; all on loopback",
    ],
  );
}

/** Benchmark 9: each agent build's idle RSS beside the bare-node floor and issue 12's goal. */
export function printAgentRssTable(r: AgentRssResult): void {
  const f = (n: number) => n.toFixed(1);
  const against = (rss: number) => (rss < AGENT_RSS_GOAL_MIB ? `met (${f(AGENT_RSS_GOAL_MIB - rss)} MiB under)` : `missed by ${f(rss - AGENT_RSS_GOAL_MIB)} MiB`);
  const row = (label: string, s: MemorySample) => [label, f(s.rss), f(s.anon), f(s.file), ratio(s.rss, r.floor.rss), against(s.rss)];
  printTable(
    `9. A real agent's idle RSS (MiB; goal < ${AGENT_RSS_GOAL_MIB}), ${r.idleMs / 1000} s idle before each reading`,
    ["", "VmRSS", "RssAnon", "RssFile", "÷ bare node", `goal < ${AGENT_RSS_GOAL_MIB}`],
    [
      ["bare node waiting on a timer (the floor)", f(r.floor.rss), f(r.floor.anon), f(r.floor.file), "1.00x", "—"],
      ...r.runs.flatMap((run) => [row(`${run.label}: connected, no tasks`, run.connected), row(`${run.label}: ${r.tasks} idle tasks`, run.withTasks)]),
    ],
    [
      "each figure the median of 5 readings of /proc/<pid>/status a second apart; RssFile is mostly the node binary's own pages",
      ...r.runs.map((run) => `${run.label}, idle with tasks: ${(run.idleCpu * 100).toFixed(2)} % of a core (500 ms heartbeats)${run.heap ? `; from its /metrics: heap used ${f(run.heap.heapUsed)} of ${f(run.heap.heapTotal)} MiB, external ${f(run.heap.external)} MiB` : ""}`),
    ],
  );
}

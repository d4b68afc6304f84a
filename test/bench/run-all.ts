// berth's benchmarks: `npm run bench` (see docs/BENCHMARKS.md). Each result is printed as a
// ratio to the peer (Docker Swarm) or the physical limit (raw `docker run`, raw etcd batch
// puts) measured in the same run, since the machine is shared and absolute times wander.
// Nothing here asserts on a time; a benchmark fails only when it could not measure.
//
// Environment: BERTH_BENCH=1 (set by `npm run bench`; without it this file skips, so a stray
// `vitest run` never spends minutes here), BERTH_BENCH_ONLY=replicas,writes,scheduler,failure,nodes,lb,awsvpc,logs,agent-rss,
// BERTH_BENCH_ROUNDS (2), BERTH_BENCH_LB_REQUESTS (2000), BERTH_BENCH_REPLICAS (50), BERTH_BENCH_SYSTEMS=raw,api,swarm,berth,
// BERTH_BENCH_VPC_TASKS (10 of each mode), BERTH_BENCH_LOG_LINES (200000),
// BERTH_BENCH_RSS_TASKS (3), BERTH_BENCH_RSS_IDLE_S (20), BERTH_BENCH_AGENT_COMPARE (other builds'
// bin/berth-agent.js, comma-separated, measured beside this one, e.g. main's).
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestImage } from "../support/docker.js";
import { startBerth, stopBerth, type BerthBench } from "./berth-service.js";
import { dockerCli } from "./docker-cli.js";
import { benchAgentRss } from "./agent-rss.js";
import { benchAwsvpcStart } from "./awsvpc-start.js";
import { benchFailureDetection } from "./failure-detection.js";
import { benchLogIngest } from "./log-ingest.js";
import { benchNodes } from "./nodes.js";
import { benchLoadBalancer, printLbTable } from "./lb.js";
import { cleanRaw } from "./raw-docker.js";
import { benchReplicas, type System } from "./replicas.js";
import { benchScheduler } from "./scheduler.js";
import { cleanSwarmServices, leaveLeftoverSwarm } from "./swarm.js";
import { printAgentRssTable, printAwsvpcStartTable, printFailureTable, printLogIngestTable, printNodesTable, printSchedulerTable, printStartTable, printTeardownTable, printWritePathTable } from "./tables.js";
import { benchWritePath } from "./write-path.js";

const env = process.env;
const enabled = env.BERTH_BENCH === "1";
const only = new Set((env.BERTH_BENCH_ONLY ?? "replicas,writes,scheduler,failure,nodes,lb,awsvpc,logs,agent-rss").split(",").map((s) => s.trim()));
const rounds = Number(env.BERTH_BENCH_ROUNDS ?? 2);
const replicas = Number(env.BERTH_BENCH_REPLICAS ?? 50);
const vpcTasks = Number(env.BERTH_BENCH_VPC_TASKS ?? 10);
const logLines = Number(env.BERTH_BENCH_LOG_LINES ?? 200_000);
const systems = (env.BERTH_BENCH_SYSTEMS ?? "raw,api,swarm,berth").split(",").map((s) => s.trim()) as System[];

const results: Record<string, unknown> = { date: new Date().toISOString() };
let berth: BerthBench | undefined;

beforeAll(async () => {
  if (!enabled) return;
  await ensureTestImage();
  // What an interrupted earlier run may have left: only benchmark-named things are touched.
  await cleanRaw();
  await cleanSwarmServices();
  await leaveLeftoverSwarm();
  const dockerVersion = await dockerCli(["version", "--format", "{{.Server.Version}}"]);
  const etcdVersion = execFileSync("/usr/bin/etcd", ["--version"]).toString().split("\n")[0];
  results.machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), dockerVersion, etcdVersion, node: process.version };
  process.stdout.write(`\nmachine: ${JSON.stringify(results.machine)}\n`);
  if (only.has("replicas") || only.has("failure")) berth = await startBerth();
});

afterAll(async () => {
  if (!enabled) return;
  await stopBerth(berth);
  await mkdir(".berth/bench", { recursive: true });
  await writeFile(".berth/bench/latest.json", JSON.stringify(results, null, 2) + "\n");
  process.stdout.write("results written to .berth/bench/latest.json\n");
});

describe.skipIf(!enabled)("benchmarks", () => {
  it.runIf(only.has("replicas"))(`1+2. start and tear down ${replicas} replicas: docker run, engine API, Swarm, berth`, async () => {
    const rows = await benchReplicas(
      { replicas, rounds, rawParallel: 8, startTimeoutMs: 180_000, teardownTimeoutMs: 120_000, systems },
      berth,
    );
    results.replicas = { replicas, rounds, rows };
    printStartTable(rows, replicas);
    printTeardownTable(rows, replicas);
    expect(rows.filter((r) => r.error), "every round measured").toEqual([]);
  });

  it.runIf(only.has("writes"))("3a. placement writes vs raw etcd batch puts", async () => {
    const w = await benchWritePath({ tasks: 1000, instances: 10, batch: 10, txnOps: 100, repeats: 3 });
    results.writePath = w;
    printWritePathTable(w);
  });

  it.runIf(only.has("scheduler"))("3b. the scheduler alone", async () => {
    const rows = await benchScheduler({ tasks: 1000, instances: 100, repeats: 5 });
    results.scheduler = rows;
    printSchedulerTable(rows);
  });

  it.runIf(only.has("failure"))("4. failure detection after kill -9 of the agent", async () => {
    if (!berth) throw new Error("berth did not start");
    const f = await benchFailureDetection(berth, 3);
    results.failureDetection = f;
    printFailureTable(f, [
      "settings: lostInstanceGraceMs 5000, reconcileIntervalMs 1000 (defaults); heartbeat 500 ms (the test control plane's)",
      "polled every 50 ms through the ECS API",
    ]);
  });

  it.runIf(only.has("nodes"))("5. a 3-node cluster on Docker-in-Docker nodes: create, memory, failover", async () => {
    const n = await benchNodes({ nodes: 3, tasks: 6 });
    results.nodes = n;
    printNodesTable(n);
  });

  it.runIf(only.has("lb"))("6. requests through berth's load balancer vs HAProxy configured by hand vs the task directly", async () => {
    const opts = { requests: Number(env.BERTH_BENCH_LB_REQUESTS ?? 2000), concurrency: 16, rounds: Math.max(3, rounds) };
    const rows = await benchLoadBalancer(opts);
    results.loadBalancer = { ...opts, rows };
    printLbTable(rows, opts);
    expect(rows.filter((r) => r.failed > 0), "every request answered").toEqual([]);
  });

  it.runIf(only.has("awsvpc"))(`7. awsvpc task start vs bridge-mode, ${vpcTasks} tasks each`, async () => {
    const r = await benchAwsvpcStart(vpcTasks);
    results.awsvpcStart = r;
    printAwsvpcStartTable(r);
  });

  it.runIf(only.has("logs"))(`8. awslogs ingestion of ${logLines} lines vs docker logs`, async () => {
    const r = await benchLogIngest(logLines);
    results.logIngest = r;
    printLogIngestTable(r);
  });

  it.runIf(only.has("agent-rss"))("9. a real agent's idle RSS against a bare node and the 60 MiB goal", async () => {
    const compare = (env.BERTH_BENCH_AGENT_COMPARE ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const r = await benchAgentRss({ tasks: Number(env.BERTH_BENCH_RSS_TASKS ?? 3), idleMs: Number(env.BERTH_BENCH_RSS_IDLE_S ?? 20) * 1000, compare });
    results.agentRss = r;
    printAgentRssTable(r);
  });
});

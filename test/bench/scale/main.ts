/**
 * `npm run bench:scale`: real etcd, the real control plane (1 or 3 replica processes, built
 * dist), a fleet of real agents over simulated containers in several processes; then RunTask
 * and service placements, all tasks to RUNNING, a ListTasks walk, etcd's own write ceiling and
 * a real agent's idle RSS, printed beside issue 12's goals. Bounded by --timeout; cleans up.
 */
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CreateClusterCommand, DescribeClustersCommand, RegisterTaskDefinitionCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { CommanderError } from "commander";
import etcd3 from "etcd3";
import { startEtcd, type EtcdServer } from "../../support/etcd.js";
import { startReplicas, type Replicas } from "../../support/cluster-controlplane.js";
import { joinFor } from "../../support/join-tokens.js";
import { progress, printTable, waitFor } from "../report.js";
import { parseScaleArgs, scaleCommand, type ScaleOptions } from "./args.js";
import { startFleetProcesses, splitFleet, type FleetProcesses } from "./fleet-processes.js";
import { createServices, driveRunTask, sampleApi, serviceCounts, serviceNames, walkListTasks } from "./drive.js";
import { goalRow, goals } from "./goals.js";
import { Latencies, ProcWatch, etcdDbSize, mib, ms, txnConflicts } from "./measure.js";
import { connectedInstances, etcdCeiling, heapSnapshots, realAgentIdleRss } from "./phases.js";
import { monotonicUs, summariseDir, type ProfileWindow } from "./cpu-profile.js";

const CLUSTER = "scale";
const FAMILY = "scale-app";

/** Everything the run started, so cleanup stops exactly that. */
interface Started {
  etcd?: EtcdServer;
  cps?: Replicas;
  fleet?: FleetProcesses;
  dataRoot?: string;
  stopRealAgent?: () => Promise<void>;
}

async function run(o: ScaleOptions, s: Started, windows: { label: string; window: ProfileWindow }[]): Promise<void> {
  const deadline = Date.now() + o.timeoutSec * 1000;
  const left = () => Math.max(1_000, deadline - Date.now());
  const say = (t: string) => process.stderr.write(`${t}\n`);
  say(`bench:scale: ${o.instances} instances, ${o.tasks} tasks (${o.serviceTasks} in ${o.services} services), ${o.replicas} replica(s), ${o.processes} fleet processes`);

  s.etcd = await startEtcd();
  const env: Record<string, string> = { BERTH_HEARTBEAT_INTERVAL_MS: String(o.heartbeatMs), BERTH_LOG_LEVEL: "warn" };
  if (o.cpuProf) await mkdir(resolve(o.cpuProf), { recursive: true });
  // node writes the profile when the replica exits (cleanup stops it with SIGTERM).
  const nodeArgs = o.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${resolve(o.cpuProf)}`] : [];
  if (o.heapSnapshot) {
    await mkdir(resolve(o.heapSnapshot), { recursive: true });
    nodeArgs.push("--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${resolve(o.heapSnapshot)}`);
  }
  s.cps = await startReplicas(o.replicas, { etcd: s.etcd, env, nodeArgs });
  const cps = s.cps;
  const clients: ECSClient[] = cps.replicas.map((r) => r.ecs);
  const ecs = clients[0];
  const watches = cps.replicas.map((r) => new ProcWatch(r.pid()!));
  const etcdWatch = new ProcWatch(s.etcd.pid);
  const sampleAll = () => Promise.all([...watches, etcdWatch].map((w) => w.sample()));
  const sampler = setInterval(() => void sampleAll(), 1_000);
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: FAMILY,
      containerDefinitions: [{ name: "app", image: "berth-sim/app:latest", cpu: o.taskCpu, memory: o.taskMemory, essential: true }],
    }));

    // The fleet: every host its own agent, joined with the replicas' token.
    const addresses = cps.replicas.map((r) => `127.0.0.1:${r.grpcPort}`);
    const joinInfo = joinFor(addresses[0]);
    if (!joinInfo) throw new Error("no join token filed for the control plane");
    s.dataRoot = await mkdtemp(join(tmpdir(), "berth-fleet-"));
    const zones = Array.from({ length: o.zones }, (_, i) => `sim-zone-${String.fromCharCode(97 + i)}`);
    const slices = splitFleet(o.instances, o.processes).map((sl, p) => ({
      cluster: CLUSTER, controlPlanes: addresses, joinToken: joinInfo.token, first: sl.first, count: sl.count, zones,
      cpuUnits: o.cpuUnits, memoryMiB: o.memoryMiB, timing: o.timing, seed: o.seed, dataRoot: join(s.dataRoot!, `p${p}`),
    }));
    const fleetStarted = Date.now();
    const fleetP = progress("fleet");
    fleetP.update(`starting ${o.instances} agents in ${slices.length} processes`);
    s.fleet = await startFleetProcesses(slices, left());
    const fleet = s.fleet;
    await waitFor(fleetP, fleetStarted, async () => {
      const n = await connectedInstances(ecs, CLUSTER);
      return { ok: n >= o.instances, text: `${n}/${o.instances} instances registered and connected` };
    }, left(), 1_000);
    const fleetMs = Date.now() - fleetStarted;

    // Sessions alone: the control plane's cost of holding them with default heartbeats.
    const measureIdle = async (label: string) => {
      const p = progress(label);
      for (let i = 0; i < o.settleSec; i++) {
        p.update(`settling, ${o.settleSec - i} s before measuring`);
        await new Promise((r) => setTimeout(r, 1_000));
      }
      await sampleAll();
      [...watches, etcdWatch].forEach((w) => w.restart());
      const fromUs = monotonicUs();
      for (let i = 0; i < o.idleSec; i++) {
        p.update(`measuring CPU with ${o.instances} sessions open, ${o.idleSec - i} s left`);
        await new Promise((r) => setTimeout(r, 1_000));
      }
      await sampleAll();
      windows.push({ label, window: { fromUs, toUs: monotonicUs() } });
      const cores = Math.max(...watches.map((w) => w.coreShare()));
      p.done(`${cores.toFixed(2)} of a core (busiest replica), RSS ${watches.map((w) => mib(w.lastRssBytes)).join(", ")}`);
      if (o.heapSnapshot) {
        p.update("writing heap snapshots");
        const files = await heapSnapshots(resolve(o.heapSnapshot), watches.map((w) => w.pid));
        p.done(`heap snapshots: ${files.join(", ")}`);
      }
      return { cores, etcd: etcdWatch.coreShare() };
    };
    const idle = await measureIdle("idle sessions");
    const idleCores = idle.cores;
    const idleEtcd = idle.etcd;
    if (o.onlyIdle) {
      printTable(`bench:scale --only-idle — ${o.instances} instances, ${o.replicas} replica(s), heartbeats ${o.heartbeatMs} ms`, ["figure", "value"], [
        ["fleet: agents registered and connected", `${(fleetMs / 1000).toFixed(1)} s (${fleet.pids.length} processes, fleet RSS ${mib((await fleet.status()).rssBytes)})`],
        [`control-plane CPU, idle sessions, ${o.idleSec} s`, `${idleCores.toFixed(2)} of a core (busiest replica)`],
        ["etcd CPU, idle sessions", `${idleEtcd.toFixed(2)} of a core`],
        ["control-plane RSS (largest seen / now)", `${mib(Math.max(...watches.map((w) => w.peakRssBytes)))} / ${watches.map((w) => mib(w.lastRssBytes)).join(", ")}`],
      ]);
      return;
    }

    // RunTask-driven placements, with a reader on the side.
    const runLat = new Latencies();
    const describeLat = new Latencies();
    const listLat = new Latencies();
    let liveServices: string[] = [];
    const reads = sampleApi({ ecs: clients[clients.length - 1], cluster: CLUSTER, services: () => liveServices, describe: describeLat, list: listLat, everyMs: 250 });
    const runStarted = Date.now();
    // waitFor bounds a wait from its `since`: from the run's start, the time already spent counts.
    const sinceRun = () => left() + (Date.now() - runStarted);
    [...watches, etcdWatch].forEach((w) => w.restart());
    const runTasks = o.tasks - o.serviceTasks;
    const runP = progress("RunTask");
    const drive = await driveRunTask({
      clients, cluster: CLUSTER, family: FAMILY, total: runTasks, concurrency: o.concurrency, latencies: runLat, deadline,
      onProgress: (n) => runP.update(`${n}/${runTasks} placed, ${((n / Math.max(1, Date.now() - runStarted)) * 1000).toFixed(0)}/s`),
    });
    const runRate = drive.placed / (drive.ms / 1000);
    runP.done(`${drive.placed}/${runTasks} placed in ${(drive.ms / 1000).toFixed(1)} s: ${runRate.toFixed(0)}/s${Object.keys(drive.failures).length ? `; failures ${JSON.stringify(drive.failures)}` : ""}`);
    await sampleAll();
    const runCores = watches.map((w) => w.coreShare());
    const runEtcd = etcdWatch.coreShare();

    // Service-driven placements: create the services, count their tasks as etcd holds them.
    let serviceRate: number | undefined;
    let serviceMs: number | undefined;
    if (o.services > 0) {
      const kv = new etcd3.Etcd3({ hosts: s.etcd.endpoint });
      try {
        const count = () => kv.getAll().prefix(`/berth/v1/tasks/${CLUSTER}/`).count();
        const before = await count();
        const svcP = progress("services");
        const svcStarted = Date.now();
        await createServices(ecs, CLUSTER, FAMILY, serviceCounts(o.services, o.serviceTasks), deadline);
        liveServices = serviceNames(o.services);
        serviceMs = await waitFor(svcP, svcStarted, async () => {
          const n = (await count()) - before;
          return { ok: n >= o.serviceTasks, text: `${n}/${o.serviceTasks} service tasks persisted, ${((n / Math.max(1, Date.now() - svcStarted)) * 1000).toFixed(0)}/s` };
        }, left(), 250);
        serviceRate = o.serviceTasks / (serviceMs / 1000);
      } finally {
        kv.close();
      }
    }

    // Every task RUNNING: the fleet says its containers run, then the control plane's records agree.
    const allP = progress("all RUNNING");
    await waitFor(allP, runStarted, async () => {
      const st = await fleet.status();
      return { ok: st.running >= o.tasks, text: `${st.running}/${o.tasks} containers running in the fleet (fleet RSS ${mib(st.rssBytes)})` };
    }, sinceRun(), 1_000);
    const recP = progress("all RUNNING (records)");
    const allRunningMs = await waitFor(recP, runStarted, async () => {
      const c = (await ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }))).clusters?.[0];
      return { ok: (c?.runningTasksCount ?? 0) >= o.tasks, text: `${c?.runningTasksCount ?? 0}/${o.tasks} RUNNING, ${c?.pendingTasksCount ?? 0} PENDING (DescribeClusters)` };
    }, sinceRun(), 2_000);
    await reads.stop();
    // The sessions again, now each with its tasks: what an idle fleet in use costs.
    const idleWithTasks = await measureIdle("idle sessions, every task RUNNING");

    // ListTasks through every task, and what etcd and the control plane hold now.
    const walkP = progress("ListTasks walk");
    walkP.update("paging");
    const walk = await walkListTasks(ecs, CLUSTER, Math.ceil(o.tasks / 100) + 10);
    walkP.done(`${walk.arns} ARNs on ${walk.pages} pages, ${walk.distinct} distinct, in ${(walk.ms / 1000).toFixed(1)} s`);
    await sampleAll();
    const dbBytes = await etcdDbSize(s.etcd.endpoint);
    const conflicts = await txnConflicts(cps.replicas.map((r) => r.endpoint));
    const fleetStatus = await fleet.status();

    const ceilP = progress("etcd ceiling");
    ceilP.update("raw puts in transactions of 10");
    const ceiling = await etcdCeiling(s.etcd.endpoint, CLUSTER, Math.max(2_000, Math.min(o.tasks, 20_000)), o.concurrency);
    ceilP.done(`${ceiling.putsPerSec.toFixed(0)} puts/s (${ceiling.recordBytes} B values, ${o.concurrency} writers)`);

    let agentRss: number | undefined;
    if (o.realAgent) {
      const agP = progress("real agent");
      agP.update("starting a Docker agent and letting it idle 15 s");
      const real = await realAgentIdleRss(addresses[0], CLUSTER, ecs, o.instances + 1, Math.min(left(), 90_000));
      s.stopRealAgent = real.stop;
      agentRss = real.rssBytes;
      agP.done(mib(agentRss));
    }

    const worstP99 = Math.max(runLat.percentile(99), listLat.percentile(99), o.services ? describeLat.percentile(99) : 0);
    const peakRss = Math.max(...watches.map((w) => w.peakRssBytes));
    printTable(`bench:scale — ${o.instances} instances, ${o.tasks} tasks, ${o.replicas} replica(s)`, ["figure", "value"], [
      ["fleet: agents registered and connected", `${(fleetMs / 1000).toFixed(1)} s (${fleet.pids.length} processes, fleet RSS ${mib(fleetStatus.rssBytes)})`],
      ["RunTask: tasks placed (calls, retried after a lost race)", `${drive.placed} (${drive.calls}, ${drive.conflictRetries})`],
      ["placements/s persisted, RunTask-driven", runRate.toFixed(0)],
      ["placements/s persisted, service-driven", serviceRate === undefined ? "— (no services)" : `${serviceRate.toFixed(0)} (${o.serviceTasks} tasks in ${((serviceMs ?? 0) / 1000).toFixed(1)} s)`],
      ["time until all tasks RUNNING (records)", `${(allRunningMs / 1000).toFixed(1)} s`],
      ["RunTask p50 / p99", `${ms(runLat.percentile(50))} / ${ms(runLat.percentile(99))} (${runLat.samples.length} calls, ${runLat.errors} errors)`],
      ["ListTasks (first page) p50 / p99", `${ms(listLat.percentile(50))} / ${ms(listLat.percentile(99))} (${listLat.samples.length})`],
      ["DescribeServices p50 / p99", o.services ? `${ms(describeLat.percentile(50))} / ${ms(describeLat.percentile(99))} (${describeLat.samples.length})` : "— (no services)"],
      ["control-plane CPU: idle sessions / RunTask phase / idle, every task RUNNING", `${idleCores.toFixed(2)} / ${runCores.map((c) => c.toFixed(2)).join(", ")} / ${idleWithTasks.cores.toFixed(2)} cores`],
      ["etcd CPU: idle sessions / RunTask phase", `${idleEtcd.toFixed(2)} / ${runEtcd.toFixed(2)} cores`],
      ["control-plane RSS (largest seen / now)", `${mib(peakRss)} / ${watches.map((w) => mib(w.lastRssBytes)).join(", ")}`],
      ["etcd database size", mib(dbBytes)],
      ["guarded etcd writes that lost a race (berth_etcd_txn_conflicts_total)", String(conflicts)],
      ["etcd ceiling: raw puts, txns of 10", `${ceiling.putsPerSec.toFixed(0)}/s; berth's RunTask rate is ${((runRate / ceiling.putsPerSec) * 100).toFixed(1)} % of it`],
      ["ListTasks walk: pages, ARNs, distinct", `${walk.pages}, ${walk.arns}, ${walk.distinct} (every task once: ${walk.distinct === walk.arns && walk.arns === o.tasks ? "yes" : "NO"})`],
      ["ListTasks walk: p50 / p99 per page", `${ms(walk.pageLatencies.percentile(50))} / ${ms(walk.pageLatencies.percentile(99))}`],
      ["a real agent's idle RSS", o.realAgent ? mib(agentRss) : "— (--no-real-agent)"],
    ]);
    printTable("issue 12's goals", ["figure", "goal", "today", "verdict"], [
      goalRow(goals.placements, runRate),
      ...(serviceRate === undefined ? [] : [goalRow(goals.servicePlacements, serviceRate)]),
      goalRow(goals.idleCpu, Math.max(idleCores, idleWithTasks.cores)),
      goalRow(goals.apiP99, worstP99),
      goalRow(goals.rss, peakRss / 1024 / 1024),
      ...(agentRss === undefined ? [] : [goalRow(goals.agentRss, agentRss / 1024 / 1024)]),
      goalRow(goals.listP99, walk.pageLatencies.percentile(99)),
    ], [`goals are for 5,000 instances / 50,000 tasks; this run had ${o.instances} / ${o.tasks}`]);
    if (walk.distinct !== o.tasks || walk.arns !== o.tasks) throw new Error(`ListTasks walk saw ${walk.arns} ARNs (${walk.distinct} distinct) for ${o.tasks} tasks`);
  } finally {
    clearInterval(sampler);
  }
}

/** Stops what `s` holds, in reverse order of starting; each step bounded by its own stop(). */
async function cleanup(s: Started): Promise<void> {
  await s.stopRealAgent?.().catch(() => {});
  await s.fleet?.stop().catch(() => {});
  await s.cps?.stop().catch(() => {});
  await s.etcd?.stop().catch(() => {});
  if (s.dataRoot) await rm(s.dataRoot, { recursive: true, force: true });
}

async function main(): Promise<number> {
  let o: ScaleOptions;
  try {
    o = parseScaleArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof CommanderError && (err.code === "commander.helpDisplayed" || err.code === "commander.help")) {
      process.stdout.write(scaleCommand().helpInformation());
      return 0;
    }
    process.stderr.write(`bench:scale: ${(err as Error).message}\n`);
    return 2;
  }
  const s: Started = {};
  const hardStop = setTimeout(() => {
    process.stderr.write(`bench:scale: the run passed --timeout ${o.timeoutSec} s; cleaning up\n`);
    void cleanup(s).finally(() => process.exit(1));
  }, o.timeoutSec * 1000 + 60_000);
  hardStop.unref();
  const interrupted = () => void cleanup(s).finally(() => process.exit(130));
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  let code = 0;
  // The idle measurements' spans, so the profiles can say where an idle session's time goes.
  const windows: { label: string; window: ProfileWindow }[] = [];
  try {
    await run(o, s, windows);
  } catch (err) {
    process.stderr.write(`bench:scale failed: ${(err as Error).stack ?? err}\n`);
    code = 1;
  } finally {
    await cleanup(s);
    clearTimeout(hardStop);
  }
  // The replicas wrote their profiles as they exited in cleanup.
  if (o.cpuProf) await printProfiles(resolve(o.cpuProf), windows).catch((err) => process.stderr.write(`no profile summary: ${(err as Error).message}\n`));
  return code;
}

async function printProfiles(dir: string, windows: { label: string; window: ProfileWindow }[]): Promise<void> {
  for (const { file, label, summary, inclusive } of await summariseDir(dir, 12, windows)) {
    const rows = (xs: { name: string; share: number }[]) => xs.map((x) => [x.name, `${(x.share * 100).toFixed(1)} %`]);
    printTable(`control-plane CPU profile ${file}, ${label} (${summary.samples} samples, ${(summary.idle * 100).toFixed(1)} % idle): busy self time by file`, ["file", "share"], rows(summary.files));
    printTable("self time by frame", ["frame", "share"], rows(summary.frames));
    printTable("busy time under the control plane's own functions (inclusive)", ["function", "share"], rows(inclusive));
  }
}

main().then((code) => process.exit(code));

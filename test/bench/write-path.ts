import { CreateClusterCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import etcd3 from "etcd3";
import { core, keys } from "@berth/controlplane";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { holdSession, registerInstanceOverGrpc, type HeldSession } from "../support/grpc-agent.js";
import { BENCH_PREFIX } from "./docker-cli.js";
import { median, progress } from "./report.js";

/** Results of the write-path benchmark. */
export interface WritePathResult {
  tasks: number;
  instances: number;
  batch: number;
  /** berth: core.runTasks in batches, as RunTask calls it. */
  berthMs: number;
  /** Mean milliseconds of the first and of the last ten calls: how a call's cost grows with the cluster. */
  firstCallsMs: number;
  lastCallsMs: number;
  /** Mean stored size of a berth task record, bytes. */
  recordBytes: number;
  /** Raw etcd: puts of small JSON values in transactions of `txnOps`, median of `repeats`. */
  rawSmallMs: number;
  smallBytes: number;
  /** Raw etcd: the same, with values as large as berth's task records. */
  rawSizedMs: number;
  /** Raw etcd: task-record-sized values in transactions of `batch` puts, one per RunTask call. */
  rawBatchMs: number;
  txnOps: number;
  repeats: number;
}

/** A control plane with `instances` connected instances (sessions held over gRPC; nothing runs). */
export async function startPlacementCluster(cluster: string, instances: number, size: { cpu: number; memory: number }) {
  const t = await startTestControlPlane();
  const sessions: HeldSession[] = [];
  try {
    await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await t.ecs.send(new RegisterTaskDefinitionCommand({ family: `${BENCH_PREFIX}-tiny`, containerDefinitions: [{ name: "a", image: "x", memory: 1, cpu: 1 }] }));
    for (let i = 0; i < instances; i++) {
      const arn = await registerInstanceOverGrpc(t.grpcAddress, { cluster, registered: { ...size, ports: [], portsUdp: [] }, hostname: `sim-${i}` });
      sessions.push(await holdSession(t.grpcAddress, cluster, arn));
    }
  } catch (err) {
    for (const s of sessions) s.close();
    await t.stop();
    throw err;
  }
  return {
    t,
    td: await core.resolveTaskDefinition(t.cp.ctx, `${BENCH_PREFIX}-tiny`),
    async stop() {
      for (const s of sessions) s.close();
      await t.stop();
    },
  };
}

/**
 * Puts `count` values under `prefix` in sequential transactions of `txnOps` puts each, straight
 * through etcd3's KV client (no guards, no reads): the batch-write limit of this etcd.
 */
export async function rawPuts(client: InstanceType<typeof etcd3.Etcd3>, prefix: string, count: number, txnOps: number, value: Buffer): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i += txnOps) {
    const success = Array.from({ length: Math.min(txnOps, count - i) }, (_, j) => ({
      request_put: { key: Buffer.from(`${prefix}/${String(i + j).padStart(6, "0")}`), value },
    }));
    await client.kv.txn({ success });
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Sequential core.runTasks calls of `batch` tasks until `total` are placed; total and per-call milliseconds. */
async function berthPlacements(t: TestControlPlane, cluster: string, td: Awaited<ReturnType<typeof core.resolveTaskDefinition>>, total: number, batch: number): Promise<{ ms: number; calls: number[] }> {
  const p = progress(`core.runTasks ${total} tasks in batches of ${batch}`);
  const started = process.hrtime.bigint();
  const calls: number[] = [];
  let placed = 0;
  while (placed < total) {
    const callStarted = process.hrtime.bigint();
    const res = await core.runTasks(t.cp.ctx, { cluster, taskDefinition: td, count: Math.min(batch, total - placed) });
    calls.push(Number(process.hrtime.bigint() - callStarted) / 1e6);
    if (res.tasks.length === 0) throw new Error(`placement stopped at ${placed}: ${JSON.stringify(res.failures)}`);
    placed += res.tasks.length;
    p.update(`${placed}/${total} placed`);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  p.done(`${placed}/${total} placed`);
  return { ms, calls };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * berth's placement write path (snapshot, plan, guarded transaction per RunTask batch) against
 * raw etcd batch puts on the same etcd, in the same run.
 */
export async function benchWritePath(opts: { tasks: number; instances: number; batch: number; txnOps: number; repeats: number }): Promise<WritePathResult> {
  const cluster = `${BENCH_PREFIX}-writes`;
  const env = await startPlacementCluster(cluster, opts.instances, { cpu: 4096, memory: 8192 });
  const client = new etcd3.Etcd3({ hosts: env.t.etcd.endpoint });
  try {
    const { ms: berthMs, calls } = await berthPlacements(env.t, cluster, env.td, opts.tasks, opts.batch);
    const stored = await client.getAll().prefix(keys.tasks(cluster)).buffers();
    const sizes = Object.values(stored).map((b) => b.length);
    const recordBytes = Math.round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length));

    const small = Buffer.from(JSON.stringify({ id: "0123456789abcdef", status: "RUNNING", instance: "i-0123456789", n: 1 }));
    const sized = Buffer.alloc(recordBytes, "x");
    const smallRuns: number[] = [];
    const sizedRuns: number[] = [];
    const batchRuns: number[] = [];
    for (let r = 0; r < opts.repeats; r++) {
      smallRuns.push(await rawPuts(client, `/${BENCH_PREFIX}/raw-small/${r}`, opts.tasks, opts.txnOps, small));
      sizedRuns.push(await rawPuts(client, `/${BENCH_PREFIX}/raw-sized/${r}`, opts.tasks, opts.txnOps, sized));
      batchRuns.push(await rawPuts(client, `/${BENCH_PREFIX}/raw-batch/${r}`, opts.tasks, opts.batch, sized));
    }
    return {
      tasks: opts.tasks,
      instances: opts.instances,
      batch: opts.batch,
      berthMs,
      firstCallsMs: mean(calls.slice(0, 10)),
      lastCallsMs: mean(calls.slice(-10)),
      recordBytes,
      rawSmallMs: median(smallRuns),
      smallBytes: small.length,
      rawSizedMs: median(sizedRuns),
      rawBatchMs: median(batchRuns),
      txnOps: opts.txnOps,
      repeats: opts.repeats,
    };
  } finally {
    client.close();
    await env.stop();
  }
}

/**
 * The scale bench's side measurements: how many instances are connected, etcd's own batch write
 * ceiling on the same etcd, and a real (Docker) agent's idle RSS.
 */
import { DescribeContainerInstancesCommand, paginateListContainerInstances, type ECSClient } from "@aws-sdk/client-ecs";
import etcd3 from "etcd3";
import { removeDir, startTestAgent } from "../../support/berth.js";
import { ensureTestImage } from "../../support/docker.js";
import { rawPuts } from "../write-path.js";
import { sampleProc } from "./measure.js";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** Instances of `cluster` registered and connected, read page by page through the ECS API. */
export async function connectedInstances(ecs: ECSClient, cluster: string): Promise<number> {
  let connected = 0;
  for await (const page of paginateListContainerInstances({ client: ecs, pageSize: 100 }, { cluster })) {
    const arns = page.containerInstanceArns ?? [];
    if (arns.length === 0) continue;
    const cis = (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances ?? [];
    connected += cis.filter((c) => c.agentConnected).length;
  }
  return connected;
}

/** etcd's raw write rate on this machine, measured beside berth's. */
export interface EtcdCeiling {
  putsPerSec: number;
  recordBytes: number;
}

/**
 * Puts `count` values as large as berth's mean task record in transactions of 10 (a RunTask
 * batch), from `writers` writers at once as the bench's RunTask callers are: etcd's ceiling
 * for the same shape of write, with no reads, guards or JSON. Cleans its keys up after.
 */
export async function etcdCeiling(endpoint: string, cluster: string, count: number, writers: number): Promise<EtcdCeiling> {
  const client = new etcd3.Etcd3({ hosts: endpoint });
  const prefix = "/scale-ceiling";
  try {
    const sample = await client.getAll().prefix(`/berth/v1/tasks/${cluster}/`).limit(200).buffers();
    const sizes = Object.values(sample).map((b) => b.length);
    const recordBytes = Math.round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length)) || 1500;
    const value = Buffer.alloc(recordBytes, "x");
    const per = Math.ceil(count / writers);
    const started = performance.now();
    await Promise.all(Array.from({ length: writers }, (_, w) => rawPuts(client, `${prefix}/${w}`, per, 10, value)));
    const putsPerSec = (per * writers) / ((performance.now() - started) / 1000);
    await client.delete().prefix(`${prefix}/`).exec();
    return { putsPerSec, recordBytes };
  } finally {
    client.close();
  }
}

/**
 * Starts the built agent as its own process on this machine's Docker, waits until `expected`
 * instances are connected (the fleet plus it), lets it idle 15 s and reads its VmRSS.
 */
export async function realAgentIdleRss(grpcAddress: string, cluster: string, ecs: ECSClient, expected: number, timeoutMs: number): Promise<{ rssBytes: number; stop(): Promise<void> }> {
  await ensureTestImage();
  const agent = await startTestAgent({ grpcAddress, cluster, env: { BERTH_LOG_LEVEL: "info" } });
  const stop = async () => {
    await agent.stop();
    await removeDir(agent.dataDir);
  };
  try {
    const deadline = Date.now() + timeoutMs;
    while ((await connectedInstances(ecs, cluster)) < expected) {
      if (Date.now() > deadline) throw new Error(`the real agent did not connect within ${timeoutMs} ms\n${agent.output()}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    await new Promise((r) => setTimeout(r, 15_000));
    const { rssBytes } = await sampleProc(agent.child.pid!);
    return { rssBytes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Asks each process of `pids` (started with --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=dir)
 * for a heap snapshot and waits until each new file in `dir` stops growing; returns their paths.
 */
export async function heapSnapshots(dir: string, pids: number[], timeoutMs = 180_000): Promise<string[]> {
  const before = new Set(await readdir(dir));
  for (const pid of pids) process.kill(pid, "SIGUSR2");
  const deadline = Date.now() + timeoutMs;
  const sizes = new Map<string, number>();
  for (;;) {
    await new Promise((r) => setTimeout(r, 2_000));
    const fresh = (await readdir(dir)).filter((f) => f.endsWith(".heapsnapshot") && !before.has(f));
    let stable = fresh.length >= pids.length;
    for (const f of fresh) {
      const size = (await stat(join(dir, f))).size;
      if (sizes.get(f) !== size || size === 0) stable = false;
      sizes.set(f, size);
    }
    if (stable) return fresh.map((f) => join(dir, f));
    if (Date.now() > deadline) throw new Error(`heap snapshots not written within ${timeoutMs} ms (have ${fresh.join(", ") || "none"})`);
  }
}

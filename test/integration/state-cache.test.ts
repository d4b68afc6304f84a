// A replica's watched cache of tasks and instances (core/cache) against a real etcd: a watch
// delivers other writers' changes, compaction during an outage forces a re-list, a broken
// watch recovers, and a read after this replica's own write sees it at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskRecord } from "@berth/shared";
import { Kv, Store, Txn, core, keys } from "@berth/controlplane";
import { eventually, testLogger } from "../support/berth.js";
import { etcdProxy, startEtcd, type EtcdProxy, type EtcdServer } from "../support/etcd.js";

let etcd: EtcdServer;
/** Another writer, straight to etcd (another replica, say). */
let other: Store;

beforeAll(async () => {
  etcd = await startEtcd();
  other = new Store(Kv.connect(etcd.endpoint));
});
afterAll(async () => {
  other?.close();
  await etcd?.stop();
});

const task = (cluster: string, id: string, lastStatus = "PENDING") => ({ id, cluster, containerInstanceId: "i-1", lastStatus, desiredStatus: "RUNNING" }) as TaskRecord;
const put = (store: Store, t: TaskRecord) => store.kv.commit(new Txn().put(keys.task(t.cluster, t.id), t));
const ids = async (ctx: core.CoreContext, cluster: string) => (await core.readTasks(ctx, cluster)).items.map((i) => i.value.id);

/** A replica's context over `endpoint` with a started cache. */
async function replica(endpoint: string): Promise<core.CoreContext & { cache: core.StateCache }> {
  const store = new Store(Kv.connect(endpoint));
  const log = testLogger();
  const cache = await core.StateCache.start(store.kv, log);
  return { store, cache, log, now: Date.now, scope: { region: "us-east-1", account: "000000000000" } };
}
async function stop(ctx: core.CoreContext) {
  await ctx.cache?.close();
  ctx.store.close();
}

describe("state cache", () => {
  it("lists what is there, then the watch delivers puts and deletes of other writers", async () => {
    await put(other, task("sc-1", "t0"));
    const ctx = await replica(etcd.endpoint);
    try {
      expect(await ids(ctx, "sc-1")).toEqual(["t0"]);
      await put(other, task("sc-1", "t1"));
      await other.kv.commit(new Txn().delete(keys.task("sc-1", "t0")));
      await eventually("the watch to bring the put and the delete", async () => ((await ids(ctx, "sc-1")).join() === "t1" ? true : undefined), 5_000, 20);
      // listings of one cluster never take another's keys
      await put(other, task("sc-10", "x"));
      await eventually("sc-10's task", async () => ((await ids(ctx, "sc-10")).length === 1 ? true : undefined), 5_000, 20);
      expect(await ids(ctx, "sc-1")).toEqual(["t1"]);
      expect(ctx.cache.stats.relists).toBe(0);
    } finally {
      await stop(ctx);
    }
  });

  it("read-your-writes: a read right after this replica's write sees it, without polling", async () => {
    const ctx = await replica(etcd.endpoint);
    try {
      for (let i = 0; i < 20; i++) {
        await put(ctx.store, task("sc-ryw", `t${String(i).padStart(2, "0")}`, "PENDING"));
        expect((await ids(ctx, "sc-ryw")).length).toBe(i + 1);
        await put(ctx.store, task("sc-ryw", `t${String(i).padStart(2, "0")}`, "RUNNING"));
        expect((await core.readTask(ctx, "sc-ryw", `t${String(i).padStart(2, "0")}`))?.value.lastStatus).toBe("RUNNING");
      }
      expect(ctx.cache.stats.fallbacks).toBe(0);
    } finally {
      await stop(ctx);
    }
  });

  it("a watch cut off recovers and catches up with what was written meanwhile", async () => {
    const proxy: EtcdProxy = await etcdProxy(etcd.endpoint);
    const ctx = await replica(proxy.endpoint);
    try {
      await put(other, task("sc-cut", "before"));
      await eventually("the first write", async () => ((await ids(ctx, "sc-cut")).length === 1 ? true : undefined), 5_000, 20);
      proxy.cut("reset");
      await put(other, task("sc-cut", "during"));
      await new Promise((r) => setTimeout(r, 500));
      proxy.heal();
      await eventually("the write made during the cut", async () => ((await ids(ctx, "sc-cut")).join() === "before,during" ? true : undefined), 20_000, 50);
    } finally {
      await stop(ctx);
      await proxy.close();
    }
  });

  it("re-lists after compaction, round after round, each watching on and closing promptly", async () => {
    // a watch etcd cancelled for compaction and berth cancelled again stalled etcd3's shared
    // watch stream about 1 round in 8: the re-list's new watch never started (store/watch.ts)
    for (let round = 0; round < 16; round++) {
      const cluster = `sc-rounds-${round}`;
      const proxy = await etcdProxy(etcd.endpoint);
      const ctx = await replica(proxy.endpoint);
      try {
        await put(other, task(cluster, "gone"));
        await eventually("the first write", async () => ((await ids(ctx, cluster)).length === 1 ? true : undefined), 5_000, 20);
        proxy.cut("reset");
        // the writes and the heal land at varying points of the client's reconnect backoff
        await new Promise((r) => setTimeout(r, (round * 37) % 300));
        await other.kv.commit(new Txn().delete(keys.task(cluster, "gone")));
        const rev = await put(other, task(cluster, "new"));
        await other.kv.client.kv.compact({ revision: rev, physical: true });
        await new Promise((r) => setTimeout(r, (round * 53) % 300));
        proxy.heal();
        await eventually(`round ${round}: the re-list`, async () => ((await ids(ctx, cluster)).join() === "new" ? true : undefined), 20_000, 20);
        await put(other, task(cluster, "after"));
        await eventually(`round ${round}: a write after the re-list`, async () => ((await ids(ctx, cluster)).join() === "after,new" ? true : undefined), 5_000, 20);
      } finally {
        const closing = Date.now();
        await stop(ctx);
        expect(Date.now() - closing, `round ${round}: closing the cache`).toBeLessThan(5_000);
        await proxy.close();
      }
    }
  });

  it("compaction past the watch's revision during an outage forces a re-list that drops deleted keys", async () => {
    const proxy: EtcdProxy = await etcdProxy(etcd.endpoint);
    const ctx = await replica(proxy.endpoint);
    try {
      await put(other, task("sc-compact", "gone"));
      await put(other, task("sc-compact", "kept"));
      await eventually("both tasks", async () => ((await ids(ctx, "sc-compact")).length === 2 ? true : undefined), 5_000, 20);
      proxy.cut("reset");
      await other.kv.commit(new Txn().delete(keys.task("sc-compact", "gone")));
      const rev = await put(other, task("sc-compact", "new"));
      // compact every revision the cut-off watch has not seen, so it cannot resume
      await other.kv.client.kv.compact({ revision: rev, physical: true });
      proxy.heal();
      await eventually("the re-list", async () => ((await ids(ctx, "sc-compact")).join() === "kept,new" ? true : undefined), 30_000, 50);
      expect(ctx.cache.stats.relists).toBeGreaterThanOrEqual(1);
      // and it watches again from the listing
      await put(other, task("sc-compact", "after"));
      await eventually("a write after the re-list", async () => ((await ids(ctx, "sc-compact")).join() === "after,kept,new" ? true : undefined), 5_000, 20);
    } finally {
      await stop(ctx);
      await proxy.close();
    }
  });
});

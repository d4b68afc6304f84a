// The task feed agent sessions share: one etcd watch per cluster on a replica, each task write
// decoded once and handed only to the sessions of its instance; or, on a replica with the
// watched cache, the cache's own changes and its per-instance listing. Against a real etcd.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskRecord } from "@berth/shared";
import { Kv, Store, TaskFeeds, Txn, core, keys, type TaskFeedHandlers } from "@berth/controlplane";
import { eventually, testLogger } from "../support/berth.js";
import { startEtcd, type EtcdServer } from "../support/etcd.js";

let etcd: EtcdServer;
let store: Store;

beforeAll(async () => {
  etcd = await startEtcd();
  store = new Store(Kv.connect(etcd.endpoint));
});
afterAll(async () => {
  store?.close();
  await etcd?.stop();
});

/** Records what one subscriber hears. */
function listener(): TaskFeedHandlers & { puts: string[]; deletes: string[] } {
  const puts: string[] = [];
  const deletes: string[] = [];
  return { puts, deletes, put: (t, rev) => puts.push(`${t.id}@${rev}`), delete: (id) => deletes.push(id) };
}
const put = (cluster: string, id: string, instance: string) =>
  store.kv.commit(new Txn().put(keys.task(cluster, id), { id, cluster, containerInstanceId: instance } as TaskRecord));

describe("task feeds", () => {
  it("one feed per cluster, each write only to its instance's subscribers, deletes to all; the last to leave stops it", async () => {
    const feeds = new TaskFeeds(store.kv, testLogger());
    const a = listener();
    const a2 = listener();
    const b = listener();
    const other = listener();
    const subs = [
      await feeds.subscribe("feed-1", "i-a", a),
      await feeds.subscribe("feed-1", "i-a", a2),
      await feeds.subscribe("feed-1", "i-b", b),
      await feeds.subscribe("feed-2", "i-a", other),
    ];
    expect(feeds.size).toBe(2);

    const rev1 = await put("feed-1", "t1", "i-a");
    const rev2 = await put("feed-1", "t2", "i-b");
    await store.kv.commit(new Txn().delete(keys.task("feed-1", "t1")));
    await eventually("the delete to reach every subscriber of feed-1", async () => (b.deletes.length > 0 && a2.deletes.length > 0 ? true : undefined), 5_000, 20);
    expect(a.puts).toEqual([`t1@${rev1}`]);
    expect(a2.puts).toEqual([`t1@${rev1}`]);
    expect(b.puts).toEqual([`t2@${rev2}`]);
    expect(b.deletes).toEqual(["t1"]);
    // another cluster's feed hears nothing of feed-1, though its instance has the same id
    expect(other.puts).toEqual([]);
    expect(other.deletes).toEqual([]);

    for (const s of subs) await s.close();
    expect(feeds.size).toBe(0);
    // a closed subscription hears nothing more; a new one starts a fresh feed from now
    const late = listener();
    const again = await feeds.subscribe("feed-1", "i-a", late);
    const rev3 = await put("feed-1", "t3", "i-a");
    await eventually("the new feed to deliver", async () => (late.puts.length > 0 ? true : undefined), 5_000, 20);
    expect(late.puts).toEqual([`t3@${rev3}`]);
    expect(a.puts).toHaveLength(1);
    await again.close();
  });

  it("over the replica's cache: a session's listing is its instance's tasks, and every later write reaches it once", async () => {
    await put("feed-c", "before-a", "i-a");
    await put("feed-c", "before-b", "i-b");
    const cache = await core.StateCache.start(store.kv, testLogger());
    const feeds = new TaskFeeds(store.kv, testLogger(), cache);
    try {
      const a = listener();
      const b = listener();
      const subA = await feeds.subscribe("feed-c", "i-a", a);
      await feeds.subscribe("feed-c", "i-b", b);
      // the cached feed opens no watch of its own
      expect(feeds.size).toBe(0);
      const listed = await feeds.list("feed-c", "i-a");
      expect(listed.tasks.map((t) => t.id)).toEqual(["before-a"]);
      const rev1 = await put("feed-c", "t1", "i-a");
      const rev2 = await put("feed-c", "t2", "i-b");
      expect(BigInt(rev1)).toBeGreaterThan(listed.revision);
      await store.kv.commit(new Txn().delete(keys.task("feed-c", "t1")));
      await eventually("the delete to reach i-a's subscriber", async () => (a.deletes.length > 0 ? true : undefined), 5_000, 20);
      expect(a.puts).toEqual([`t1@${rev1}`]);
      expect(b.puts).toEqual([`t2@${rev2}`]);
      // a delete goes to the sessions of the instance the task was on, not the whole cluster
      expect(b.deletes).toEqual([]);
      await subA.close();
      await put("feed-c", "t3", "i-a");
      const rev4 = await put("feed-c", "t4", "i-b");
      await eventually("b to hear t4", async () => (b.puts.length === 2 ? true : undefined), 5_000, 20);
      expect(b.puts[1]).toBe(`t4@${rev4}`);
      expect(a.puts).toHaveLength(1);
      // a closed cache: the listing reads etcd, with the same answer
      await cache.close();
      expect((await feeds.list("feed-c", "i-b")).tasks.map((t) => t.id)).toEqual(["before-b", "t2", "t4"]);
    } finally {
      await cache.close();
    }
  });
});

// The change feed behind the console's live updates: etcd watches shared by every reader of a
// cluster on a replica, batched notices naming what changed, and the server-sent-events route
// that carries them (GET /berth/v1/events/stream). Against a real etcd and control plane.
import { CreateClusterCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskRecord } from "@berth/shared";
import { Kv, Store, Txn, core, keys } from "@berth/controlplane";
import { eventually, startTestControlPlane, testLogger, type TestControlPlane } from "../support/berth.js";
import { startEtcd, type EtcdServer } from "../support/etcd.js";
import { TEST_IMAGE } from "../support/image.js";

describe("change feeds", () => {
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

  it("one feed per cluster shared by its listeners, writes batched and named once, the last to leave stops it", async () => {
    const feeds = new core.ChangeFeeds(store.kv, testLogger());
    const heard: core.ChangeNotice[][] = [[], [], []];
    const subs = [
      await feeds.subscribe("c1", (n) => heard[0].push(...n)),
      await feeds.subscribe("c1", (n) => heard[1].push(...n)),
      await feeds.subscribe("c2", (n) => heard[2].push(...n)),
    ];
    expect(feeds.size).toBe(2);
    // Three writes of one task in one burst are one notice; another cluster's task is not heard.
    for (let i = 0; i < 3; i++) await store.kv.commit(new Txn().put(keys.task("c1", "t1"), { id: "t1", cluster: "c1", lastStatus: `S${i}` } as unknown as TaskRecord));
    await store.kv.commit(new Txn().put(keys.task("c3", "tx"), { id: "tx" } as unknown as TaskRecord));
    await store.kv.commit(new Txn().put(keys.service("c1", "web"), { serviceName: "web" }));
    await store.kv.commit(new Txn().delete(keys.instance("c1", "i-gone")));
    await eventually("both c1 listeners to hear the service", async () => (heard.slice(0, 2).every((h) => h.some((n) => n.kind === "service")) ? true : undefined), 5_000, 20);
    expect(heard[0].filter((n) => n.kind === "task")).toEqual([{ kind: "task", id: "t1" }]);
    expect(heard[1]).toEqual(heard[0]);
    expect(heard[2]).toEqual([]);

    await subs[0].close();
    expect(feeds.size).toBe(2);
    await subs[1].close();
    await subs[2].close();
    expect(feeds.size).toBe(0);
  });
});

describe("GET /berth/v1/events/stream", () => {
  let t: TestControlPlane;
  const cluster = `events-${process.pid}`;
  beforeAll(async () => {
    t = await startTestControlPlane();
    await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("opens with ready, then names a registered task definition in a change event", async () => {
    const abort = new AbortController();
    const res = await fetch(`${t.endpoint}/berth/v1/events/stream?cluster=${cluster}`, { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = res.body!.getReader();
    let text = "";
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    await until(/event: ready\ndata: \{"cluster":"[^"]+"\}\n\n/);
    await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "feed-web", containerDefinitions: [{ name: "web", image: TEST_IMAGE, memory: 16 }] }));
    await until(/event: change\ndata: .*"kind":"taskDefinition","id":"feed-web:1"/);
    abort.abort();
  });

  it("refuses an unknown cluster before the stream opens", async () => {
    const res = await fetch(`${t.endpoint}/berth/v1/events/stream?cluster=nope-${process.pid}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toMatch(/ClusterNotFoundException/);
  });
});

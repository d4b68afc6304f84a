// One session's task role credentials (api/agent/task-credentials.ts) against a real etcd
// behind a proxy a test can cut: a task whose record cannot be read is kept and rotated once
// etcd is back, rotations do not overlap, nothing is sent after close, and a stopped task goes.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlMessage, TaskSpec } from "@berth/proto";
import type { TaskRecord } from "@berth/shared";
import { Kv, SessionCredentials, Store, Txn, core, keys } from "@berth/controlplane";
import { eventually, testLogger } from "../support/berth.js";
import { etcdProxy, startEtcd, type EtcdProxy, type EtcdServer } from "../support/etcd.js";

let etcd: EtcdServer;
let proxy: EtcdProxy;
let direct: Store;
let store: Store;

beforeAll(async () => {
  etcd = await startEtcd();
  proxy = await etcdProxy(etcd.endpoint);
  direct = new Store(Kv.connect(etcd.endpoint));
  store = new Store(Kv.connect(proxy.endpoint));
});
afterAll(async () => {
  store?.close();
  direct?.close();
  await proxy?.close();
  await etcd?.stop();
});

const cluster = `tcs-${process.pid}`;
const arn = `arn:aws:ecs:us-east-1:000000000000:task/${cluster}/t1`;
const record = (status: string) => ({ id: "t1", arn, cluster, containerInstanceId: "i-1", lastStatus: status, desiredStatus: status }) as TaskRecord;
const spec = { taskArn: arn, desiredStatus: "RUNNING", taskDefinitionJson: JSON.stringify({ taskRoleArn: "arn:aws:iam::000000000000:role/r" }), overridesJson: "" } as TaskSpec;

describe("SessionCredentials", () => {
  it("keeps a task it cannot read, rotates one round at a time, sends nothing after close, drops a stopped task", async () => {
    await direct.kv.commit(new Txn().put(keys.task(cluster, "t1"), record("RUNNING")));
    let now = Date.now();
    const sent: ControlMessage[] = [];
    const ctx: core.CoreContext = { store, log: testLogger(), now: () => now, scope: { region: "us-east-1", account: "000000000000" }, vault: new core.Vault(randomBytes(32)) };
    const s = new SessionCredentials(ctx, (m) => sent.push(m), testLogger(), 4000);
    try {
      s.forPayload([spec]);
      expect(sent).toHaveLength(1);

      // etcd away when they are due: nothing sent, and the task is not forgotten.
      now += 3000;
      proxy.cut("reset");
      await s.rotate();
      expect(sent).toHaveLength(1);
      proxy.heal();
      // A dropped task would never come again: kept, it is rotated once the client reconnects.
      await eventually("rotation after etcd is back", async () => (await s.rotate(), sent.length === 2 ? true : undefined), 15_000);
      expect(sent).toHaveLength(2);

      // Two rounds at once: one runs, the other does not start over it.
      now += 3000;
      await Promise.all([s.rotate(), s.rotate()]);
      expect(sent).toHaveLength(3);

      // Stopped: dropped, and not rotated again even when it is due once more.
      await direct.kv.commit(new Txn().put(keys.task(cluster, "t1"), record("STOPPED")));
      now += 3000;
      await s.rotate();
      await direct.kv.commit(new Txn().put(keys.task(cluster, "t1"), record("RUNNING")));
      await s.rotate();
      expect(sent).toHaveLength(3);

      // Closed while a round reads: that round sends nothing.
      s.forPayload([spec]);
      expect(sent).toHaveLength(4);
      now += 3000;
      const round = s.rotate();
      s.close();
      await round;
      expect(sent).toHaveLength(4);
    } finally {
      s.close();
    }
  }, 30_000);
});

// berth's etcd client (Kv) on a 3-member etcd cluster while one member is cut off by the
// network: the member answers nothing, so only the client's own call deadline and its gRPC
// keepalive can move calls and streams to the other members (controlplane/src/store/etcd-client.ts),
// and only renewing the leader's lease through any member keeps a leader leading
// (controlplane/src/leader/lease-guard.ts).
import { Kv, startLeaderElection } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, testLogger } from "../support/berth.js";
import { startEtcdCluster, type EtcdCluster } from "../support/etcd-cluster.js";

describe("Kv on three etcd members, one of them partitioned", () => {
  let etcd: EtcdCluster;
  let kv: Kv;
  beforeAll(async () => {
    etcd = await startEtcdCluster();
    kv = Kv.connect(etcd.endpoint);
  });
  afterAll(async () => {
    kv?.close();
    await etcd?.stop();
  });

  it("every call answers from the other members, and a prefix watch keeps delivering", async () => {
    const seen = new Map<string, string>();
    // a watch on Kv's own client, as the store's watchPrefix opens it
    const watch = await kv.client.watch().prefix("/kvcut/").create();
    watch.on("put", (res) => seen.set(res.key.toString(), JSON.parse(res.value.toString()) as string));
    try {
      // each member in turn: the watch's stream lives on one of them, so one round cuts it
      for (const member of etcd.members) {
        // calls spread over every member first, so each has a connection the partition catches
        for (let i = 0; i < 6; i++) await kv.get(`/kvcut/warm-${i}`);
        etcd.partition(member);
        const cutAt = Date.now();
        for (let i = 0; i < 6; i++) {
          const at = Date.now();
          const key = `/kvcut/${member.name}-${i}`;
          await kv.client.put(key).value(JSON.stringify(`v${i}`));
          expect((await kv.get<string>(key))?.value).toBe(`v${i}`);
          // one deadline on the cut member, then the retry on another
          expect(Date.now() - at, `call ${i} with ${member.name} cut off`).toBeLessThan(12_000);
        }
        await eventually(`the watch to deliver what was written while ${member.name} was cut off`, async () =>
          (seen.get(`/kvcut/${member.name}-5`) === "v5" ? true : undefined), 20_000, 100);
        console.log(`${member.name} cut off: writes and the watch carried on within ${((Date.now() - cutAt) / 1000).toFixed(1)} s`);
        etcd.heal();
        await etcd.settled();
      }
    } finally {
      etcd.heal();
      await watch.cancel();
    }
  });
});

describe("leader election on three etcd members, each cut off in turn", () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcdCluster();
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it("the leader keeps leading: its lease is renewed through the members that answer", async () => {
    const kv = Kv.connect(etcd.endpoint);
    const events: string[] = [];
    const election = await startLeaderElection({
      kv, id: "only", name: "etcd-cut", ttlSeconds: 5, log: testLogger(),
      onElected: () => void events.push("elected"),
      onDemoted: () => void events.push("demoted"),
    });
    try {
      await eventually("the replica to lead", async () => (election.isLeader() ? true : undefined), 10_000);
      for (const member of etcd.members) {
        etcd.partition(member);
        // longer than the election TTL: a lease kept alive only over a stream to this member would expire
        await new Promise((r) => setTimeout(r, 7_000));
        etcd.heal();
        expect(election.isLeader(), `leading after ${member.name} was cut off`).toBe(true);
        // one fault at a time: the next cut waits for this member to rejoin
        await etcd.settled();
      }
      expect(events).toEqual(["elected"]);
    } finally {
      await election.close();
      kv.close();
    }
  });
});


// The 3-member etcd cluster of the cluster-level fault tests (test/support/etcd-cluster.ts),
// checked against real etcd: a killed leader is replaced and comes back, and a partition really
// cuts a member off both from its peers and from its clients.
import etcd3 from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/berth.js";
import { isHealthy } from "../support/etcd.js";
import { startEtcdCluster, type EtcdCluster } from "../support/etcd-cluster.js";

/** A client of one endpoint whose unary calls give up after 1.5 s. */
function quickClient(endpoint: string) {
  return new etcd3.Etcd3({
    hosts: endpoint,
    dialTimeout: 2_000,
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 1_500 }),
    grpcOptions: { "grpc.initial_reconnect_backoff_ms": 100, "grpc.max_reconnect_backoff_ms": 1_000 },
  });
}

describe("startEtcdCluster", () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcdCluster();
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it("three members, one leader; a killed leader is replaced and, restarted, has every write", async () => {
    const all = new etcd3.Etcd3({ hosts: etcd.endpoint.split(",") });
    try {
      const first = await etcd.leader();
      await etcd.kill(first);
      expect(first.running()).toBe(false);
      const next = await etcd.leader(10_000);
      expect(next.name).not.toBe(first.name);
      await all.put("cluster/after-kill").value("kept");
      await etcd.restart(first);
      const back = quickClient(first.endpoint);
      try {
        expect(await eventually("the restarted member to have the write", async () => (await back.get("cluster/after-kill").serializable(true).string().catch(() => null)) ?? undefined, 10_000)).toBe("kept");
      } finally {
        back.close();
      }
    } finally {
      all.close();
    }
  });

  it("partition: the others lead and write without the member, its clients hang, it hears no leader; heal: it catches up", async () => {
    const cutOff = await etcd.leader();
    const others = etcd.members.filter((m) => m !== cutOff);
    const viaOthers = new etcd3.Etcd3({ hosts: others.map((m) => m.endpoint) });
    const viaCut = quickClient(cutOff.endpoint);
    try {
      await viaCut.put("cluster/before").value("1");
      etcd.partition(cutOff);
      const next = await etcd.leader(10_000);
      expect(others.map((m) => m.name)).toContain(next.name);
      await viaOthers.put("cluster/during").value("2");
      // its clients' connections hang: the call runs into its deadline
      await expect(viaCut.get("cluster/before").string()).rejects.toThrow();
      // the member itself is cut off from the leader: its own /health (a quorum read) fails
      await eventually("the cut-off member to report itself unhealthy", async () => ((await isHealthy(cutOff.directEndpoint)) ? undefined : true), 10_000);
      etcd.heal();
      await eventually("the healed member to catch up", async () => ((await viaCut.get("cluster/during").string().catch(() => null)) === "2" ? true : undefined), 15_000);
    } finally {
      viaOthers.close();
      viaCut.close();
    }
  });
});

import { CreateClusterCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { core, keys } from "@berth/controlplane";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { holdSession, registerInstanceOverGrpc, type HeldSession } from "../support/grpc-agent.js";

// awsvpc address management against real etcd, no agent: racing placements on two hosts of one
// zone never hand out an address twice and each host's addresses lie in its own blocks; a full
// block spills into the next; a stopped task's address and a deregistered host's block are free
// again.
let t: TestControlPlane;
const sessions: HeldSession[] = [];
const cluster = "vpc-store";
const subnet = core.defaultSubnets("us-east-1").find((s) => s.availabilityZone === "us-east-1a")!;

async function instance(): Promise<string> {
  const arn = await registerInstanceOverGrpc(t.grpcAddress, {
    cluster,
    registered: { cpu: 100_000, memory: 100_000, ports: [], portsUdp: [] },
    attributes: [{ name: "ecs.os-type", value: "linux" }, { name: "ecs.availability-zone", value: "us-east-1a" }],
  });
  sessions.push(await holdSession(t.grpcAddress, cluster, arn));
  return arn.split("/").pop()!;
}

const live = async () => (await t.cp.ctx.store.tasks.list(keys.tasks(cluster))).items.map((x) => x.value).filter((x) => !x.released);

async function run(count: number, ids: string[]) {
  const ctx = t.cp.ctx;
  const td = await core.resolveTaskDefinition(ctx, "vpc");
  const awsvpc = await core.resolveAwsvpc(ctx, { subnets: [subnet.subnetId] });
  return core.runTasks(ctx, { cluster, taskDefinition: td, count, onlyInstanceIds: ids, awsvpc });
}

beforeAll(async () => {
  t = await startTestControlPlane();
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "vpc", networkMode: "awsvpc", containerDefinitions: [{ name: "a", image: "x", memory: 1, cpu: 1 }] }));
});
afterAll(async () => {
  for (const s of sessions) s.close();
  await t?.stop();
});

describe("awsvpc addresses in the store", () => {
  it("racing placements on two hosts: every address once, each in its host's blocks, a full block spilling into a new one", async () => {
    const [a, b] = [await instance(), await instance()];
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => run(10, [i % 2 ? a : b]).catch((err: Error) => err)));
    const failed = results.filter((r) => r instanceof Error);
    expect(failed).toEqual([]);
    const tasks = await live();
    expect(tasks).toHaveLength(80);
    const ips = tasks.map((x) => x.network!.privateIpv4Address);
    expect(new Set(ips).size).toBe(80);
    for (const id of [a, b]) {
      const rec = (await t.cp.ctx.store.instances.get(cluster, id))!.value;
      const mine = tasks.filter((x) => x.containerInstanceId === id);
      // 40 tasks fit one /26 (62): one block each; every address inside it, recorded as held.
      expect(rec.ipBlocks).toHaveLength(1);
      for (const x of mine) expect(core.cidrContains(rec.ipBlocks![0].cidr, x.network!.privateIpv4Address)).toBe(true);
      expect((rec.heldTasks ?? []).map((h) => h.ip).sort()).toEqual(mine.map((x) => x.network!.privateIpv4Address).sort());
    }
    const blocks = (await t.cp.ctx.store.ipBlocks.list(keys.ipBlocks(subnet.subnetId))).items.map((x) => x.value.cidr);
    expect(new Set(blocks).size).toBe(2);
    // 30 more on a: 70 > 62, so a second block.
    expect((await run(30, [a])).tasks).toHaveLength(30);
    expect((await t.cp.ctx.store.instances.get(cluster, a))!.value.ipBlocks).toHaveLength(2);
  });

  it("a stopped task's address goes to the next task; a deregistered host's block to another host", async () => {
    const c = await instance();
    const [first] = (await run(1, [c])).tasks;
    await core.markStopped(t.cp.ctx, cluster, first.id, "done", "UserInitiated");
    const [second] = (await run(1, [c])).tasks;
    expect(second.network!.privateIpv4Address).toBe(first.network!.privateIpv4Address);
    const blockOfC = second.network!.blockCidr;
    await core.markStopped(t.cp.ctx, cluster, second.id, "done", "UserInitiated");
    await core.deregisterInstance(t.cp.ctx, cluster, c, true);
    const d = await instance();
    const [third] = (await run(1, [d])).tasks;
    expect(third.network!.blockCidr).toBe(blockOfC);
    const owner = (await t.cp.ctx.store.ipBlocks.get(subnet.subnetId, blockOfC))!.value;
    expect(owner.instanceId).toBe(d);
  });
});

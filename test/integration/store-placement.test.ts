import { randomUUID } from "node:crypto";
import { CreateClusterCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { core, keys, Store, Txn } from "@berth/controlplane";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { holdSession, registerInstanceOverGrpc, type HeldSession } from "../support/grpc-agent.js";

// Placement writes against real etcd: batches beyond one transaction's op limit, and replicas
// racing for the same memory. No agent: the numbers are the store's own.
let t: TestControlPlane;
const sessions: HeldSession[] = [];
const cluster = "batches";

/** A connected instance of the given size (the test holds its session; nothing runs). */
async function instance(cpu: number, memory: number): Promise<string> {
  const arn = await registerInstanceOverGrpc(t.grpcAddress, { cluster, registered: { cpu, memory, ports: [], portsUdp: [] } });
  sessions.push(await holdSession(t.grpcAddress, cluster, arn));
  return arn.split("/").pop()!;
}

/** The instance record's heldTasks ids and the ids of the task records holding resources on it. */
async function heldBothWays(id: string): Promise<[string[], string[]]> {
  const rec = (await t.cp.ctx.store.instances.get(cluster, id))!.value;
  const tasks = (await t.cp.ctx.store.tasks.list(keys.tasks(cluster))).items.map((x) => x.value);
  return [(rec.heldTasks ?? []).map((h) => h.id).sort(), tasks.filter((x) => x.containerInstanceId === id && !x.released).map((x) => x.id).sort()];
}

beforeAll(async () => {
  t = await startTestControlPlane();
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "tiny", containerDefinitions: [{ name: "a", image: "x", memory: 1, cpu: 1 }] }));
});
afterAll(async () => {
  for (const s of sessions) s.close();
  await t?.stop();
});

describe("placement writes", () => {
  it("writes 300 tasks on one instance across several fenced transactions, charging each once", async () => {
    const id = await instance(4096, 4096);
    // Through a fenced store, as the leader's loops write: the fence's compare must fit in
    // every split transaction too.
    // A fresh key each run (a retry included), so the commit's revision is its create revision.
    const fenceKey = `/fence-test/store-placement/${randomUUID()}`;
    const createRevision = await t.cp.ctx.store.kv.commit(new Txn().put(fenceKey, "leader"));
    const ctx = { ...t.cp.ctx, store: new Store(t.cp.ctx.store.kv.fenced({ key: fenceKey, createRevision })) };
    const td = await core.resolveTaskDefinition(ctx, "tiny");
    const res = await core.runTasks(ctx, { cluster, taskDefinition: td, count: 300, onlyInstanceIds: [id] });
    expect(res.tasks).toHaveLength(300);
    expect(new Set(res.tasks.map((x) => x.id)).size).toBe(300);
    const stored = (await ctx.store.tasks.list(keys.tasks(cluster))).items;
    expect(stored).toHaveLength(300);
    const rec = (await ctx.store.instances.get(cluster, id))!.value;
    expect(rec.remaining.memory).toBe(4096 - 300);
    expect(rec.remaining.cpu).toBe(4096 - 300);
  });

  it("never over-commits an instance when placements race", async () => {
    const id = await instance(4096, 50);
    const ctx = t.cp.ctx;
    const td = await core.resolveTaskDefinition(ctx, "tiny");
    // 8 concurrent requests of 10 tasks for 50 MiB: exactly 50 may land
    const results = await Promise.all(
      Array.from({ length: 8 }, () => core.runTasks(ctx, { cluster, taskDefinition: td, count: 10, onlyInstanceIds: [id] }).catch((err: Error) => err)),
    );
    const placed = results.flatMap((r) => (r instanceof Error ? [] : r.tasks));
    expect(placed).toHaveLength(50);
    const onInstance = (await ctx.store.tasks.list(keys.tasks(cluster))).items.filter((x) => x.value.containerInstanceId === id);
    expect(onInstance).toHaveLength(50);
    expect((await ctx.store.instances.get(cluster, id))!.value.remaining.memory).toBe(0);
    const [recorded, held] = await heldBothWays(id);
    expect(recorded).toHaveLength(50);
    expect(recorded).toEqual(held);
  });

  it("a deregistration racing placements never leaves a task on an INACTIVE instance", async () => {
    const ctx = t.cp.ctx;
    const td = await core.resolveTaskDefinition(ctx, "tiny");
    for (let round = 0; round < 5; round++) {
      const id = await instance(4096, 4096);
      const [, dereg] = await Promise.all([
        core.runTasks(ctx, { cluster, taskDefinition: td, count: 5, onlyInstanceIds: [id] }).catch((err: Error) => err),
        core.deregisterInstance(ctx, cluster, id, false).catch((err: Error) => err),
      ]);
      const live = (await ctx.store.tasks.list(keys.tasks(cluster))).items.filter((x) => x.value.containerInstanceId === id && x.value.lastStatus !== "STOPPED");
      const rec = (await ctx.store.instances.get(cluster, id))!.value;
      // either the deregistration won (no task there) or it was refused because tasks landed first
      if (rec.status === "INACTIVE") expect(live).toHaveLength(0);
      else expect(dereg).toBeInstanceOf(Error);
    }
  });

  it("a re-registration racing placements keeps remaining equal to registered less what is placed", async () => {
    const ctx = t.cp.ctx;
    const td = await core.resolveTaskDefinition(ctx, "tiny");
    const arn = await registerInstanceOverGrpc(t.grpcAddress, { cluster, registered: { cpu: 4096, memory: 4096, ports: [], portsUdp: [] } });
    sessions.push(await holdSession(t.grpcAddress, cluster, arn));
    const id = arn.split("/").pop()!;
    const again = () => registerInstanceOverGrpc(t.grpcAddress, { cluster, containerInstanceArn: arn, registered: { cpu: 4096, memory: 4096, ports: [], portsUdp: [] } });
    await Promise.all([
      ...Array.from({ length: 6 }, () => core.runTasks(ctx, { cluster, taskDefinition: td, count: 5, onlyInstanceIds: [id] })),
      again(),
      again(),
      again(),
    ]);
    const held = (await ctx.store.tasks.list(keys.tasks(cluster))).items.filter((x) => x.value.containerInstanceId === id && !x.value.released);
    const rec = (await ctx.store.instances.get(cluster, id))!.value;
    expect(held).toHaveLength(30);
    expect(rec.remaining.memory).toBe(4096 - 30);
    const [recorded, heldIds] = await heldBothWays(id);
    expect(recorded).toEqual(heldIds);
  });

  it("an instance record names the tasks it holds: placement adds them, a stop takes one off, re-registration rebuilds a record without them", async () => {
    const ctx = t.cp.ctx;
    const td = await core.resolveTaskDefinition(ctx, "tiny");
    const arn = await registerInstanceOverGrpc(t.grpcAddress, { cluster, registered: { cpu: 4096, memory: 4096, ports: [], portsUdp: [] } });
    sessions.push(await holdSession(t.grpcAddress, cluster, arn));
    const id = arn.split("/").pop()!;
    const run = await core.runTasks(ctx, { cluster, taskDefinition: td, count: 3, onlyInstanceIds: [id], group: "blue" });
    const rec = (await ctx.store.instances.get(cluster, id))!.value;
    expect(rec.heldTasks).toEqual(run.tasks.map((x) => ({ id: x.id, family: "tiny", group: "blue", taskDefinitionArn: td.taskDefinitionArn })));

    // the agent reports one STOPPED: its reservation and its entry go together
    await core.markStopped(ctx, cluster, run.tasks[0].id, "test", "UserInitiated");
    const after = (await ctx.store.instances.get(cluster, id))!.value;
    expect(after.heldTasks?.map((h) => h.id)).toEqual(run.tasks.slice(1).map((x) => x.id));
    expect(after.remaining.memory).toBe(4096 - 2);

    // a record from before the field: placement reads the tasks instead, registration rebuilds it
    await ctx.store.instances.mutate([cluster, id], (cur) => ({ ...cur, heldTasks: undefined }));
    const more = await core.runTasks(ctx, { cluster, taskDefinition: td, count: 1, onlyInstanceIds: [id] });
    expect(more.tasks).toHaveLength(1);
    expect((await ctx.store.instances.get(cluster, id))!.value.heldTasks).toBeUndefined();
    await registerInstanceOverGrpc(t.grpcAddress, { cluster, containerInstanceArn: arn, registered: { cpu: 4096, memory: 4096, ports: [], portsUdp: [] } });
    const [recorded, held] = await heldBothWays(id);
    expect(recorded).toHaveLength(3);
    expect(recorded).toEqual(held);
    expect((await ctx.store.instances.get(cluster, id))!.value.remaining.memory).toBe(4096 - 3);
  });
});


import { randomUUID } from "node:crypto";
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { taskReservation, type ContainerInstanceRecord, type ServiceRecord, type TaskRecord } from "@berth/shared";
import { core, keys } from "@berth/controlplane";
import { eventually, startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { holdSession, registerInstanceOverGrpc, type HeldSession } from "../support/grpc-agent.js";

// A service round's write set against real etcd (core writeServiceRounds): the record, stops
// and new tasks land together across transactions, and every guard the round read holds or
// nothing of its transaction lands. No agent: the records are the store's own.
let t: TestControlPlane;
const sessions: HeldSession[] = [];
const cluster = "rounds";
let instanceId: string;

type Versioned<T> = { value: T; modRevision: string };

const readService = async (name: string) => (await t.cp.ctx.store.services.get(cluster, name))! as Versioned<ServiceRecord>;
const readInstance = async () => (await t.cp.ctx.store.instances.get(cluster, instanceId))! as Versioned<ContainerInstanceRecord>;
const clusterTasks = async () => (await t.cp.ctx.store.tasks.list(keys.tasks(cluster))).items as Versioned<TaskRecord>[];

/** `n` fresh task records of `tiny` on the test's instance, as a round would place them (outside any service's group). */
async function newTasks(n: number, instance: ContainerInstanceRecord): Promise<TaskRecord[]> {
  const td = await core.resolveTaskDefinition(t.cp.ctx, "tiny");
  return Array.from({ length: n }, () => core.newTaskRecord(t.cp.ctx, randomUUID().replace(/-/g, ""), td, instance, taskReservation(td, undefined), { group: "family:tiny" }));
}

/** A service of desired count 0 once its loop is done with it (steady), so only the test writes it. */
async function quietService(name: string): Promise<Versioned<ServiceRecord>> {
  await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: name, taskDefinition: "tiny", desiredCount: 0 }));
  return eventually("the service's steady state", async () => {
    const s = await readService(name);
    return s.value.events.some((e) => e.message.includes("has reached a steady state")) ? s : undefined;
  });
}

beforeAll(async () => {
  t = await startTestControlPlane();
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "tiny", containerDefinitions: [{ name: "a", image: "x", memory: 1, cpu: 1 }] }));
  const arn = await registerInstanceOverGrpc(t.grpcAddress, { cluster, registered: { cpu: 4096, memory: 4096, ports: [], portsUdp: [] } });
  sessions.push(await holdSession(t.grpcAddress, cluster, arn));
  instanceId = arn.split("/").pop()!;
});
afterAll(async () => {
  for (const s of sessions) s.close();
  await t?.stop();
});

describe("service round write sets", () => {
  it("writes a record and 200 tasks as one set split under the op limit, charging the instance once per task", async () => {
    const service = await quietService("split");
    const before = await readInstance();
    const created = await newTasks(200, before.value);
    const record = { ...service.value, healthCheckGracePeriodSeconds: 7, version: service.value.version + 1 };
    const outcome = await core.writeServiceRounds(t.cp.ctx, [before], [{ service, record, stops: [], created }]);
    expect(outcome).toEqual({ kind: "applied" });
    const stored = new Set((await clusterTasks()).map((x) => x.value.id));
    expect(created.every((x) => stored.has(x.id))).toBe(true);
    const after = (await readInstance()).value;
    expect(after.remaining.memory).toBe(before.value.remaining.memory - 200);
    expect(after.heldTasks?.length).toBe((before.value.heldTasks?.length ?? 0) + 200);
    expect((await readService("split")).value.healthCheckGracePeriodSeconds).toBe(7);
  });

  it("a record read before it changed loses the compare, and none of its tasks land", async () => {
    const stale = await quietService("stale");
    const instance = await readInstance();
    // Another writer (UpdateService, say) moves the record on after the round read it.
    await core.writeService(t.cp.ctx, { ...stale.value, healthCheckGracePeriodSeconds: 3, version: stale.value.version + 1 }, stale.modRevision);
    const created = await newTasks(5, instance.value);
    const outcome = await core.writeServiceRounds(t.cp.ctx, [instance], [{ service: stale, record: undefined, stops: [], created }]);
    expect(outcome).toEqual({ kind: "conflict", landed: 0 });
    const stored = new Set((await clusterTasks()).map((x) => x.value.id));
    expect(created.some((x) => stored.has(x.id))).toBe(false);
    expect((await readInstance()).value.remaining).toEqual(instance.value.remaining);
  });

  it("a stop guarded by a task revision that moved loses; re-read, it lands with the round's reason", async () => {
    const service = await quietService("stops");
    const [task] = (await core.runTasks(t.cp.ctx, { cluster, taskDefinition: await core.resolveTaskDefinition(t.cp.ctx, "tiny"), count: 1, onlyInstanceIds: [instanceId] })).tasks;
    const read = (await clusterTasks()).find((x) => x.value.id === task.id)!;
    // The agent reports the task RUNNING after the round read it.
    await t.cp.ctx.store.tasks.update({ ...read.value, lastStatus: "RUNNING", version: read.value.version + 1 }, read.modRevision);
    const stop = { reason: "Scaling activity initiated by (deployment ecs-svc/1)", code: "ServiceSchedulerInitiated" as const, spareProtected: true };
    const lost = await core.writeServiceRounds(t.cp.ctx, [], [{ service, record: undefined, stops: [{ task: read, ...stop }], created: [] }]);
    expect(lost).toEqual({ kind: "conflict", landed: 0 });
    expect((await clusterTasks()).find((x) => x.value.id === task.id)!.value.desiredStatus).toBe("RUNNING");
    const fresh = (await clusterTasks()).find((x) => x.value.id === task.id)!;
    const outcome = await core.writeServiceRounds(t.cp.ctx, [], [{ service: await readService("stops"), record: undefined, stops: [{ task: fresh, ...stop }], created: [] }]);
    expect(outcome).toEqual({ kind: "applied" });
    expect((await clusterTasks()).find((x) => x.value.id === task.id)!.value).toMatchObject({ desiredStatus: "STOPPED", lastStatus: "STOPPING", stoppedReason: stop.reason });
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger, type ContainerDefinition, type TaskDefinition } from "@berth/shared";
import type { TaskSpec, TaskStateChange } from "@berth/proto";
import { SimulatedRuntime, type SimulatedRuntimeOptions } from "../runtime/index.js";
import { AgentTaskEngine } from "./engine.js";

/*
 * The engine driven end to end on the simulated runtime (the state file is real, in a temp
 * dir): idempotent payloads, the essential rule, stop order, outbox and restart.
 */

let dir: string;
let engines: AgentTaskEngine[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "berth-engine-"));
});
afterEach(async () => {
  for (const e of engines) await e.close();
  engines = [];
  await rm(dir, { recursive: true, force: true });
});

function spec(id: string, containers: ContainerDefinition[], desiredStatus = "RUNNING", volumes: TaskDefinition["volumes"] = undefined): TaskSpec {
  return {
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/unit/${id}`,
    clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/unit",
    family: "fam",
    revision: 1,
    desiredStatus,
    taskDefinitionJson: JSON.stringify({ family: "fam", revision: 1, containerDefinitions: containers, volumes }),
    overridesJson: "",
    stoppedReason: desiredStatus === "STOPPED" ? "Task stopped by user" : "",
    startedBy: "",
    group: "",
    secrets: [],
  };
}

async function engine(runtime: SimulatedRuntime, taskCleanupWaitMs = 60_000): Promise<AgentTaskEngine> {
  const e = new AgentTaskEngine({
    runtime,
    stateDir: dir,
    cluster: "unit",
    logger: silentLogger,
    pullPolicy: "once",
    taskCleanupWaitMs,
    dynamicPortRange: { start: 45000, end: 45010 },
    portProbe: async () => true,
    retry: { attempts: 2, baseMs: 10, maxMs: 10 },
  });
  engines.push(e);
  await e.start();
  return e;
}

const sim = (o: SimulatedRuntimeOptions = {}) => new SimulatedRuntime({ images: ["img"], ...o });

async function until(what: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

const task = (e: AgentTaskEngine, id: string) => e.listTasks().find((t) => t.arn.endsWith(`/${id}`));

describe("AgentTaskEngine on the simulated runtime", () => {
  it("same payload twice: one container created, task RUNNING", async () => {
    const rt = sim();
    const e = await engine(rt);
    const s = spec("t1", [{ name: "app", image: "img", portMappings: [{ containerPort: 80 }] }]);
    await e.applyPayload([s]);
    await e.applyPayload([s]);
    await until(() => task(e, "t1")?.knownStatus === "RUNNING");
    await e.applyPayload([s]);
    expect(rt.calls.filter((c) => c.op === "create")).toHaveLength(1);
    expect(task(e, "t1")!.containers[0].networkBindings[0]).toMatchObject({ containerPort: 80, hostPort: 45000 });
  });

  it("essential exit stops the task with ECS's reason and numbered, ordered changes", async () => {
    const rt = sim({ behavior: (s) => (s.labels["com.amazonaws.ecs.container-name"] === "job" ? { exitAfterMs: 30, exitCode: 3 } : {}) });
    const e = await engine(rt);
    const seen: TaskStateChange[] = [];
    e.onStateChange((c) => seen.push(c));
    await e.applyPayload([spec("t2", [{ name: "job", image: "img" }, { name: "side", image: "img", essential: false }])]);
    // Delivery follows the durable write, a moment after the in-memory status.
    await until(() => seen.some((c) => c.status === "STOPPED"));
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({ status: "STOPPED", reason: "Essential container in task exited" });
    expect(last.containers.find((c) => c.name === "job")?.exitCode).toBe(3);
    expect(last.containers.find((c) => c.name === "side")?.exitCode).toBe(143);
    expect(seen.map((c) => c.seq)).toEqual([...seen.map((c) => c.seq)].sort((a, b) => a - b));
    expect(last.stoppedAtMs).toBeGreaterThan(0);
  });

  it("stops dependents before their dependencies", async () => {
    const rt = sim();
    const e = await engine(rt);
    const containers: ContainerDefinition[] = [
      { name: "db", image: "img" },
      { name: "app", image: "img", dependsOn: [{ containerName: "db", condition: "START" }] },
    ];
    await e.applyPayload([spec("t3", containers)]);
    await until(() => task(e, "t3")?.knownStatus === "RUNNING");
    const t = task(e, "t3")!;
    const ids = Object.fromEntries(t.containers.map((c) => [c.name, c.runtimeId]));
    await e.applyPayload([spec("t3", containers, "STOPPED")]);
    await until(() => task(e, "t3")?.knownStatus === "STOPPED");
    const stops = rt.calls.filter((c) => c.op === "stop").map((c) => c.arg);
    expect(stops).toEqual([ids.app, ids.db]);
    expect(task(e, "t3")!.desiredStatus).toBe("STOPPED");
  });

  it("a RUNNING payload never revives a task told to stop", async () => {
    const e = await engine(sim());
    await e.applyPayload([spec("t4", [{ name: "a", image: "img" }], "STOPPED")]);
    await e.applyPayload([spec("t4", [{ name: "a", image: "img" }])]);
    await until(() => task(e, "t4")?.knownStatus === "STOPPED");
    expect(task(e, "t4")!.desiredStatus).toBe("STOPPED");
  });

  it("an unpullable image fails the task with CannotPullContainerError", async () => {
    const e = await engine(sim({ pullable: () => false }));
    await e.applyPayload([spec("t5", [{ name: "a", image: "nowhere/none" }])]);
    await until(() => task(e, "t5")?.knownStatus === "STOPPED");
    expect(task(e, "t5")!.containers[0].reason).toMatch(/^CannotPullContainerError: /);
  });

  it("outbox: acknowledged changes are dropped, the rest survive a restart with seqs continuing", async () => {
    const rt = sim();
    const e1 = await engine(rt);
    await e1.applyPayload([spec("t6", [{ name: "a", image: "img" }])]);
    // Wait for the RUNNING change to be durable, not just for the in-memory status.
    await until(() => e1.unacknowledgedChanges().some((c) => c.status === "RUNNING"));
    const pending = e1.unacknowledgedChanges();
    expect(pending.length).toBeGreaterThan(1);
    await e1.acknowledge(pending[0].seq);
    await e1.setInstanceArn("arn:aws:ecs:us-east-1:000000000000:container-instance/unit/abc");
    await e1.close();
    const e2 = await engine(rt);
    expect(e2.instanceArn()).toBe("arn:aws:ecs:us-east-1:000000000000:container-instance/unit/abc");
    expect(e2.unacknowledgedChanges().map((c) => c.seq)).toEqual(pending.slice(1).map((c) => c.seq));
    expect(task(e2, "t6")!.containers[0].runtimeId).toBe(task(e1, "t6")!.containers[0].runtimeId);
    const seen: number[] = [];
    e2.onStateChange((c) => seen.push(c.seq));
    await e2.applyPayload([spec("t6", [{ name: "a", image: "img" }], "STOPPED")]);
    await until(() => task(e2, "t6")?.knownStatus === "STOPPED");
    expect(Math.min(...seen)).toBeGreaterThan(pending[pending.length - 1].seq);
    expect(rt.calls.filter((c) => c.op === "create")).toHaveLength(1);
  });

  it("a dependsOn cycle is refused as a stopped task", async () => {
    const e = await engine(sim());
    await e.applyPayload([
      spec("t7", [
        { name: "a", image: "img", dependsOn: [{ containerName: "b", condition: "START" }] },
        { name: "b", image: "img", dependsOn: [{ containerName: "a", condition: "START" }] },
      ]),
    ]);
    await until(() => task(e, "t7")?.knownStatus === "STOPPED");
    expect(e.knownTasks()[0]).toMatchObject({ knownStatus: "STOPPED", desiredStatus: "STOPPED" });
  });
});

describe("AgentTaskEngine volumes on the simulated runtime", () => {
  const ops = (rt: SimulatedRuntime, ...names: string[]) => rt.calls.filter((c) => names.includes(c.op));
  const taskVol = (id: string, name: string) => `ecs-fam-1-${name}-${id}`;

  it("task volume: created before any container, mounted by both, removed at cleanup; a shared one stays", async () => {
    const rt = sim({ volumes: [{ name: "cache", driver: "local", labels: {}, options: {} }] });
    const e = await engine(rt, 50);
    const containers: ContainerDefinition[] = [
      { name: "writer", image: "img", essential: false, mountPoints: [{ sourceVolume: "scratch", containerPath: "/s" }] },
      { name: "reader", image: "img", mountPoints: [{ sourceVolume: "scratch", containerPath: "/s", readOnly: true }, { sourceVolume: "cache", containerPath: "/c" }] },
    ];
    const volumes = [{ name: "scratch" }, { name: "cache", dockerVolumeConfiguration: { scope: "shared" as const } }];
    await e.applyPayload([spec("v1", containers, "RUNNING", volumes)]);
    await until(() => task(e, "v1")?.knownStatus === "RUNNING");
    const seq = ops(rt, "createVolume", "create").map((c) => c.op);
    expect(seq[0]).toBe("createVolume");
    expect(seq.filter((op) => op === "createVolume")).toHaveLength(1);
    const ids = Object.fromEntries(task(e, "v1")!.containers.map((c) => [c.name, c.runtimeId!]));
    expect(rt.specOf(ids.writer)?.binds).toEqual([`${taskVol("v1", "scratch")}:/s`]);
    expect(rt.specOf(ids.reader)?.binds).toEqual([`${taskVol("v1", "scratch")}:/s:ro`, "cache:/c"]);
    expect(rt.volumeNames().sort()).toEqual(["cache", taskVol("v1", "scratch")]);
    await e.applyPayload([spec("v1", containers, "STOPPED", volumes)]);
    await until(() => task(e, "v1") === undefined);
    expect(rt.containerIds()).toHaveLength(0);
    expect(rt.volumeNames()).toEqual(["cache"]);
  });

  it.each<[string, TaskDefinition["volumes"], SimulatedRuntimeOptions, RegExp]>([
    // A shared volume that is missing, without autoprovision: the task fails, as ECS's does.
    ["missing shared volume", [{ name: "cache", dockerVolumeConfiguration: { scope: "shared", autoprovision: false } }], {}, /^CannotCreateVolumeError: shared volume 'cache' does not exist and autoprovision is false$/],
    // EFS cannot be had on berth: refused before anything is pulled.
    ["efs", [{ name: "cache", efsVolumeConfiguration: { fileSystemId: "fs-1" } }], {}, /^CannotCreateVolumeError: volume 'cache': efsVolumeConfiguration is not available on berth/],
    // The volume driver refuses the task volume.
    ["driver refuses", [{ name: "cache" }], { failVolumeCreate: () => true }, /^CannotCreateVolumeError: create ecs-fam-1-cache-v2: driver local refused$/],
  ])("%s: the task stops with the reason and no container is created", async (_n, volumes, opts, reason) => {
    const rt = sim(opts);
    const e = await engine(rt);
    const seen: TaskStateChange[] = [];
    e.onStateChange((c) => seen.push(c));
    await e.applyPayload([spec("v2", [{ name: "app", image: "img", mountPoints: [{ sourceVolume: "cache", containerPath: "/c" }] }], "RUNNING", volumes)]);
    await until(() => seen.some((c) => c.status === "STOPPED"));
    expect(seen.at(-1)!.reason).toMatch(reason);
    expect(task(e, "v2")!.desiredStatus).toBe("STOPPED");
    expect(task(e, "v2")!.containers[0]).toMatchObject({ knownStatus: "STOPPED", runtimeId: undefined });
    expect(ops(rt, "create")).toHaveLength(0);
    expect(rt.volumeNames()).toEqual([]);
  });

  it("volumesFrom: the container waits for its source to be created and gets its volumes", async () => {
    const rt = sim();
    const e = await engine(rt);
    // The dependent comes first, so without the wait it would be created first.
    const containers: ContainerDefinition[] = [
      { name: "app", image: "img", volumesFrom: [{ sourceContainer: "data", readOnly: true }] },
      { name: "data", image: "img", mountPoints: [{ sourceVolume: "d", containerPath: "/d" }] },
    ];
    await e.applyPayload([spec("v3", containers, "RUNNING", [{ name: "d" }])]);
    await until(() => task(e, "v3")?.knownStatus === "RUNNING");
    const t = task(e, "v3")!;
    const data = t.containers.find((c) => c.name === "data")!;
    const app = t.containers.find((c) => c.name === "app")!;
    expect(ops(rt, "create").map((c) => c.arg)).toEqual([data.dockerName, app.dockerName]);
    expect(rt.specOf(app.runtimeId!)?.volumesFrom).toEqual([`${data.dockerName}:ro`]);
  });

  it("a restart does not provision again; a task re-adopted from labels still removes its volumes", async () => {
    const rt = sim();
    const containers: ContainerDefinition[] = [{ name: "app", image: "img", mountPoints: [{ sourceVolume: "scratch", containerPath: "/s" }] }];
    const e1 = await engine(rt, 50);
    await e1.applyPayload([spec("v4", containers, "RUNNING", [{ name: "scratch" }])]);
    await until(() => task(e1, "v4")?.knownStatus === "RUNNING");
    await e1.close();
    const e2 = await engine(rt, 50);
    await e2.applyPayload([spec("v4", containers, "RUNNING", [{ name: "scratch" }])]);
    await until(() => task(e2, "v4")?.knownStatus === "RUNNING");
    expect(ops(rt, "createVolume", "create")).toHaveLength(2);
    await e2.close();
    // Lose the state file: the task comes back from container labels, with no definition.
    await rm(join(dir, "agent-state.json"));
    const e3 = await engine(rt, 50);
    await until(() => task(e3, "v4")?.knownStatus === "RUNNING");
    expect(ops(rt, "createVolume", "create")).toHaveLength(2);
    rt.kill(task(e3, "v4")!.containers[0].runtimeId!, 0);
    await until(() => task(e3, "v4") === undefined);
    expect(rt.volumeNames()).toEqual([]);
  });

  it("awsvpc on an agent without task networking: the task stops with ResourceInitializationError, nothing created", async () => {
    const rt = sim();
    const e = await engine(rt);
    const seen: TaskStateChange[] = [];
    e.onStateChange((c) => seen.push(c));
    const s = spec("n1", [{ name: "app", image: "img" }]);
    s.network = { attachmentId: "a1", networkInterfaceId: "eni-1", subnetId: "subnet-1", blockCidr: "172.31.0.0/26", privateIpv4Address: "172.31.0.2", ingress: [] };
    await e.applyPayload([s]);
    await until(() => seen.some((c) => c.status === "STOPPED"));
    expect(seen.at(-1)!.reason).toBe("ResourceInitializationError: this agent has no awsvpc task networking");
    expect(seen.at(-1)!.network).toBeUndefined();
    expect(ops(rt, "create")).toHaveLength(0);
  });
});

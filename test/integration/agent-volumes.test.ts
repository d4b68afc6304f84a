import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerDefinition, TaskDefinition } from "@berth/shared";
import type { AgentTaskEngine } from "@berth/agent";
import { dockerEngine, stateDir, taskSpec, waitForTask } from "../support/agent-engine.js";
import { docker, ensureTestImage, removeContainersByLabel } from "../support/docker.js";

/*
 * ECS volumes on the agent against the real Docker engine: host bind mounts (read-write,
 * read-only, a host path Docker has to create), a task-scoped Docker volume two containers share
 * and that goes at cleanup, volumesFrom, and shared volumes (missing without autoprovision fails
 * the task; autoprovisioned ones outlive it). Every container and task volume carries this run's
 * cluster label; shared volumes get this run's name prefix; all are removed at the end.
 */

const cluster = `vol-it-${randomBytes(4).toString("hex")}`;
const clusterLabel = `com.amazonaws.ecs.cluster=${cluster}`;
const client = docker();
let image: string;
let dir: string;
let hostDir: string;
let engine: AgentTaskEngine;
const sharedVolumes: string[] = [];

/** The task spec with `volumes` added to its definition. */
function withVolumes(id: string, containers: ContainerDefinition[], volumes: TaskDefinition["volumes"]) {
  const spec = taskSpec(cluster, id, containers);
  spec.taskDefinitionJson = JSON.stringify({ ...JSON.parse(spec.taskDefinitionJson), volumes });
  return spec;
}

async function volumeExists(name: string): Promise<boolean> {
  try {
    await client.getVolume(name).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

beforeAll(async () => {
  image = await ensureTestImage();
  dir = await stateDir();
  hostDir = await mkdtemp(join(tmpdir(), "berth-vol-host-"));
  engine = dockerEngine({ cluster, stateDir: dir, taskCleanupWaitMs: 2_000 });
  await engine.start();
});

afterAll(async () => {
  await engine?.close();
  await removeContainersByLabel(clusterLabel);
  const { Volumes } = await client.listVolumes({ filters: { label: [clusterLabel] } });
  for (const v of Volumes ?? []) await client.getVolume(v.Name).remove().catch(() => undefined);
  for (const name of sharedVolumes) await client.getVolume(name).remove().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await rm(hostDir, { recursive: true, force: true });
});

describe("agent volumes on Docker", () => {
  it("host sourcePath: a write lands in the host directory (created when missing); readOnly refuses writes", async () => {
    const missing = join(hostDir, "made-by-docker");
    await engine.applyPayload([
      withVolumes(
        "bind",
        [
          { name: "rw", image, essential: false, command: ["sh", "-c", "echo from-container > /data/out.txt"], mountPoints: [{ sourceVolume: "host", containerPath: "/data" }] },
          { name: "new", image, essential: false, command: ["sh", "-c", "echo made > /m/x.txt"], mountPoints: [{ sourceVolume: "fresh", containerPath: "/m" }] },
          {
            name: "ro",
            image,
            dependsOn: [{ containerName: "rw", condition: "COMPLETE" }],
            command: ["sh", "-c", "echo nope > /data/ro.txt"],
            mountPoints: [{ sourceVolume: "host", containerPath: "/data", readOnly: true }],
          },
        ],
        [
          { name: "host", host: { sourcePath: hostDir } },
          { name: "fresh", host: { sourcePath: missing } },
        ],
      ),
    ]);
    const t = await waitForTask(engine, "bind", (x) => x.knownStatus === "STOPPED");
    const by = (n: string) => t.containers.find((c) => c.name === n)!;
    expect(by("rw").exitCode).toBe(0);
    expect(await readFile(join(hostDir, "out.txt"), "utf8")).toBe("from-container\n");
    expect(by("new").exitCode).toBe(0);
    expect(await readFile(join(missing, "x.txt"), "utf8")).toBe("made\n");
    expect(by("ro").exitCode).not.toBe(0);
    await expect(stat(join(hostDir, "ro.txt"))).rejects.toMatchObject({ code: "ENOENT" });
    const ro = await client.getContainer(by("ro").runtimeId!).inspect();
    expect(ro.HostConfig.Binds).toEqual([`${hostDir}:/data:ro`]);
  });

  it("a task-scoped volume: shared by two containers, present while the task runs, gone after cleanup", async () => {
    await engine.applyPayload([
      withVolumes(
        "scoped",
        [
          { name: "writer", image, essential: false, command: ["sh", "-c", "echo berth-volume-ok > /s/msg"], mountPoints: [{ sourceVolume: "scratch", containerPath: "/s" }] },
          {
            name: "reader",
            image,
            dependsOn: [{ containerName: "writer", condition: "SUCCESS" }],
            // Exits 0 only when it read what the writer wrote; lingers so the test sees it run.
            command: ["sh", "-c", 'test "$(cat /s/msg)" = berth-volume-ok || exit 7; sleep 2'],
            mountPoints: [{ sourceVolume: "scratch", containerPath: "/s", readOnly: true }],
          },
        ],
        [{ name: "scratch" }],
      ),
    ]);
    const running = await waitForTask(engine, "scoped", (x) => x.containers.find((c) => c.name === "reader")?.knownStatus === "RUNNING");
    const name = `ecs-agent-it-1-scratch-scoped`;
    const vol = await client.getVolume(name).inspect();
    expect(vol.Driver).toBe("local");
    expect(vol.Labels).toMatchObject({ "com.amazonaws.ecs.task-arn": running.arn, "com.amazonaws.ecs.cluster": cluster });
    const t = await waitForTask(engine, "scoped", (x) => x.knownStatus === "STOPPED");
    expect(t.containers.find((c) => c.name === "writer")!.exitCode).toBe(0);
    expect(t.containers.find((c) => c.name === "reader")!.exitCode).toBe(0);
    expect(await volumeExists(name)).toBe(true);
    // Cleanup wait is 2 s here: containers first, then the volume.
    await expect.poll(() => volumeExists(name), { timeout: 20_000, interval: 250 }).toBe(false);
    expect(engine.listTasks().some((x) => x.arn === t.arn)).toBe(false);
  });

  it("volumesFrom: the second container sees the first's volume (read-only when asked)", async () => {
    const wait = 'for i in $(seq 1 100); do [ "$(cat /d/x 2>/dev/null)" = from-data ] && break; sleep 0.1; done';
    await engine.applyPayload([
      withVolumes(
        "from",
        [
          { name: "data", image, command: ["sh", "-c", "echo from-data > /d/x; sleep 1000"], stopTimeout: 1, mountPoints: [{ sourceVolume: "d", containerPath: "/d" }] },
          { name: "app", image, essential: false, dependsOn: [{ containerName: "data", condition: "START" }], command: ["sh", "-c", `${wait}; grep -qx from-data /d/x`], volumesFrom: [{ sourceContainer: "data" }] },
          { name: "ro", image, essential: false, dependsOn: [{ containerName: "data", condition: "START" }], command: ["sh", "-c", `${wait}; echo y > /d/y`], volumesFrom: [{ sourceContainer: "data", readOnly: true }] },
        ],
        [{ name: "d" }],
      ),
    ]);
    const t = await waitForTask(engine, "from", (x) => ["app", "ro"].every((n) => x.containers.find((c) => c.name === n)?.knownStatus === "STOPPED"));
    const by = (n: string) => t.containers.find((c) => c.name === n)!;
    expect(by("app").exitCode).toBe(0);
    expect(by("ro").exitCode).not.toBe(0);
    const app = await client.getContainer(by("app").runtimeId!).inspect();
    expect(app.HostConfig.VolumesFrom).toEqual([by("data").dockerName]);
    const ro = await client.getContainer(by("ro").runtimeId!).inspect();
    expect(ro.HostConfig.VolumesFrom).toEqual([`${by("data").dockerName}:ro`]);
    await engine.applyPayload([taskSpec(cluster, "from", [], { desired: "STOPPED" })]);
    await waitForTask(engine, "from", (x) => x.knownStatus === "STOPPED");
  });

  it("a shared volume missing without autoprovision stops the task with CannotCreateVolumeError", async () => {
    const name = `${cluster}-absent`;
    sharedVolumes.push(name);
    await engine.applyPayload([
      withVolumes("noshared", [{ name: "app", image, command: ["true"], mountPoints: [{ sourceVolume: name, containerPath: "/c" }] }], [
        { name, dockerVolumeConfiguration: { scope: "shared", autoprovision: false } },
      ]),
    ]);
    const t = await waitForTask(engine, "noshared", (x) => x.knownStatus === "STOPPED");
    expect(t.desiredStatus).toBe("STOPPED");
    expect(t.containers[0].runtimeId).toBeUndefined();
    await expect.poll(() => engine.unacknowledgedChanges().filter((c) => c.taskArn === t.arn).at(-1)?.status).toBe("STOPPED");
    const change = engine.unacknowledgedChanges().filter((c) => c.taskArn === t.arn).at(-1)!;
    expect(change.reason).toBe(`CannotCreateVolumeError: shared volume '${name}' does not exist and autoprovision is false`);
    expect(await volumeExists(name)).toBe(false);
  });

  it("an autoprovisioned shared volume is created once and outlives the task", async () => {
    const name = `${cluster}-cache`;
    sharedVolumes.push(name);
    const def = [{ name: "app", image, command: ["sh", "-c", "echo kept > /c/v"], mountPoints: [{ sourceVolume: name, containerPath: "/c" }] }];
    await engine.applyPayload([withVolumes("autoshared", def, [{ name, dockerVolumeConfiguration: { scope: "shared", autoprovision: true, labels: { owner: cluster } } }])]);
    const t = await waitForTask(engine, "autoshared", (x) => x.knownStatus === "STOPPED");
    expect(t.containers[0].exitCode).toBe(0);
    expect((await client.getVolume(name).inspect()).Labels).toEqual({ owner: cluster });
    await expect.poll(() => engine.listTasks().some((x) => x.arn === t.arn), { timeout: 20_000, interval: 250 }).toBe(false);
    expect(await volumeExists(name)).toBe(true);
  });
});

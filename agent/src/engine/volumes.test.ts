import { describe, expect, it } from "vitest";
import type { ContainerDefinition, TaskDefinition } from "@berth/shared";
import { SimulatedRuntime, type VolumeInfo } from "../runtime/index.js";
import {
  checkVolumesFrom,
  containerMounts,
  planTaskVolumes,
  provisionTaskVolumes,
  taskVolumeName,
  type TaskVolume,
  type TaskVolumePlan,
} from "./volumes.js";

const ctx = { taskArn: "arn:aws:ecs:us-east-1:000000000000:task/c1/abc123", family: "web", revision: 4, cluster: "c1" };
const ours = { "com.amazonaws.ecs.task-arn": ctx.taskArn, "com.amazonaws.ecs.cluster": "c1" };
type Volumes = TaskDefinition["volumes"];

describe("planTaskVolumes", () => {
  it.each<[string, Volumes, TaskVolumePlan]>([
    // No volumes at all.
    ["none", undefined, { ok: true, volumes: [] }],
    // host.sourcePath: a bind of the host path.
    ["host path", [{ name: "logs", host: { sourcePath: "/var/log/app" } }], { ok: true, volumes: [{ kind: "bind", name: "logs", hostPath: "/var/log/app" }] }],
    // Neither host nor docker config: ECS's task-scoped empty volume, a local Docker volume.
    [
      "empty volume",
      [{ name: "scratch" }],
      { ok: true, volumes: [{ kind: "docker", name: "scratch", scope: "task", autoprovision: true, spec: { name: "ecs-web-4-scratch-abc123", driver: "local", driverOpts: {}, labels: ours } }] },
    ],
    // host {} without sourcePath is the same empty volume.
    [
      "host without sourcePath",
      [{ name: "scratch", host: {} }],
      { ok: true, volumes: [{ kind: "docker", name: "scratch", scope: "task", autoprovision: true, spec: { name: "ecs-web-4-scratch-abc123", driver: "local", driverOpts: {}, labels: ours } }] },
    ],
    // Task scope keeps driver, options and labels; ECS's labels win over the user's.
    [
      "task scope",
      [{ name: "d", dockerVolumeConfiguration: { scope: "task", driver: "local", driverOpts: { type: "tmpfs", device: "tmpfs" }, labels: { team: "a", "com.amazonaws.ecs.cluster": "x" } } }],
      { ok: true, volumes: [{ kind: "docker", name: "d", scope: "task", autoprovision: true, spec: { name: "ecs-web-4-d-abc123", driver: "local", driverOpts: { type: "tmpfs", device: "tmpfs" }, labels: { team: "a", ...ours } } }] },
    ],
    // Shared scope: named exactly as the ECS volume, no task labels, autoprovision as given.
    [
      "shared autoprovision",
      [{ name: "cache", dockerVolumeConfiguration: { scope: "shared", autoprovision: true, labels: { team: "a" } } }],
      { ok: true, volumes: [{ kind: "docker", name: "cache", scope: "shared", autoprovision: true, spec: { name: "cache", driver: "local", driverOpts: {}, labels: { team: "a" } } }] },
    ],
    // Shared scope without autoprovision defaults to false.
    [
      "shared default",
      [{ name: "cache", dockerVolumeConfiguration: { scope: "shared" } }],
      { ok: true, volumes: [{ kind: "docker", name: "cache", scope: "shared", autoprovision: false, spec: { name: "cache", driver: "local", driverOpts: {}, labels: {} } }] },
    ],
    // EFS needs AWS: refused with a reason naming the volume.
    [
      "efs",
      [{ name: "shared-fs", efsVolumeConfiguration: { fileSystemId: "fs-1" } }],
      { ok: false, reason: "CannotCreateVolumeError: volume 'shared-fs': efsVolumeConfiguration is not available on berth (no Amazon EFS here)" },
    ],
    // FSx for Windows likewise.
    [
      "fsx",
      [{ name: "w", fsxWindowsFileServerVolumeConfiguration: { fileSystemId: "fs-1", rootDirectory: "/", authorizationConfig: { credentialsParameter: "p", domain: "d" } } }],
      { ok: false, reason: "CannotCreateVolumeError: volume 'w': fsxWindowsFileServerVolumeConfiguration is not available on berth (no Amazon FSx for Windows File Server here)" },
    ],
  ])("%s", (_n, volumes, expected) => {
    expect(planTaskVolumes({ volumes }, ctx)).toEqual(expected);
  });
});

describe("taskVolumeName", () => {
  it.each<[string, { taskArn: string; family: string; revision: number }, string, string | RegExp]>([
    // Family, revision, volume and task id, so a restarted agent derives the same name.
    ["plain", ctx, "data", "ecs-web-4-data-abc123"],
    // Characters Docker refuses in volume names are dropped.
    ["cleaned", { ...ctx, family: "my fam!" }, "da ta", "ecs-myfam-4-data-abc123"],
    // Too long for a directory name: task id plus a hash of the volume name.
    ["overlong", { ...ctx, family: "f".repeat(255) }, "data", /^ecs-abc123-[0-9a-f]{16}$/],
  ])("%s", (_n, c, volume, expected) => {
    const name = taskVolumeName(c, volume);
    if (typeof expected === "string") expect(name).toBe(expected);
    else expect(name).toMatch(expected);
    expect(name.length).toBeLessThanOrEqual(255);
  });
});

const vols: TaskVolume[] = [
  { kind: "bind", name: "host", hostPath: "/srv/data" },
  { kind: "docker", name: "scratch", scope: "task", autoprovision: true, spec: { name: "ecs-web-4-scratch-abc123", driver: "local", driverOpts: {}, labels: {} } },
  { kind: "docker", name: "cache", scope: "shared", autoprovision: false, spec: { name: "cache", driver: "local", driverOpts: {}, labels: {} } },
];
const refs: Record<string, string> = { db: "ecs-web-4-db-1f2e" };

describe("containerMounts", () => {
  it.each<[string, Pick<ContainerDefinition, "name" | "mountPoints" | "volumesFrom">, { binds: string[]; volumesFrom: string[] } | string]>([
    // Nothing to mount.
    ["none", { name: "app" }, { binds: [], volumesFrom: [] }],
    // A host path, read-write and read-only.
    [
      "host path rw and ro",
      { name: "app", mountPoints: [{ sourceVolume: "host", containerPath: "/a" }, { sourceVolume: "host", containerPath: "/b", readOnly: true }] },
      { binds: ["/srv/data:/a", "/srv/data:/b:ro"], volumesFrom: [] },
    ],
    // Docker volumes by their Docker names: the task one derived, the shared one as named.
    [
      "docker volumes",
      { name: "app", mountPoints: [{ sourceVolume: "scratch", containerPath: "/tmp/s" }, { sourceVolume: "cache", containerPath: "/c", readOnly: false }] },
      { binds: ["ecs-web-4-scratch-abc123:/tmp/s", "cache:/c"], volumesFrom: [] },
    ],
    // volumesFrom by the sibling's Docker name, :ro when read-only.
    [
      "volumesFrom",
      { name: "app", volumesFrom: [{ sourceContainer: "db" }, { sourceContainer: "db", readOnly: true }] },
      { binds: [], volumesFrom: ["ecs-web-4-db-1f2e", "ecs-web-4-db-1f2e:ro"] },
    ],
    // A mount of an undeclared volume is refused, naming the field.
    ["unknown volume", { name: "app", mountPoints: [{ sourceVolume: "nope", containerPath: "/x" }] }, "app.mountPoints[0].sourceVolume: unknown volume 'nope'"],
    // A mount without a container path is refused.
    ["no containerPath", { name: "app", mountPoints: [{ sourceVolume: "host" }] }, "app.mountPoints[0].containerPath is required"],
    // A source not created yet has no Docker name to give.
    ["source not created", { name: "app", volumesFrom: [{ sourceContainer: "web" }] }, "app.volumesFrom[0].sourceContainer: container 'web' has not been created"],
  ])("%s", (_n, def, expected) => {
    const run = () => containerMounts(def, vols, (n) => refs[n]);
    if (typeof expected === "string") expect(run).toThrow(expected);
    else expect(run()).toEqual(expected);
  });
});

describe("checkVolumesFrom", () => {
  const siblings = [
    { name: "db", runtimeId: "id1", knownStatus: "CREATED" },
    { name: "seed", knownStatus: "PULLED" },
    { name: "broken", knownStatus: "STOPPED" },
  ];
  it.each<[string, string[], ReturnType<typeof checkVolumesFrom>]>([
    // No volumesFrom: nothing to wait for.
    ["none", [], { state: "ready" }],
    // The source exists in Docker.
    ["created source", ["db"], { state: "ready" }],
    // The source is not created yet: wait for it.
    ["pending source", ["db", "seed"], { state: "blocked", on: "seed" }],
    // The source stopped without ever being created: it never will be.
    ["failed source", ["broken"], { state: "fail", reason: "CannotCreateContainerError: volumesFrom container 'broken' stopped before it was created" }],
    // A name that is no container of the task.
    ["unknown source", ["ghost"], { state: "fail", reason: "CannotCreateContainerError: volumesFrom names 'ghost', not a container of this task" }],
  ])("%s", (_n, from, expected) => {
    expect(checkVolumesFrom({ volumesFrom: from.map((sourceContainer) => ({ sourceContainer })) }, siblings)).toEqual(expected);
  });
});

describe("provisionTaskVolumes on the simulated runtime", () => {
  const existing: VolumeInfo = { name: "cache", driver: "local", labels: { team: "a" }, options: {} };
  const shared = (autoprovision: boolean, driver = "local"): TaskVolume => ({
    kind: "docker",
    name: "cache",
    scope: "shared",
    autoprovision,
    spec: { name: "cache", driver, driverOpts: {}, labels: { team: "a" } },
  });
  it.each<[string, TaskVolume[], VolumeInfo[], string[] | string]>([
    // Binds need nothing from Docker.
    ["bind only", [vols[0]], [], []],
    // A task volume is created.
    ["task volume", [vols[1]], [], ["ecs-web-4-scratch-abc123"]],
    // A missing shared volume with autoprovision is created.
    ["shared autoprovision", [shared(true)], [], ["cache"]],
    // An existing shared volume is used as it is.
    ["shared exists", [shared(false)], [existing], ["cache"]],
    // A missing shared volume without autoprovision fails the task.
    ["shared missing", [shared(false)], [], "CannotCreateVolumeError: shared volume 'cache' does not exist and autoprovision is false"],
    // With autoprovision, an existing shared volume must have the driver asked for.
    ["shared other driver", [shared(true, "rexray")], [existing], "CannotCreateVolumeError: shared volume 'cache' exists but driver is 'local', the task definition says 'rexray'"],
  ])("%s", async (_n, volumes, present, expected) => {
    const rt = new SimulatedRuntime({ volumes: present });
    const run = provisionTaskVolumes(rt, volumes);
    if (typeof expected === "string") {
      await expect(run).rejects.toMatchObject({ reason: expected, retryable: false });
      return;
    }
    await run;
    // Twice is the same as once: a restarted agent provisions again.
    await provisionTaskVolumes(rt, volumes);
    expect(rt.volumeNames().sort()).toEqual(expected);
  });
});


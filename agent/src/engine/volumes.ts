import { createHash } from "node:crypto";
import { lastIdOf, type ContainerDefinition, type TaskDefinition } from "@berth/shared";
import {
  CannotCreateVolumeError,
  RuntimeError,
  type ContainerRuntime,
  type VolumeInfo,
  type VolumeSpec,
} from "../runtime/index.js";
import { ecsLabel } from "./container-config.js";
import { failureReason, retryDelayMs, type RetryPolicy } from "./retry.js";
import type { ContainerMounts } from "./model.js";
import type { Transition } from "./transition.js";

/*
 * ECS task volumes on the agent (the ECS agent's taskresource/volume): what a task definition's
 * `volumes` become on Docker, each container's Binds and VolumesFrom, and the few runtime calls
 * that make task volumes exist before the first container is created and go at cleanup.
 */

/** One ECS volume of a task, resolved to what Docker mounts. */
export type TaskVolume =
  /** `host.sourcePath`: a bind of a host path (Docker creates it when missing). */
  | { kind: "bind"; name: string; hostPath: string }
  /**
   * A Docker volume: `scope` task (dockerVolumeConfiguration scope task, or ECS's empty volume)
   * is made for this task and removed at its cleanup; `shared` is named as the ECS volume and
   * outlives tasks.
   */
  | {
      kind: "docker";
      name: string;
      scope: "task" | "shared";
      spec: VolumeSpec;
      /** Shared scope only: create it when missing (otherwise a missing one fails the task). */
      autoprovision: boolean;
    };

/** A task's volumes, or why the task cannot have them. */
export type TaskVolumePlan = { ok: true; volumes: TaskVolume[] } | { ok: false; reason: string };

/** What a task volume's name and labels are made from. */
export interface TaskVolumeContext {
  taskArn: string;
  family: string;
  revision: number;
  cluster: string;
}

// The local driver makes a directory named after the volume: keep names within a file name.
const maxVolumeName = 255;
const clean = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, "");

/**
 * The Docker name of a task-scoped volume: `ecs-<family>-<revision>-<volume>-<task id>`. It is
 * derived, not random (ECS appends random hex and records it), so a restarted agent arrives at
 * the same name from the task alone; an overlong one falls back to a hash of the volume name.
 */
export function taskVolumeName(ctx: Pick<TaskVolumeContext, "taskArn" | "family" | "revision">, volume: string): string {
  const id = clean(lastIdOf(ctx.taskArn));
  const name = `ecs-${clean(ctx.family)}-${ctx.revision}-${clean(volume)}-${id}`;
  if (name.length <= maxVolumeName) return name;
  return `ecs-${id}-${createHash("sha256").update(volume).digest("hex").slice(0, 16)}`.slice(0, maxVolumeName);
}

/** The labels that tie a volume to its task, so cleanup finds it even without the definition. */
export function taskVolumeLabels(ctx: Pick<TaskVolumeContext, "taskArn" | "cluster">): Record<string, string> {
  return { [ecsLabel.taskArn]: ctx.taskArn, [ecsLabel.cluster]: ctx.cluster };
}

// Volume kinds that need AWS services behind them; berth has none of them.
const unavailable: [keyof NonNullable<TaskDefinition["volumes"]>[number], string][] = [
  ["efsVolumeConfiguration", "Amazon EFS"],
  ["fsxWindowsFileServerVolumeConfiguration", "Amazon FSx for Windows File Server"],
  ["s3filesVolumeConfiguration", "Amazon S3 Files"],
  ["configuredAtLaunch", "Amazon EBS volumes configured at launch"],
];

/** Resolves every volume of a task definition (pure); an unsupported kind is a refusal. */
export function planTaskVolumes(td: Pick<TaskDefinition, "volumes">, ctx: TaskVolumeContext): TaskVolumePlan {
  const volumes: TaskVolume[] = [];
  for (const [i, v] of (td.volumes ?? []).entries()) {
    const name = v.name ?? "";
    if (!name) return { ok: false, reason: `CannotCreateVolumeError: volumes[${i}]: a volume needs a name` };
    const missing = unavailable.find(([field]) => !!v[field]);
    if (missing) {
      return { ok: false, reason: `CannotCreateVolumeError: volume '${name}': ${missing[0]} is not available on berth (no ${missing[1]} here)` };
    }
    if (v.host?.sourcePath) {
      volumes.push({ kind: "bind", name, hostPath: v.host.sourcePath });
      continue;
    }
    const dvc = v.dockerVolumeConfiguration;
    const scope = dvc?.scope === "shared" ? "shared" : "task";
    const driver = dvc?.driver || "local";
    const driverOpts = { ...(dvc?.driverOpts ?? {}) };
    if (scope === "shared") {
      volumes.push({ kind: "docker", name, scope, autoprovision: dvc?.autoprovision ?? false, spec: { name, driver, driverOpts, labels: { ...(dvc?.labels ?? {}) } } });
      continue;
    }
    // ECS's labels go over the user's so cleanup can always find what is the task's.
    const labels = { ...(dvc?.labels ?? {}), ...taskVolumeLabels(ctx) };
    volumes.push({ kind: "docker", name, scope, autoprovision: true, spec: { name: taskVolumeName(ctx, name), driver, driverOpts, labels } });
  }
  return { ok: true, volumes };
}

/** One container's Docker mounts. */
export type { ContainerMounts } from "./model.js";

/**
 * A container's Binds and VolumesFrom (pure). `containerRef` gives a sibling's Docker name or id,
 * undefined while it has none. Throws an Error naming the field when something does not resolve
 * (the control plane validated the definition, but the agent does not trust a payload blindly).
 */
export function containerMounts(
  def: Pick<ContainerDefinition, "name" | "mountPoints" | "volumesFrom">,
  volumes: readonly TaskVolume[],
  containerRef: (name: string) => string | undefined,
): ContainerMounts {
  const byName = new Map(volumes.map((v) => [v.name, v]));
  const ro = (readOnly: boolean | undefined) => (readOnly ? ":ro" : "");
  const binds = (def.mountPoints ?? []).map((mp, j) => {
    const v = byName.get(mp.sourceVolume ?? "");
    if (!v) throw new Error(`${def.name}.mountPoints[${j}].sourceVolume: unknown volume '${mp.sourceVolume ?? ""}'`);
    if (!mp.containerPath) throw new Error(`${def.name}.mountPoints[${j}].containerPath is required`);
    const source = v.kind === "bind" ? v.hostPath : v.spec.name;
    return `${source}:${mp.containerPath}${ro(mp.readOnly)}`;
  });
  const volumesFrom = (def.volumesFrom ?? []).map((vf, j) => {
    const ref = containerRef(vf.sourceContainer ?? "");
    if (!ref) throw new Error(`${def.name}.volumesFrom[${j}].sourceContainer: container '${vf.sourceContainer ?? ""}' has not been created`);
    return `${ref}${ro(vf.readOnly)}`;
  });
  return { binds, volumesFrom };
}

/** The siblings a container takes volumes from: Docker needs them created before it (ECS waits likewise). */
export function volumesFromSources(def: Pick<ContainerDefinition, "volumesFrom">): string[] {
  return (def.volumesFrom ?? []).map((vf) => vf.sourceContainer ?? "").filter((n) => n !== "");
}

// Only what ECS would check on an existing shared volume: the driver and what the user asked for.
function sharedMismatch(have: VolumeInfo, want: VolumeSpec): string | undefined {
  if (have.driver !== want.driver) return `driver is '${have.driver}', the task definition says '${want.driver}'`;
  for (const [k, v] of Object.entries(want.driverOpts)) if (have.options[k] !== v) return `driverOpts.${k} differs`;
  for (const [k, v] of Object.entries(want.labels)) if (have.labels[k] !== v) return `label ${k} differs`;
  return undefined;
}

/**
 * Makes a task's Docker volumes exist before its first container is created. Task-scoped ones
 * are created (idempotently); shared ones are used when present, created when missing only with
 * autoprovision. Throws {@link CannotCreateVolumeError} (retryable only when Docker was).
 */
export async function provisionTaskVolumes(runtime: ContainerRuntime, volumes: readonly TaskVolume[]): Promise<void> {
  for (const v of volumes) {
    if (v.kind !== "docker") continue;
    try {
      if (v.scope === "task") {
        await runtime.createVolume(v.spec);
        continue;
      }
      const existing = await runtime.inspectVolume(v.spec.name);
      if (existing) {
        const why = v.autoprovision ? sharedMismatch(existing, v.spec) : undefined;
        if (why) throw new CannotCreateVolumeError(`shared volume '${v.name}' exists but ${why}`, { retryable: false });
        continue;
      }
      if (!v.autoprovision) {
        throw new CannotCreateVolumeError(`shared volume '${v.name}' does not exist and autoprovision is false`, { retryable: false });
      }
      await runtime.createVolume(v.spec);
    } catch (err) {
      if (err instanceof CannotCreateVolumeError) throw err;
      const retryable = err instanceof RuntimeError && err.retryable;
      throw new CannotCreateVolumeError(`volume '${v.name}': ${err instanceof Error ? err.message : String(err)}`, { retryable, cause: err });
    }
  }
}

/** What removing a task's volumes left behind. */
export interface VolumeRemovalFailure {
  volume: string;
  error: unknown;
}

/**
 * Removes a task's task-scoped volumes once its containers are gone: those the plan names plus
 * any labelled with the task (a re-adopted task has no definition to name them). Shared volumes
 * are never touched. Returns the failures; the caller decides whether to try again.
 */
export async function removeTaskVolumes(
  runtime: ContainerRuntime,
  ctx: Pick<TaskVolumeContext, "taskArn" | "cluster">,
  volumes: readonly TaskVolume[],
): Promise<VolumeRemovalFailure[]> {
  const names = new Set(volumes.flatMap((v) => (v.kind === "docker" && v.scope === "task" ? [v.spec.name] : [])));
  const failures: VolumeRemovalFailure[] = [];
  try {
    for (const v of await runtime.listVolumes(taskVolumeLabels(ctx))) names.add(v.name);
  } catch (error) {
    failures.push({ volume: "(list)", error });
  }
  for (const name of names) {
    try {
      await runtime.removeVolume(name);
    } catch (error) {
      failures.push({ volume: name, error });
    }
  }
  return failures;
}

/** Whether a container may be created as far as its volumesFrom sources go. */
export type VolumesFromCheck = { state: "ready" } | { state: "blocked"; on: string } | { state: "fail"; reason: string };

/**
 * A container with volumesFrom is created only once every source container exists (pure; the
 * ECS agent's volume dependency). A source that stopped without ever being created never will be.
 */
export function checkVolumesFrom(
  def: Pick<ContainerDefinition, "volumesFrom">,
  siblings: readonly { name: string; runtimeId?: string; knownStatus: string }[],
): VolumesFromCheck {
  for (const src of volumesFromSources(def)) {
    const s = siblings.find((x) => x.name === src);
    if (!s) return { state: "fail", reason: `CannotCreateContainerError: volumesFrom names '${src}', not a container of this task` };
    if (s.runtimeId) continue;
    if (s.knownStatus === "STOPPED") return { state: "fail", reason: `CannotCreateContainerError: volumesFrom container '${src}' stopped before it was created` };
    return { state: "blocked", on: src };
  }
  return { state: "ready" };
}

/**
 * What a container wanting `create` is told by {@link TaskVolumes.beforeCreate}: go, with its
 * mounts; or the transition to take instead, `blocked` while volumes are being provisioned or a
 * volumesFrom source is not created yet, `fail` when it never can be.
 */
export type CreateGate = { kind: "go"; mounts: ContainerMounts } | Extract<Transition, { kind: "blocked" | "fail" }>;

/**
 * One task's volumes on the agent, held by its runner: resolved once per definition, provisioned
 * before the first container is created (again after an agent restart, which is harmless since
 * creation is idempotent and shared volumes are only looked up), retried with backoff while Docker
 * is unreachable, and removed at cleanup. The runner stays the task's only writer: this class
 * starts provisioning and reports the outcome through `onProvisioned`, which the runner turns into
 * an event of its own loop.
 */
export class TaskVolumes {
  private resolved?: TaskVolumePlan;
  private state: "pending" | "busy" | "ready" = "pending";
  private attempts = 0;
  private retryAt = 0;

  constructor(
    private readonly ctx: TaskVolumeContext,
    private readonly runtime: ContainerRuntime,
    private readonly retry: RetryPolicy,
    private readonly onProvisioned: (error?: unknown) => void,
  ) {}

  /** The task's volumes for definition `td` (cached; {@link reset} when the definition changes). */
  plan(td: Pick<TaskDefinition, "volumes"> | undefined): TaskVolumePlan {
    if (!td) return { ok: true, volumes: [] };
    return (this.resolved ??= planTaskVolumes(td, this.ctx));
  }

  /** A new definition arrived (an adopted task got its real one): resolve again. */
  reset(): void {
    this.resolved = undefined;
  }

  /** Whether container `def` may be created now; starts provisioning when it is due. */
  beforeCreate(
    td: Pick<TaskDefinition, "volumes">,
    def: Pick<ContainerDefinition, "name" | "mountPoints" | "volumesFrom">,
    siblings: readonly { name: string; runtimeId?: string; dockerName?: string; knownStatus: string }[],
    now: number,
  ): CreateGate {
    const plan = this.plan(td);
    if (!plan.ok) return { kind: "fail", reason: plan.reason };
    if (this.state !== "ready" && !plan.volumes.some((v) => v.kind === "docker")) this.state = "ready";
    if (this.state === "pending" && this.retryAt <= now) {
      this.state = "busy";
      provisionTaskVolumes(this.runtime, plan.volumes).then(() => this.onProvisioned(), (error: unknown) => this.onProvisioned(error ?? new Error("volume provisioning failed")));
    }
    if (this.state !== "ready") return { kind: "blocked", reason: "waiting for task volumes", recheckAtMs: this.state === "pending" ? this.retryAt : undefined };
    const check = checkVolumesFrom(def, siblings);
    if (check.state === "fail") return { kind: "fail", reason: check.reason };
    if (check.state === "blocked") return { kind: "blocked", reason: `waiting for volumesFrom container ${check.on} to be created` };
    try {
      const ref = (name: string) => {
        const s = siblings.find((x) => x.name === name);
        return s?.runtimeId ? (s.dockerName ?? s.runtimeId) : undefined;
      };
      return { kind: "go", mounts: containerMounts(def, plan.volumes, ref) };
    } catch (err) {
      return { kind: "fail", reason: `CannotCreateContainerError: ${(err as Error).message}` };
    }
  }

  /**
   * Records how provisioning ended: undefined when the volumes are ready, a time to try again
   * when Docker was unreachable, else the reason the task fails (`CannotCreateVolumeError: ...`).
   */
  provisioned(error: unknown, now: number): undefined | { retryAtMs: number } | { reason: string } {
    if (error === undefined) {
      this.state = "ready";
      this.attempts = 0;
      return undefined;
    }
    this.state = "pending";
    this.attempts += 1;
    const delay = retryDelayMs(this.retry, this.attempts, error);
    if (delay !== undefined) {
      this.retryAt = now + delay;
      return { retryAtMs: this.retryAt };
    }
    // Spent: stay pending with no retry time, so nothing provisions again for this task.
    this.retryAt = Number.POSITIVE_INFINITY;
    return { reason: failureReason(error, "CannotCreateVolumeError") };
  }

  /** Removes the task-scoped volumes (after the containers); see {@link removeTaskVolumes}. */
  remove(td: Pick<TaskDefinition, "volumes"> | undefined): Promise<VolumeRemovalFailure[]> {
    const plan = this.plan(td);
    return removeTaskVolumes(this.runtime, this.ctx, plan.ok ? plan.volumes : []);
  }
}

import {
  ConflictError,
  InvalidParameterException,
  isContainerStatus,
  lastIdOf,
  protectionHolds,
  release,
  visibleTaskStatus,
  type ContainerInstanceRecord,
  type StopCode,
  type TaskRecord,
  type TaskStatus,
} from "@berth/shared";
import type { TaskStateChange } from "@berth/proto";
import type { Txn, Versioned } from "../store/index.js";
import type { CoreContext } from "./context.js";

// Forward order of what users see; a late report never moves a task backwards.
const visibleOrder: TaskStatus[] = ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"];
const later = (a: TaskStatus, b: TaskStatus) => (visibleOrder.indexOf(a) >= visibleOrder.indexOf(b) ? a : b);

/**
 * The task after an agent's state change: containers, timestamps and the status users see.
 * Pure: the caller writes it (and releases resources when it reached STOPPED).
 */
export function applyChange(task: TaskRecord, change: TaskStateChange, now: number): TaskRecord {
  const known = isContainerStatus(change.status) ? change.status : "NONE";
  const byName = new Map(change.containers.map((c) => [c.name, c]));
  const containers = task.containers.map((c) => {
    const ch = byName.get(c.name);
    if (!ch) return c;
    const status = isContainerStatus(ch.status) ? visibleTaskStatus(ch.status, task.desiredStatus) : c.lastStatus;
    return {
      ...c,
      runtimeId: ch.runtimeId || c.runtimeId,
      // A STOPPED container stays STOPPED: a late or re-sent report (an agent back after its
      // task was marked lost) must not show it running again.
      lastStatus: c.lastStatus === "STOPPED" ? "STOPPED" : status === "STOPPING" ? "RUNNING" : status,
      exitCode: ch.exitCode ?? c.exitCode,
      reason: ch.reason || c.reason,
      networkBindings:
        ch.networkBindings.length > 0
          ? ch.networkBindings.map((b) => ({ bindIP: b.bindIp, containerPort: b.containerPort, hostPort: b.hostPort, protocol: b.protocol as "tcp" | "udp" }))
          : c.networkBindings,
      healthStatus: (ch.healthStatus || c.healthStatus) as TaskRecord["containers"][number]["healthStatus"],
      imageDigest: ch.imageDigest || c.imageDigest,
    };
  });
  const lastStatus = later(visibleTaskStatus(known, task.desiredStatus), task.lastStatus);
  const ms = (v: number | undefined, old: number | undefined) => (v ? v : old);
  const next: TaskRecord = {
    ...task,
    containers,
    lastStatus,
    pullStartedAtMs: ms(change.pullStartedAtMs, task.pullStartedAtMs),
    pullStoppedAtMs: ms(change.pullStoppedAtMs, task.pullStoppedAtMs),
    startedAtMs: ms(change.startedAtMs, task.startedAtMs),
    // The first stop time recorded is the one kept.
    stoppedAtMs: lastStatus === "STOPPED" ? task.stoppedAtMs ?? change.stoppedAtMs ?? now : task.stoppedAtMs,
    executionStoppedAtMs: ms(change.executionStoppedAtMs, task.executionStoppedAtMs),
    version: task.version + 1,
  };
  if (lastStatus === "STOPPED" && task.lastStatus !== "STOPPED") {
    next.desiredStatus = "STOPPED";
    next.stoppedReason = task.stoppedReason ?? (change.reason || undefined);
    next.stopCode = task.stopCode ?? stopCodeFor(next);
  }
  return next;
}

function stopCodeFor(t: TaskRecord): StopCode {
  if (!t.startedAtMs) return "TaskFailedToStart";
  return "EssentialContainerExited";
}

/**
 * Stages `next` and, when it has just stopped, the return of its reservation to its instance.
 * `instance` must be the instance as read (its mod revision guards the release).
 */
export function stageTaskWrite(
  ctx: CoreContext,
  txn: Txn,
  cur: Versioned<TaskRecord>,
  next: TaskRecord,
  instance: Versioned<ContainerInstanceRecord> | undefined,
): TaskRecord {
  let rec = next;
  if (next.lastStatus === "STOPPED" && !next.released) {
    rec = { ...next, released: true };
    if (instance) {
      const i = instance.value;
      ctx.store.instances.stageUpdate(
        txn,
        {
          ...i,
          remaining: release(i.remaining, next.reserved, i.registered),
          heldTasks: i.heldTasks?.filter((h) => h.id !== next.id),
          version: i.version + 1,
        },
        instance.modRevision,
      );
    }
  }
  ctx.store.tasks.stageUpdate(txn, rec, cur.modRevision);
  return rec;
}

/**
 * Read-modify-write of one task, releasing its reservation on STOPPED, retried on conflicts.
 * `change` returns undefined to leave the task as it is.
 */
export async function updateTask(
  ctx: CoreContext,
  cluster: string,
  id: string,
  change: (t: TaskRecord) => TaskRecord | undefined,
): Promise<TaskRecord | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await ctx.store.tasks.get(cluster, id);
    if (!cur) return undefined;
    const next = change(cur.value);
    if (!next) return cur.value;
    const instance = next.lastStatus === "STOPPED" && !next.released ? await ctx.store.instances.get(cluster, next.containerInstanceId) : undefined;
    const txn = ctx.store.txn();
    const rec = stageTaskWrite(ctx, txn, cur, next, instance);
    try {
      await ctx.store.commit(txn);
      if (rec.lastStatus !== cur.value.lastStatus) {
        ctx.log.info("task status", { taskArn: rec.arn, from: cur.value.lastStatus, to: rec.lastStatus, reason: rec.stoppedReason });
      }
      return rec;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new ConflictError(`task ${id} kept changing`);
}

/** Records an agent's state change for a task on `instanceId`; ignores tasks that are not its. */
export async function recordStateChange(ctx: CoreContext, cluster: string, instanceId: string, change: TaskStateChange): Promise<TaskRecord | undefined> {
  const id = lastIdOf(change.taskArn);
  return updateTask(ctx, cluster, id, (t) => (t.containerInstanceId === instanceId ? applyChange(t, change, ctx.now()) : undefined));
}

/** How a stop treats the task it finds. */
export interface StopOptions {
  /**
   * A scale-in or deployment stop: leave the task running if its scale-in protection holds when
   * the stop is written (it may have been set after the service plan's snapshot was read).
   */
  spareProtected?: boolean;
}

/**
 * Asks for a task to stop: desired status STOPPED with the reason the user gave. The agent
 * holding it is told through its session; a task on an instance whose agent is away stays
 * STOPPING until the agent comes back or the liveness loop declares the instance lost and marks
 * the task STOPPED.
 */
export async function stopTask(
  ctx: CoreContext,
  cluster: string,
  id: string,
  reason: string | undefined,
  code: StopCode = "UserInitiated",
  opts: StopOptions = {},
): Promise<TaskRecord> {
  const rec = await updateTask(ctx, cluster, id, (t) => {
    if (t.desiredStatus === "STOPPED") return undefined;
    if (opts.spareProtected && protectionHolds(t, ctx.now())) return undefined;
    return {
      ...t,
      desiredStatus: "STOPPED",
      lastStatus: t.lastStatus === "RUNNING" ? "STOPPING" : t.lastStatus,
      stoppingAtMs: ctx.now(),
      stoppedReason: reason ?? "Task stopped by user",
      stopCode: code,
      version: t.version + 1,
    };
  });
  if (!rec) throw new InvalidParameterException("The referenced task was not found.");
  return rec;
}

/** Marks a task STOPPED without its agent (its instance is gone), releasing its resources. */
export async function markStopped(ctx: CoreContext, cluster: string, id: string, reason: string, code: StopCode): Promise<TaskRecord | undefined> {
  return updateTask(ctx, cluster, id, (t) => {
    if (t.lastStatus === "STOPPED") return undefined;
    const now = ctx.now();
    return {
      ...t,
      desiredStatus: "STOPPED",
      lastStatus: "STOPPED",
      stoppedReason: t.stoppedReason ?? reason,
      stopCode: t.stopCode ?? code,
      stoppedAtMs: now,
      executionStoppedAtMs: t.executionStoppedAtMs ?? now,
      containers: t.containers.map((c) => ({ ...c, lastStatus: "STOPPED" })),
      version: t.version + 1,
    };
  });
}

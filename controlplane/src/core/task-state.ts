import {
  ConflictError,
  essentialContainerExitedReason,
  InvalidParameterException,
  isContainerStatus,
  lastIdOf,
  protectionHolds,
  release,
  visibleTaskStatus,
  type ContainerInstanceRecord,
  type StopCode,
  type TaskContainerRecord,
  type TaskRecord,
  type TaskStatus,
} from "@berth/shared";
import type { TaskStateChange } from "@berth/proto";
import { FencedOutError, type Txn, type Versioned } from "../store/index.js";
import type { CoreContext } from "./context.js";
import { planStopDrain } from "./elbv2/task-drain.js";
import { listTargetGroups } from "./elbv2/target-groups.js";
import { deregisterTaskTargets } from "./elbv2/targets.js";

// Forward order of what users see; a late report never moves a task backwards.
const visibleOrder: TaskStatus[] = ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"];
const later = (a: TaskStatus, b: TaskStatus) => (visibleOrder.indexOf(a) >= visibleOrder.indexOf(b) ? a : b);

/**
 * The task after an agent's state change: containers, timestamps and the status users see.
 * When the change shows the agent stopping the task on its own (an essential container
 * stopped, a reason given, or the task reached STOPPED) while it was to run, the desired status
 * moves to STOPPED here, as ECS's does when its agent reports an essential container's exit:
 * `stoppingAt`, `stopCode` and `stoppedReason` are set then (see {@link agentStopOf}).
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
      startedAtMs: c.startedAtMs ?? (ch.startedAtMs || undefined),
    };
  });
  const ms = (v: number | undefined, old: number | undefined) => (v ? v : old);
  const startedAtMs = ms(change.startedAtMs, task.startedAtMs);
  const stop = task.desiredStatus === "RUNNING" ? agentStopOf(known, change.reason, containers, startedAtMs) : undefined;
  const desiredStatus = stop ? "STOPPED" : task.desiredStatus;
  const reported = later(visibleTaskStatus(known, desiredStatus), task.lastStatus);
  // While its stop is held for draining the agent runs the task on: DEACTIVATING, not STOPPING.
  const lastStatus = task.drain && reported === "STOPPING" ? "DEACTIVATING" : reported;
  // The first stop time recorded is the one kept.
  const stoppedAtMs = lastStatus === "STOPPED" ? task.stoppedAtMs ?? (change.stoppedAtMs || now) : task.stoppedAtMs;
  // The agent's clock dates the stop, this one the decision: one report can carry both, and
  // ECS's order (stoppingAt <= stoppedAt) holds whatever the two clocks say.
  const stoppingAtMs = stop ? Math.min(now, stoppedAtMs ?? now) : task.stoppingAtMs;
  const next: TaskRecord = {
    ...task,
    containers,
    desiredStatus,
    lastStatus,
    connectivityAtMs: task.connectivityAtMs ?? now,
    pullStartedAtMs: ms(change.pullStartedAtMs, task.pullStartedAtMs),
    pullStoppedAtMs: ms(change.pullStoppedAtMs, task.pullStoppedAtMs),
    startedAtMs,
    stoppingAtMs,
    stoppedAtMs: stoppedAtMs !== undefined && stoppingAtMs !== undefined ? Math.max(stoppedAtMs, stoppingAtMs) : stoppedAtMs,
    executionStoppedAtMs: ms(change.executionStoppedAtMs, task.executionStoppedAtMs),
    network: attachedNetwork(task, change, now),
    version: task.version + 1,
  };
  if (stop) {
    next.stopCode = task.stopCode ?? stop.stopCode;
    next.stoppedReason = task.stoppedReason ?? stop.stoppedReason;
  }
  return next;
}

/** The task's interface with what the agent reported of it: the MAC, and since when it is up. */
function attachedNetwork(task: TaskRecord, change: TaskStateChange, now: number): TaskRecord["network"] {
  const net = task.network;
  const report = change.network;
  if (!net || !report || report.attachmentId !== net.attachmentId) return net;
  return { ...net, macAddress: report.macAddress || net.macAddress, attachedAtMs: net.attachedAtMs ?? now };
}

/** Why a task its agent stopped on its own stopped, in ECS's words. */
export interface AgentStop {
  stopCode: Extract<StopCode, "TaskFailedToStart" | "EssentialContainerExited">;
  stoppedReason: string;
}

/**
 * Whether a report shows the agent stopping a task that was to run, and why, ECS's way. The
 * agent stops a task when an essential container stops (or it cannot provide the task's
 * volumes), saying so in the report's `reason`. First match wins:
 * - nothing stopped and no reason: the task runs on (undefined);
 * - the task reached RUNNING, or an essential container that ran has stopped:
 *   EssentialContainerExited, "Essential container in task exited";
 * - otherwise nothing essential ever ran (a pull, create or start failed): TaskFailedToStart,
 *   with the agent's reason (`CannotPullContainerError: ...`), else the failed container's.
 * A container counts as having run when its agent reported a start time: one that exited
 * before the agent saw it running has one too (Docker's), one that Docker could not start has none.
 */
export function agentStopOf(
  known: string,
  reason: string,
  containers: readonly Pick<TaskContainerRecord, "essential" | "lastStatus" | "startedAtMs" | "reason">[],
  taskStartedAtMs: number | undefined,
): AgentStop | undefined {
  const essentialStopped = containers.filter((c) => c.essential !== false && c.lastStatus === "STOPPED");
  if (known !== "STOPPED" && !reason && essentialStopped.length === 0) return undefined;
  if (taskStartedAtMs !== undefined || essentialStopped.some((c) => c.startedAtMs !== undefined)) {
    return { stopCode: "EssentialContainerExited", stoppedReason: reason || essentialContainerExitedReason };
  }
  const failed = essentialStopped.find((c) => c.reason) ?? containers.find((c) => c.reason);
  return { stopCode: "TaskFailedToStart", stoppedReason: reason || failed?.reason || "Task failed to start" };
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
 * the task STOPPED. A RUNNING task registered in target groups is DEACTIVATING first: its stop
 * is held (`drain`) until its targets have drained (elbv2/task-drain.ts), then it goes to the agent.
 */
export async function stopTask(
  ctx: CoreContext,
  cluster: string,
  id: string,
  reason: string | undefined,
  code: StopCode = "UserInitiated",
  opts: StopOptions = {},
): Promise<TaskRecord> {
  // A service task registered in target groups drains first (DEACTIVATING): the groups are
  // read once, before the guarded write, as the gate only needs to know where the task is.
  const groups = await listTargetGroups(ctx);
  // Whether the write that landed set the gate (the change runs again after a lost race).
  let gated = false;
  const rec = await updateTask(ctx, cluster, id, (t) => {
    const next = stoppingTask(t, reason, code, groups, ctx.now(), opts);
    gated = next?.drain !== undefined;
    return next;
  });
  if (!rec) throw new InvalidParameterException("The referenced task was not found.");
  // Its targets start draining now; should this fail, the load balancer loop's next pass does it.
  if (gated) {
    await deregisterTaskTargets(ctx, rec).catch((err) => {
      if (err instanceof FencedOutError) throw err;
      ctx.log.warn("task targets not deregistered; the load balancer loop will", { taskArn: rec.arn, err });
    });
  }
  return rec;
}

/**
 * `t` asked to stop at `now` (pure), or undefined when that changes nothing: it is stopping
 * already, or it is spared for its scale-in protection. A RUNNING task registered in one of
 * `groups` gets the drain gate (DEACTIVATING); the caller deregisters its targets once written.
 */
export function stoppingTask(
  t: TaskRecord,
  reason: string | undefined,
  code: StopCode,
  groups: Parameters<typeof planStopDrain>[1],
  now: number,
  opts: StopOptions = {},
): TaskRecord | undefined {
  if (t.desiredStatus === "STOPPED") return undefined;
  if (opts.spareProtected && protectionHolds(t, now)) return undefined;
  // A PROVISIONING task is on no instance yet: no agent to tell, it is STOPPED at once.
  if (t.lastStatus === "PROVISIONING" && t.containerInstanceId === "") return stoppedWithoutAgent(t, reason ?? "Task stopped by user", code, now);
  const drain = planStopDrain(t, groups, now);
  return {
    ...t,
    desiredStatus: "STOPPED",
    lastStatus: t.lastStatus === "RUNNING" ? (drain ? "DEACTIVATING" : "STOPPING") : t.lastStatus,
    ...(drain && { drain }),
    stoppingAtMs: now,
    stoppedReason: reason ?? "Task stopped by user",
    stopCode: code,
    version: t.version + 1,
  };
}

/** Marks a task STOPPED without its agent (its instance is gone), releasing its resources. */
export async function markStopped(ctx: CoreContext, cluster: string, id: string, reason: string, code: StopCode): Promise<TaskRecord | undefined> {
  return updateTask(ctx, cluster, id, (t) => stoppedWithoutAgent(t, reason, code, ctx.now()));
}

/**
 * The task marked STOPPED at `now` without its agent, or undefined when it already is. A
 * reason, code and stoppingAt a StopTask gave earlier are kept.
 */
export function stoppedWithoutAgent(t: TaskRecord, reason: string, code: StopCode, now: number): TaskRecord | undefined {
  if (t.lastStatus === "STOPPED") return undefined;
  return {
    ...t,
    desiredStatus: "STOPPED",
    lastStatus: "STOPPED",
    stoppedReason: t.stoppedReason ?? reason,
    stopCode: t.stopCode ?? code,
    // The desired status moves to STOPPED now, unless a StopTask moved it already.
    stoppingAtMs: t.stoppingAtMs ?? now,
    stoppedAtMs: now,
    executionStoppedAtMs: t.executionStoppedAtMs ?? now,
    containers: t.containers.map((c) => ({ ...c, lastStatus: "STOPPED" })),
    version: t.version + 1,
  };
}

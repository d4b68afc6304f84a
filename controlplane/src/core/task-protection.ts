import { InvalidParameterException, protectionHolds, taskArn, type TaskRecord } from "@berth/shared";
import { keys } from "../store/index.js";
import { activeCluster } from "./clusters.js";
import type { CoreContext } from "./context.js";
import { updateTask } from "./task-state.js";

/**
 * Task scale-in protection (ECS's UpdateTaskProtection / GetTaskProtection): a service task
 * marked protected is left alone by the service scheduler's scale-in and deployment stops until
 * the protection is turned off or expires. The pure parts (expiry, refusals, the record change,
 * what a caller sees) are separate from the two store operations at the bottom.
 */

/** ECS's bounds on `expiresInMinutes` and its default (2 hours; at most 48 hours). */
export const protectionMinutes = { default: 120, min: 1, max: 2880 } as const;

/** How many tasks one call may name: 10 for UpdateTaskProtection, 100 for GetTaskProtection. */
export const protectionTaskLimits = { update: 10, get: 100 } as const;

/** One task's protection as ECS reports it (its ProtectedTask, timestamps still in ms). */
export interface ProtectionView {
  taskArn: string;
  protectionEnabled: boolean;
  /** When the protection lapses; only while it holds. */
  expiresAtMs?: number;
}

/** A task the call could not act on, in ECS's Failure shape. */
export interface ProtectionFailure {
  arn: string;
  /** ECS's reasons: MISSING (no such task), TASK_NOT_VALID (not a service task, or stopped). */
  reason: "MISSING" | "TASK_NOT_VALID";
  detail: string;
}

/** What both operations answer. */
export interface ProtectionResult {
  protectedTasks: ProtectionView[];
  failures: ProtectionFailure[];
}

/**
 * When a protection set at `now` lapses: `expiresInMinutes` from now (ECS's default of 120 when
 * unset). Every call resets it, which is how ECS lets a task keep extending its protection.
 */
export function protectionExpiry(now: number, expiresInMinutes: number | undefined): number {
  const minutes = expiresInMinutes ?? protectionMinutes.default;
  if (!Number.isInteger(minutes) || minutes < protectionMinutes.min || minutes > protectionMinutes.max) {
    throw new InvalidParameterException(
      `expiresInMinutes: must be between ${protectionMinutes.min} and ${protectionMinutes.max} minutes (48 hours), got ${minutes}`,
    );
  }
  return now + minutes * 60_000;
}

/** A service's tasks carry its group and a deployment's id in startedBy (ECS: only they can be protected). */
const isServiceTask = (t: TaskRecord) => t.group?.startsWith("service:") === true && t.startedBy?.startsWith("ecs-svc/") === true;

/**
 * Why `t` cannot take protection (the Failure's detail), or undefined when it can. Only service
 * tasks can be protected, as ECS says; a task already told to stop has nothing left to protect,
 * so turning protection on for it is refused too, while turning it off is always allowed.
 */
export function protectionRefusal(t: TaskRecord, enable: boolean): string | undefined {
  if (!isServiceTask(t)) return "The task is not part of a service: only service tasks can be protected.";
  if (enable && t.desiredStatus === "STOPPED") return "The task is stopping or stopped.";
  return undefined;
}

/**
 * The task with its protection set to lapse at `expiresAtMs`, or removed when that is undefined;
 * undefined when nothing changes (turning off a protection that was never set writes nothing).
 */
export function withProtection(t: TaskRecord, expiresAtMs: number | undefined): TaskRecord | undefined {
  if (expiresAtMs === undefined) {
    if (t.protection === undefined) return undefined;
    const { protection: _off, ...rest } = t;
    return { ...rest, version: t.version + 1 };
  }
  if (t.protection?.expiresAtMs === expiresAtMs) return undefined;
  return { ...t, protection: { expiresAtMs }, version: t.version + 1 };
}

/** What GetTaskProtection shows for `t` at `now`: an expired protection reads as off. */
export function protectionView(t: TaskRecord, now: number): ProtectionView {
  return protectionHolds(t, now) ? { taskArn: t.arn, protectionEnabled: true, expiresAtMs: t.protection!.expiresAtMs } : { taskArn: t.arn, protectionEnabled: false };
}

/** What UpdateTaskProtection is asked to do, task ids already parsed from the ids or ARNs given. */
export interface ProtectionUpdate {
  cluster: string;
  taskIds: string[];
  protectionEnabled: boolean;
  expiresInMinutes?: number;
}

/**
 * Sets or clears the protection of up to 10 tasks, each through a revision-guarded write of its
 * record. Tasks that do not exist or cannot be protected come back as failures; the others are
 * changed whatever the failures. The cluster must exist (ClusterNotFoundException).
 */
export async function updateTaskProtection(ctx: CoreContext, req: ProtectionUpdate): Promise<ProtectionResult> {
  checkTaskCount(req.taskIds, protectionTaskLimits.update, 1);
  await activeCluster(ctx, req.cluster);
  const now = ctx.now();
  // Checked before any write: a bad duration fails the whole call and changes nothing.
  const expiresAtMs = req.protectionEnabled ? protectionExpiry(now, req.expiresInMinutes) : undefined;
  const out: ProtectionResult = { protectedTasks: [], failures: [] };
  for (const id of req.taskIds) {
    let refusal: string | undefined;
    let changed = false;
    const rec = await updateTask(ctx, req.cluster, id, (t) => {
      refusal = protectionRefusal(t, req.protectionEnabled);
      const next = refusal === undefined ? withProtection(t, expiresAtMs) : undefined;
      changed = next !== undefined;
      return next;
    });
    if (!rec) out.failures.push(missing(ctx, req.cluster, id));
    else if (refusal !== undefined) out.failures.push({ arn: rec.arn, reason: "TASK_NOT_VALID", detail: refusal });
    else {
      if (changed) ctx.log.info("task protection", { taskArn: rec.arn, enabled: req.protectionEnabled, expiresAtMs });
      out.protectedTasks.push(protectionView(rec, now));
    }
  }
  return out;
}

/**
 * The protection of the tasks named (up to 100), or, when none are named, of the cluster's
 * tasks not yet STOPPED whose protection holds now (the first 100 of them, in id order). Unknown tasks are MISSING failures, tasks outside any
 * service TASK_NOT_VALID, as UpdateTaskProtection reports them.
 */
export async function getTaskProtection(ctx: CoreContext, cluster: string, taskIds: string[] | undefined): Promise<ProtectionResult> {
  if (taskIds) checkTaskCount(taskIds, protectionTaskLimits.get, 0);
  await activeCluster(ctx, cluster);
  const now = ctx.now();
  const out: ProtectionResult = { protectedTasks: [], failures: [] };
  if (taskIds === undefined) {
    // Read in bounded pages; the answer, which has no nextToken, holds at most the call's limit.
    const held = await ctx.store.tasks.scan(keys.tasks(cluster), {
      want: protectionTaskLimits.get,
      match: (t) => t.lastStatus !== "STOPPED" && protectionHolds(t, now),
      budget: Number.POSITIVE_INFINITY,
    });
    out.protectedTasks = held.items.map((t) => protectionView(t, now));
    return out;
  }
  for (const id of taskIds) {
    const got = await ctx.store.tasks.get(cluster, id);
    const refusal = got && protectionRefusal(got.value, false);
    if (!got) out.failures.push(missing(ctx, cluster, id));
    else if (refusal !== undefined) out.failures.push({ arn: got.value.arn, reason: "TASK_NOT_VALID", detail: refusal });
    else out.protectedTasks.push(protectionView(got.value, now));
  }
  return out;
}

function checkTaskCount(ids: string[], max: number, min: number): void {
  if (ids.length < min) throw new InvalidParameterException(`tasks: at least ${min} task is required`);
  if (ids.length > max) throw new InvalidParameterException(`tasks: at most ${max} tasks per call, got ${ids.length}`);
}

const missing = (ctx: CoreContext, cluster: string, id: string): ProtectionFailure => ({
  arn: taskArn(ctx.scope, cluster, id),
  reason: "MISSING",
  detail: "The specified task wasn't found.",
});

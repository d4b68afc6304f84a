import { randomUUID } from "node:crypto";
import { LimitExceededException, ObjectNotFoundException } from "@berth/shared";
import type { CoreContext } from "../context.js";
import type { ScalableTargetRecord, ScheduledActionRecord } from "../../store/index.js";
import { ecsDimension, type TargetRef } from "./rules.js";
import { maxScheduledActionsPerTarget, putScheduledActionRecord, type PutScheduledActionInput } from "./scheduled-action-rules.js";
import { listScalableTargets, mutateScalableTarget, scalableTarget } from "./targets.js";

/**
 * PutScheduledAction: creates or updates a named scheduled action of a registered target
 * (ObjectNotFoundException for an unregistered one). Everything is checked before the one
 * guarded write of the target record that holds the action.
 */
export async function putScheduledAction(ctx: CoreContext, input: PutScheduledActionInput): Promise<ScheduledActionRecord> {
  await scalableTarget(ctx, input);
  let action: ScheduledActionRecord | undefined;
  let created = false;
  await mutateScalableTarget(ctx, input, (cur) => {
    const all = cur.scheduledActions ?? [];
    const existing = all.find((a) => a.name === input.ScheduledActionName);
    if (!existing && all.length >= maxScheduledActionsPerTarget) {
      throw new LimitExceededException(`A scalable target has at most ${maxScheduledActionsPerTarget} scheduled actions; ${input.ResourceId} has ${all.length}`);
    }
    action = putScheduledActionRecord(existing, input, { scope: ctx.scope, nowMs: ctx.now(), newId: randomUUID() });
    created = !existing;
    return { ...cur, scheduledActions: [...all.filter((a) => a.name !== input.ScheduledActionName), action] };
  });
  ctx.log.info(created ? "scheduled action created" : "scheduled action updated", { resourceId: input.ResourceId, action: action!.name, schedule: action!.schedule, timezone: action!.timezone ?? "UTC" });
  return action!;
}

/** A scheduled action with the target it belongs to. */
export interface ScheduledActionOfTarget {
  target: ScalableTargetRecord;
  action: ScheduledActionRecord;
}

/** DescribeScheduledActions' filters. */
export interface ScheduledActionFilter {
  ResourceId?: string;
  ScalableDimension?: string;
  ScheduledActionNames?: string[];
}

/** The scheduled actions of every registered target that pass the filters, by resource id then name. */
export async function listScheduledActions(ctx: CoreContext, f: ScheduledActionFilter): Promise<ScheduledActionOfTarget[]> {
  if (f.ScalableDimension !== undefined && f.ScalableDimension !== ecsDimension) return [];
  const out: ScheduledActionOfTarget[] = [];
  for (const target of await listScalableTargets(ctx)) {
    if (f.ResourceId !== undefined && target.resourceId !== f.ResourceId) continue;
    for (const action of [...(target.scheduledActions ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
      if (f.ScheduledActionNames?.length && !f.ScheduledActionNames.includes(action.name)) continue;
      out.push({ target, action });
    }
  }
  return out;
}

/** DeleteScheduledAction; ObjectNotFoundException for an unregistered target or an unknown action. */
export async function deleteScheduledAction(ctx: CoreContext, input: TargetRef & { ScheduledActionName: string }): Promise<void> {
  const missing = () =>
    new ObjectNotFoundException(
      `No scheduled action found for service namespace: ${input.ServiceNamespace}, resource ID: ${input.ResourceId}, scalable dimension: ${input.ScalableDimension}, scheduled action name: ${input.ScheduledActionName}`,
    );
  await scalableTarget(ctx, input);
  let found = false;
  await mutateScalableTarget(ctx, input, (t) => {
    found = (t.scheduledActions ?? []).some((a) => a.name === input.ScheduledActionName);
    return found ? { ...t, scheduledActions: t.scheduledActions!.filter((a) => a.name !== input.ScheduledActionName) } : undefined;
  });
  if (!found) throw missing();
  ctx.log.info("scheduled action deleted", { resourceId: input.ResourceId, action: input.ScheduledActionName });
}

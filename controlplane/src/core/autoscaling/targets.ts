import { randomBytes } from "node:crypto";
import { ConflictError, ObjectNotFoundException, ValidationException } from "@berth/shared";
import { removeAlarmActions } from "../alarms/alarms.js";
import type { CoreContext } from "../context.js";
import { keys, type ScalableTargetRecord } from "../../store/index.js";
import { noTargetMessage, parseResourceId, registeredTarget, type RegisterTargetInput, type TargetRef } from "./rules.js";

/**
 * RegisterScalableTarget: registers an ECS service's desired count, or updates a registered
 * one in place. The service must exist and be ACTIVE (ValidationException, as AWS answers).
 */
export async function registerScalableTarget(ctx: CoreContext, input: RegisterTargetInput): Promise<ScalableTargetRecord> {
  const { cluster, service } = parseResourceId(input);
  const svc = (await ctx.store.services.get(cluster, service))?.value;
  if (!svc || svc.status !== "ACTIVE") throw new ValidationException(`ECS service doesn't exist: ${input.ResourceId}`);
  // A daemon service runs one task per instance: it has no desired count to scale.
  if (svc.schedulingStrategy === "DAEMON") throw new ValidationException(`ResourceId: ${input.ResourceId} is a DAEMON service; only REPLICA services have a desired count to scale`);
  for (let attempt = 0; ; attempt++) {
    const cur = await ctx.store.scalableTargets.get(cluster, service);
    const next = registeredTarget(cur?.value, input, { scope: ctx.scope, nowMs: ctx.now(), newId: randomBytes(18).toString("hex") });
    try {
      if (cur) await ctx.store.scalableTargets.update(next, cur.modRevision);
      else await ctx.store.scalableTargets.create(next);
      ctx.log.info(cur ? "scalable target updated" : "scalable target registered", { cluster, service, min: next.minCapacity, max: next.maxCapacity });
      return next;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 4) throw err;
    }
  }
}

/** The registered target a request names; ObjectNotFoundException in AWS's words when there is none. */
export async function scalableTarget(ctx: CoreContext, ref: TargetRef): Promise<{ value: ScalableTargetRecord; modRevision: string }> {
  const { cluster, service } = parseResourceId(ref);
  const cur = await ctx.store.scalableTargets.get(cluster, service);
  if (!cur) throw new ObjectNotFoundException(noTargetMessage(ref));
  return cur;
}

/** Every registered target, by resource id. */
export async function listScalableTargets(ctx: CoreContext): Promise<ScalableTargetRecord[]> {
  return (await ctx.store.scalableTargets.list(keys.scalableTargets())).items.map((i) => i.value);
}

/** DeregisterScalableTarget: the target, its policies and scheduled actions go, and its policies out of alarms' actions (its activities stay, as AWS keeps them). */
export async function deregisterScalableTarget(ctx: CoreContext, ref: TargetRef): Promise<void> {
  const cur = await scalableTarget(ctx, ref);
  await ctx.store.scalableTargets.delete(cur.value, cur.modRevision);
  await removeAlarmActions(ctx, cur.value.policies.map((p) => p.arn));
  ctx.log.info("scalable target deregistered", { cluster: cur.value.cluster, service: cur.value.service });
}

/** Read-modify-write of a registered target (retried on conflicts; `change` returns undefined to leave it); ObjectNotFoundException when it is gone. */
export async function mutateScalableTarget(ctx: CoreContext, ref: TargetRef, change: (cur: ScalableTargetRecord) => ScalableTargetRecord | undefined): Promise<ScalableTargetRecord> {
  const { cluster, service } = parseResourceId(ref);
  const out = await ctx.store.scalableTargets.mutate([cluster, service], change);
  if (!out) throw new ObjectNotFoundException(noTargetMessage(ref));
  return out;
}

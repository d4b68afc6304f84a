import { ConflictError, Elbv2TargetGroupNotFound, type TaskRecord } from "@berth/shared";
import { keys } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { groupsOfLoadBalancer } from "./listener-rules.js";
import { targetGroupByArn } from "./records.js";
import { liveTargets, planDeregisterTargets, planRegisterTargets, type TargetRequest } from "./target-group-rules.js";
import { describeHealth, type HealthRow } from "./health-rules.js";
import { mutateTargetGroup, zoneLookup } from "./target-groups.js";
import { drainTaskTargets } from "./task-drain.js";
import type { TargetGroupRecord, TargetHealth, TargetHealthRecord } from "./types.js";

/**
 * RegisterTargets: ip targets by address (zone from the subnets, or `all` outside them), instance
 * targets by container-instance id resolved to the instance's host IP.
 */
export async function registerTargets(ctx: CoreContext, arn: string, targets: TargetRequest[]): Promise<TargetGroupRecord> {
  const zoneOf = await zoneLookup(ctx);
  const instances = (await ctx.store.instances.list(keys.instances())).items.map((i) => i.value);
  const instanceAddress = (id: string) => {
    const hit = instances.find((i) => i.id === id && i.status !== "INACTIVE");
    return hit ? { address: hit.hostIp, availabilityZone: hit.attributes.find((a) => a.name === "ecs.availability-zone")?.value ?? "all" } : undefined;
  };
  const next = await mutateTargetGroup(ctx, arn, (cur) => ({ ...cur, targets: planRegisterTargets(cur, targets, zoneOf, instanceAddress, ctx.now()) }));
  ctx.log.info("targets registered", { targetGroup: next.name, targets: targets.map((t) => `${t.id}:${t.port ?? next.port}`) });
  return next;
}

/** DeregisterTargets: each named target starts draining; the data plane removes it after the delay. */
export async function deregisterTargets(ctx: CoreContext, arn: string, targets: { id: string; port?: number }[]): Promise<TargetGroupRecord> {
  const next = await mutateTargetGroup(ctx, arn, (cur) => ({ ...cur, targets: planDeregisterTargets(cur, targets, ctx.now()) }));
  ctx.log.info("targets deregistering", { targetGroup: next.name, targets: targets.map((t) => `${t.id}:${t.port ?? next.port}`) });
  return next;
}

/**
 * DescribeTargetHealth: every live target of the group (or the ones asked for, an unregistered
 * one as unused / Target.NotRegistered), combining the record, whether any listener forwards to
 * the group, and what the data plane last reported.
 */
export async function describeTargetHealth(ctx: CoreContext, arn: string, asked?: { id: string; port?: number }[]): Promise<HealthRow[]> {
  const tg = (await targetGroupByArn(ctx, arn)).value;
  const lbs = (await ctx.store.loadBalancers.list(keys.loadBalancers())).items.map((i) => i.value);
  const inUse = lbs.some((lb) => groupsOfLoadBalancer(lb).includes(arn));
  const observed = await ctx.store.targetHealth.get(tg.name);
  const seen = observed?.value.targetGroupId === tg.id ? observed.value.targets : {};
  return describeHealth(tg, { inUse, observed: seen, now: ctx.now(), asked });
}

/**
 * Removes the targets whose deregistration delay has ended from every group (the data plane has
 * deleted their servers by then, or does on its next pass). Guarded per group.
 */
export async function purgeDrainedTargets(ctx: CoreContext, now: number): Promise<void> {
  const groups = await ctx.store.targetGroups.list(keys.targetGroups());
  for (const g of groups.items) {
    const live = liveTargets(g.value, now);
    if (live.length === g.value.targets.length) continue;
    await ctx.store.targetGroups.update({ ...g.value, targets: live }, g.modRevision).catch((err) => {
      // A concurrent change wins; the next pass purges again.
      if (!(err instanceof ConflictError)) throw err;
    });
    ctx.log.info("drained targets removed", { targetGroup: g.value.name, removed: g.value.targets.length - live.length });
  }
}

/** Writes what the data plane saw of a group's targets, when it differs from what is stored. */
export async function guardedTargetHealthWrite(ctx: CoreContext, tg: TargetGroupRecord, targets: Record<string, TargetHealth>): Promise<void> {
  const cur = await ctx.store.targetHealth.get(tg.name);
  if (cur && cur.value.targetGroupId === tg.id && JSON.stringify(cur.value.targets) === JSON.stringify(targets)) return;
  const rec: TargetHealthRecord = { targetGroupName: tg.name, targetGroupId: tg.id, targets, updatedAtMs: ctx.now() };
  if (cur) await ctx.store.targetHealth.update(rec, cur.modRevision);
  else await ctx.store.targetHealth.create(rec);
  const changed = Object.entries(targets).filter(([k, h]) => cur?.value.targets[k]?.state !== h.state);
  for (const [target, h] of changed) ctx.log.info("target health changed", { targetGroup: tg.name, target, from: cur?.value.targets[target]?.state ?? "none", to: h.state, reason: h.reason });
}

/**
 * Starts draining a stopping task's targets in the groups its drain gate names, at once rather
 * than on the load balancer loop's next pass (which would also deregister them), so
 * DescribeTargetHealth shows them draining as soon as StopTask returns. A group gone is skipped.
 */
export async function deregisterTaskTargets(ctx: CoreContext, task: TaskRecord): Promise<void> {
  for (const arn of task.drain?.targetGroupArns ?? []) {
    const next = await mutateTargetGroup(ctx, arn, (cur) => ({ ...cur, targets: drainTaskTargets(cur, task.arn, ctx.now()) })).catch((err) => {
      if (err instanceof Elbv2TargetGroupNotFound) return undefined;
      throw err;
    });
    if (next) ctx.log.info("task targets deregistering", { targetGroup: next.name, taskArn: task.arn });
  }
}

import { randomUUID } from "node:crypto";
import type { CoreContext } from "../context.js";
import { keys, type ScalingActivityRecord, type Txn } from "../../store/index.js";

/** Activities kept per target; the oldest go first (AWS keeps six weeks' worth). */
export const maxActivitiesPerTarget = 100;

/** A new activity record: its id sorts by start time, then a random suffix. */
function newActivity(a: Omit<ScalingActivityRecord, "id" | "activityId">): ScalingActivityRecord {
  const activityId = randomUUID();
  return { ...a, id: `${String(a.startMs).padStart(15, "0")}-${activityId.slice(0, 8)}`, activityId };
}

/** Records one scaling activity, and forgets the target's oldest past the cap. */
export async function recordScalingActivity(ctx: CoreContext, a: Omit<ScalingActivityRecord, "id" | "activityId">): Promise<ScalingActivityRecord> {
  const rec = newActivity(a);
  await ctx.store.scalingActivities.create(rec);
  await trimScalingActivities(ctx, a.cluster, a.service);
  return rec;
}

/**
 * Stages the creation of an activity into `txn`, so it lands with the change it records (a
 * scheduled action's new capacities); call {@link trimScalingActivities} after the commit.
 */
export function stageScalingActivity(ctx: CoreContext, txn: Txn, a: Omit<ScalingActivityRecord, "id" | "activityId">): ScalingActivityRecord {
  const rec = newActivity(a);
  ctx.store.scalingActivities.stageCreate(txn, rec);
  return rec;
}

/** Forgets a target's oldest activities past {@link maxActivitiesPerTarget}. */
export async function trimScalingActivities(ctx: CoreContext, cluster: string, service: string): Promise<void> {
  const all = await ctx.store.scalingActivities.list(keys.scalingActivities(cluster, service));
  const excess = all.items.length - maxActivitiesPerTarget;
  if (excess > 0) {
    let txn = ctx.store.txn();
    for (const old of all.items.slice(0, excess)) txn = txn.delete(old.key);
    await ctx.store.commit(txn);
  }
}

/** A target's activities (or every target's), newest first. */
export async function listScalingActivities(ctx: CoreContext, target?: { cluster: string; service: string }): Promise<ScalingActivityRecord[]> {
  const prefix = target ? keys.scalingActivities(target.cluster, target.service) : keys.scalingActivities();
  const items = (await ctx.store.scalingActivities.list(prefix)).items.map((i) => i.value);
  return items.sort((a, b) => b.startMs - a.startMs || b.id.localeCompare(a.id));
}

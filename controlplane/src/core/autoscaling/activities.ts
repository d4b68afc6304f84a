import { randomUUID } from "node:crypto";
import type { CoreContext } from "../context.js";
import { keys, type ScalingActivityRecord } from "../../store/index.js";

/** Activities kept per target; the oldest go first (AWS keeps six weeks' worth). */
export const maxActivitiesPerTarget = 100;

/** Records one scaling activity, and forgets the target's oldest past the cap. */
export async function recordScalingActivity(ctx: CoreContext, a: Omit<ScalingActivityRecord, "id" | "activityId">): Promise<ScalingActivityRecord> {
  const activityId = randomUUID();
  const rec: ScalingActivityRecord = { ...a, id: `${String(a.startMs).padStart(15, "0")}-${activityId.slice(0, 8)}`, activityId };
  await ctx.store.scalingActivities.create(rec);
  const all = await ctx.store.scalingActivities.list(keys.scalingActivities(a.cluster, a.service));
  const excess = all.items.length - maxActivitiesPerTarget;
  if (excess > 0) {
    let txn = ctx.store.txn();
    for (const old of all.items.slice(0, excess)) txn = txn.delete(old.key);
    await ctx.store.commit(txn);
  }
  return rec;
}

/** A target's activities (or every target's), newest first. */
export async function listScalingActivities(ctx: CoreContext, target?: { cluster: string; service: string }): Promise<ScalingActivityRecord[]> {
  const prefix = target ? keys.scalingActivities(target.cluster, target.service) : keys.scalingActivities();
  const items = (await ctx.store.scalingActivities.list(prefix)).items.map((i) => i.value);
  return items.sort((a, b) => b.startMs - a.startMs || b.id.localeCompare(a.id));
}

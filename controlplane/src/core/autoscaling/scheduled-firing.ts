import { BerthError, ConflictError } from "@berth/shared";
import type { CoreContext } from "../context.js";
import { updateService } from "../services.js";
import { FencedOutError, keys, type ScalableTargetRecord, type ScheduledActionRecord, type Versioned } from "../../store/index.js";
import { stageScalingActivity, trimScalingActivities } from "./activities.js";
import { desiredCountOutcome, pendingDesiredCount, scheduledActionDue, scheduledActionEffect, type ActionDue, type ActivityText, type ScheduledEffect } from "./scheduled-action-rules.js";

/**
 * The apply side of scheduled scaling (the leader's schedule loop runs it every tick; the
 * decisions are scheduled-action-rules.ts'). Per scalable target and round:
 *   1. a desired-count change left pending by an earlier round (or an earlier leader, or a step
 *      policy's execution, step-execute.ts) is finished: UpdateService with the count re-judged
 *      against the state now, then its activity settled and the mark cleared in one write;
 *   2. at most one due action fires: its new min/max, every action's handled mark, its
 *      activities (the desired count change InProgress) and the pending mark land in ONE
 *      transaction guarded by the target's revision, through the leader's fenced store;
 *   3. step 1 for that new mark, at once.
 * A scheduled time therefore fires exactly once across leader changes: step 2 is all or
 * nothing (a demoted leader's write is refused by the fence; a lost race is retried next round
 * from a fresh read), and the only later effect, the desired count, is carried by the stored
 * mark until some leader applies it (setting the same count twice is harmless).
 */

/** What one round did, for the loop's log line. */
export interface ScheduledScalingSummary {
  fired: number;
  failed: number;
  desiredChanged: number;
}

/** The activity fields a record adds to its text. */
const activityOf = (t: ScalableTargetRecord, text: ActivityText, startMs: number, endMs?: number) => ({
  cluster: t.cluster,
  service: t.service,
  resourceId: t.resourceId,
  ...text,
  startMs,
  ...(endMs !== undefined && { endMs }),
});

/**
 * Step 1: applies a pending desired count (re-judged against the service and target as they are
 * now, {@link pendingDesiredCount}) and settles its activity with the mark cleared in one write.
 * Used by step policies too (step-execute.ts). The count set, and the failure if the service
 * refused it; undefined when another leader or round settled it first.
 */
export async function finishPendingDesired(ctx: CoreContext, cur: Versioned<ScalableTargetRecord>, sum?: ScheduledScalingSummary): Promise<{ desiredCount: number; failure?: string } | undefined> {
  const t = cur.value;
  const p = t.pendingDesired!;
  const svc = (await ctx.store.services.get(t.cluster, t.service))?.value;
  const desiredCount = pendingDesiredCount(p, svc?.status === "ACTIVE" ? svc.desiredCount : undefined, t.minCapacity, t.maxCapacity);
  let failure: string | undefined;
  try {
    await updateService(ctx, t.cluster, t.service, { desiredCount });
  } catch (err) {
    // The service is gone or not active: the user's situation, recorded. Anything else (etcd,
    // the fence) leaves the mark for the next round or leader.
    if (!(err instanceof BerthError) || err.httpStatus >= 500 || err instanceof ConflictError) throw err;
    failure = `${err.ecsType}: ${err.message}`;
  }
  for (let i = 0, at: Versioned<ScalableTargetRecord> | undefined = cur; i < 8 && at?.value.pendingDesired?.activityRecordId === p.activityRecordId; i++) {
    const activity = await ctx.store.scalingActivities.get(t.cluster, t.service, p.activityRecordId);
    const txn = ctx.store.txn();
    const { pendingDesired: _, ...cleared } = at.value;
    ctx.store.scalableTargets.stageUpdate(txn, cleared, at.modRevision);
    if (activity) {
      ctx.store.scalingActivities.stageUpdate(
        txn,
        { ...activity.value, statusCode: failure === undefined ? "Successful" : "Failed", statusMessage: desiredCountOutcome(desiredCount, failure), endMs: ctx.now() },
        activity.modRevision,
      );
    }
    try {
      await ctx.store.commit(txn);
      if (sum && failure === undefined) sum.desiredChanged++;
      else if (sum) sum.failed++;
      const log = { resourceId: t.resourceId, desiredCount, decided: p.desiredCount, by: p.source ?? "scheduled", ...(failure && { failure }) };
      if (failure === undefined) ctx.log.info("scaling set the desired count", log);
      else ctx.log.warn("scaling could not set the desired count", log);
      return { desiredCount, ...(failure !== undefined && { failure }) };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      at = await ctx.store.scalableTargets.get(t.cluster, t.service);
    }
  }
  return undefined;
}

/** The due action to fire this round (the earliest due), and the actions whose handled mark moves. */
function dueOf(actions: readonly ScheduledActionRecord[], nowMs: number): { fire?: { action: ScheduledActionRecord; fireMs: number }; dues: Map<string, ActionDue> } {
  const changed = actions.flatMap((a) => {
    const d = scheduledActionDue(a, nowMs);
    return d ? [{ a, d }] : [];
  });
  const [first] = changed.filter(({ d }) => d.fireMs !== undefined).sort((x, y) => x.d.fireMs! - y.d.fireMs!);
  // Another action due waits a round with its mark unmoved, so it fires next (after this one's desired count).
  const dues = new Map(changed.filter(({ a, d }) => d.fireMs === undefined || a === first?.a).map(({ a, d }) => [a.name, d]));
  return { ...(first && { fire: { action: first.a, fireMs: first.d.fireMs! } }), dues };
}

/** Steps 2 and 3 for one target. */
async function fireTarget(ctx: CoreContext, cur: Versioned<ScalableTargetRecord>, active: () => boolean, sum: ScheduledScalingSummary): Promise<void> {
  const t = cur.value;
  const nowMs = ctx.now();
  const { fire, dues } = dueOf(t.scheduledActions ?? [], nowMs);
  if (dues.size === 0 || !active()) return;
  const scheduledActions = t.scheduledActions!.map((a) => {
    const d = dues.get(a.name);
    return d ? { ...a, handledThroughMs: d.handledThroughMs, ...(d.fireMs !== undefined && { lastFiredMs: d.fireMs }) } : a;
  });
  let next: ScalableTargetRecord = { ...t, scheduledActions };
  const txn = ctx.store.txn();
  let effect: ScheduledEffect | undefined;
  if (fire) {
    const svc = (await ctx.store.services.get(t.cluster, t.service))?.value;
    effect = scheduledActionEffect({
      name: fire.action.name,
      min: fire.action.minCapacity,
      max: fire.action.maxCapacity,
      targetMin: t.minCapacity,
      targetMax: t.maxCapacity,
      desired: svc?.status === "ACTIVE" ? svc.desiredCount : undefined,
    });
    stageScalingActivity(ctx, txn, activityOf(t, effect.activity, nowMs));
    if (effect.ok) {
      next = { ...next, minCapacity: effect.minCapacity, maxCapacity: effect.maxCapacity };
      if (effect.desired) {
        // A millisecond after the capacity change, so the two list in the order they happened.
        const rec = stageScalingActivity(ctx, txn, activityOf(t, effect.desired.activity, nowMs + 1));
        next = { ...next, pendingDesired: { desiredCount: effect.desired.count, activityRecordId: rec.id } };
      }
    }
  }
  ctx.store.scalableTargets.stageUpdate(txn, next, cur.modRevision);
  try {
    await ctx.store.commit(txn);
  } catch (err) {
    // Changed meanwhile (a user's call, the scaler's cooldown mark): nothing landed; the next round re-reads and fires it.
    if (err instanceof ConflictError) return;
    throw err;
  }
  if (fire && effect) {
    if (effect.ok) sum.fired++;
    else sum.failed++;
    ctx.log.info("scheduled action fired", {
      resourceId: t.resourceId,
      action: fire.action.name,
      scheduledAt: new Date(fire.fireMs).toISOString(),
      ...(effect.ok ? { min: effect.minCapacity, max: effect.maxCapacity, desiredCount: effect.desired?.count } : { failure: effect.activity.statusMessage }),
    });
    await trimScalingActivities(ctx, t.cluster, t.service);
  }
  if (next.pendingDesired && active()) {
    const written = await ctx.store.scalableTargets.get(t.cluster, t.service);
    if (written?.value.pendingDesired) await finishPendingDesired(ctx, written, sum);
  }
}

/**
 * One round of scheduled scaling over every scalable target (see the file comment). A target
 * with ScheduledScalingSuspended is passed by; `active()` turns false when leadership ends.
 */
export async function fireDueScheduledActions(ctx: CoreContext, active: () => boolean): Promise<ScheduledScalingSummary> {
  const sum: ScheduledScalingSummary = { fired: 0, failed: 0, desiredChanged: 0 };
  for (const cur of (await ctx.store.scalableTargets.list(keys.scalableTargets())).items) {
    if (!active()) break;
    try {
      let at: Versioned<ScalableTargetRecord> | undefined = cur;
      if (at.value.pendingDesired) {
        await finishPendingDesired(ctx, at, sum);
        at = await ctx.store.scalableTargets.get(at.value.cluster, at.value.service);
      }
      if (!at || at.value.suspendedState.scheduledScalingSuspended || !at.value.scheduledActions?.length || at.value.pendingDesired) continue;
      await fireTarget(ctx, at, active, sum);
    } catch (err) {
      // A lost leadership ends the round; another target's trouble (a race, etcd) does not stop the rest.
      if (err instanceof FencedOutError) throw err;
      ctx.log.warn("scheduled scaling round failed for a target", { resourceId: cur.value.resourceId, err });
    }
  }
  return sum;
}

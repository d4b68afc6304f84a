import type { Logger } from "@berth/shared";
import {
  alarmUnitMatches,
  alarmWindow,
  evaluateAlarm,
  executeStepPolicy,
  lastCompletePeriodStart,
  listMetricAlarms,
  markAlarmEvaluated,
  readMetricPoints,
  recordAlarmHistory,
  transitionAlarm,
  type CoreContext,
  type MetricReaders,
  type StageActed,
} from "../../core/index.js";
import type { MetricAlarmRecord } from "../../store/index.js";
import { startLoop, type ReconcileLoop } from "../loop.js";
import { dueActions } from "./plan.js";

/**
 * The alarm evaluator: a leader loop that, twice a base period, judges each alarm's newest
 * complete period once ({@link evaluateAlarm} over its window), stores a transition with its
 * history, and invokes the actions the alarm owes ({@link dueActions}): Application Auto Scaling
 * step policies, executed through core/autoscaling. Actions owed are run before a new period is
 * judged, so a state set by SetAlarmState acts even if the next period's verdict undoes it.
 */
export function startAlarmLoop(ctx: CoreContext, readers: MetricReaders, log: Logger): ReconcileLoop {
  const interval = Math.min(30_000, Math.max(100, Math.floor(readers.basePeriodMs / 2)));
  return startLoop("alarms", interval, async (active) => {
    for (const alarm of await listMetricAlarms(ctx)) {
      if (!active()) return;
      await roundOf(ctx, readers, alarm, log, active).catch((err) => log.warn("alarm round failed", { alarm: alarm.name, err }));
    }
  }, log);
}

async function roundOf(ctx: CoreContext, readers: MetricReaders, alarm: MetricAlarmRecord, log: Logger, active: () => boolean): Promise<void> {
  let cur = alarm;
  await act(ctx, cur, log);
  const c = cur.config;
  const last = lastCompletePeriodStart(ctx.now(), readers.basePeriodMs);
  const w = alarmWindow(last, readers.basePeriodMs, c.Period * 1000, c.EvaluationPeriods);
  if (cur.evaluatedPeriodStartMs === w.lastStartMs || !active()) return;
  // An alarm in another unit than its metric's sees no datapoints (CloudWatch keeps them per unit).
  const points = alarmUnitMatches(c) ? await readMetricPoints(ctx, readers, { namespace: c.Namespace, metricName: c.MetricName, dimensions: c.Dimensions, statistic: c.Statistic, periodSeconds: c.Period }, last, c.EvaluationPeriods) : [];
  const verdict = evaluateAlarm({ config: c, current: cur.stateValue, points, nowMs: ctx.now() });
  const marks = { evaluatedPeriodStartMs: w.lastStartMs, alarmValues: verdict.values };
  if (!verdict.change) {
    await markAlarmEvaluated(ctx, cur.name, marks);
    return;
  }
  // Guarded: a SetAlarmState since this round's read wins, and its actions run next round.
  cur = await transitionAlarm(ctx, cur.name, { state: verdict.state, reason: verdict.reason, reasonData: verdict.reasonData }, marks, cur.stateUpdatedMs);
  await act(ctx, cur, log);
}

/** Runs the actions `alarm` owes now, each with an Action history item, then marks them done. */
async function act(ctx: CoreContext, alarm: MetricAlarmRecord, log: Logger): Promise<void> {
  const due = dueActions(alarm, ctx.now());
  if (due.length === 0) return;
  const c = alarm.config;
  const acted = { actedTransitionMs: alarm.stateTransitionedMs, actedAtMs: ctx.now() };
  // The last action's decision carries the alarm's acted mark in its transaction, so a leader lost
  // after it does not invoke the policies again (the pending desired count is finished instead).
  const stageActed: StageActed = async (txn) => {
    const cur = await ctx.store.metricAlarms.get(alarm.name);
    if (cur) ctx.store.metricAlarms.stageUpdate(txn, { ...cur.value, ...acted }, cur.modRevision);
  };
  for (const [i, arn] of due.entries()) {
    const outcome = await executeStepPolicy(ctx, arn, {
      name: alarm.name,
      threshold: c.Threshold,
      breachAbove: c.ComparisonOperator.startsWith("Greater"),
      values: alarm.alarmValues ?? [],
      state: alarm.stateValue,
    }, i === due.length - 1 ? stageActed : undefined).catch((err: Error) => ({ ok: false as const, message: err.message }));
    await recordAlarmHistory(ctx, alarm.name, "Action", `${outcome.ok ? "Successfully executed" : "Failed to execute"} action ${arn}`, {
      actionState: outcome.ok ? "Succeeded" : "Failed",
      stateUpdateTimestamp: alarm.stateUpdatedMs,
      notificationResource: arn,
      ...(outcome.ok ? { publishedMessage: outcome.message } : { error: outcome.message }),
    });
    if (!outcome.ok) log.warn("alarm action failed", { alarm: alarm.name, action: arn, reason: outcome.message });
  }
  await markAlarmEvaluated(ctx, alarm.name, acted);
}

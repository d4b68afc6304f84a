import { randomUUID } from "node:crypto";
import { CloudWatchInvalidFormat, CloudWatchLimitExceeded, CloudWatchResourceNotFound, ConflictError } from "@berth/shared";
import type { CoreContext } from "../context.js";
import { keys, maxStagedOps, type AlarmHistoryRecord, type AlarmState, type MetricAlarmRecord } from "../../store/index.js";
import { metricAlarmFromInput, type MetricWindow, type PutMetricAlarmInput } from "./rules.js";

/** Alarms berth keeps at most (CloudWatch's default quota is far larger; berth's are few and read whole). */
export const maxAlarms = 5000;

/** History items kept per alarm; the oldest go first (CloudWatch keeps two weeks). */
export const maxHistoryPerAlarm = 100;

/** PutMetricAlarm: creates the alarm or replaces its configuration in place, with a ConfigurationUpdate history item. */
export async function putMetricAlarm(ctx: CoreContext, input: PutMetricAlarmInput, window: MetricWindow): Promise<MetricAlarmRecord> {
  for (let attempt = 0; ; attempt++) {
    const cur = await ctx.store.metricAlarms.get(input.AlarmName);
    const next = metricAlarmFromInput(cur?.value, input, { scope: ctx.scope, nowMs: ctx.now(), window });
    try {
      if (cur) await ctx.store.metricAlarms.update(next, cur.modRevision);
      else {
        if ((await ctx.store.kv.listKeys(keys.metricAlarms())).length >= maxAlarms) throw new CloudWatchLimitExceeded(`berth keeps at most ${maxAlarms} alarms`);
        await ctx.store.metricAlarms.create(next);
      }
    } catch (err) {
      if (err instanceof ConflictError && attempt < 4) continue;
      throw err;
    }
    await recordAlarmHistory(ctx, next.name, "ConfigurationUpdate", `Alarm "${next.name}" ${cur ? "updated" : "created"}`, {
      version: "1.0",
      type: cur ? "Update" : "Create",
      ...(cur && { originalConfiguration: cur.value.config }),
      updatedAlarm: next.config,
    });
    ctx.log.info(cur ? "alarm updated" : "alarm created", { alarm: next.name, metric: `${next.config.Namespace} ${next.config.MetricName}` });
    return next;
  }
}

/** Every alarm, sorted by name as DescribeAlarms lists them. */
export async function listMetricAlarms(ctx: CoreContext): Promise<MetricAlarmRecord[]> {
  const all = (await ctx.store.metricAlarms.list(keys.metricAlarms())).items.map((i) => i.value);
  return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * DeleteAlarms: all the named alarms go, with their history, in one write; ResourceNotFound
 * naming the first that does not exist, and then none goes (CloudWatch's all-or-nothing).
 */
export async function deleteMetricAlarms(ctx: CoreContext, names: readonly string[]): Promise<void> {
  const found = await Promise.all(names.map(async (n) => [n, await ctx.store.metricAlarms.get(n)] as const));
  const absent = found.find(([, cur]) => !cur);
  if (absent) throw new CloudWatchResourceNotFound(`The following alarms were not found: [${absent[0]}]`);
  let txn = ctx.store.txn();
  for (const [n, cur] of found) txn = txn.expect(keys.metricAlarm(n), cur!.modRevision).delete(keys.metricAlarm(n));
  await ctx.store.commit(txn);
  // Their history after them, in bounded writes (a re-created alarm of the same name starts afresh).
  const history = (await Promise.all(names.map((n) => ctx.store.kv.listKeys(keys.alarmHistory(n))))).flat();
  for (let i = 0; i < history.length; i += maxStagedOps) {
    let h = ctx.store.txn();
    for (const key of history.slice(i, i + maxStagedOps)) h = h.delete(key);
    await ctx.store.commit(h);
  }
  ctx.log.info("alarms deleted", { alarms: names.join(",") });
}

/** ActionsEnabled of the named alarms (Enable/DisableAlarmActions); names that do not exist are passed over, as CloudWatch does. */
export async function setAlarmActionsEnabled(ctx: CoreContext, names: readonly string[], enabled: boolean): Promise<void> {
  for (const n of names) {
    const changed = await ctx.store.metricAlarms.mutate([n], (a) => (a.config.ActionsEnabled === enabled ? undefined : { ...a, config: { ...a.config, ActionsEnabled: enabled }, configurationUpdatedMs: ctx.now() }));
    if (changed) await recordAlarmHistory(ctx, n, "ConfigurationUpdate", `Alarm "${n}" updated`, { version: "1.0", type: "Update", updatedAlarm: { ActionsEnabled: enabled } });
  }
}

/**
 * Moves an alarm to `state` with `reason` (SetAlarmState, or the evaluator's verdict), recording a
 * StateUpdate history item in CloudWatch's words. The evaluator's marks ride along in `marks`.
 * ResourceNotFound when the alarm is gone; returns the alarm as it now is.
 */
export async function transitionAlarm(
  ctx: CoreContext,
  name: string,
  to: { state: AlarmState; reason: string; reasonData?: string },
  marks: Partial<Pick<MetricAlarmRecord, "evaluatedPeriodStartMs" | "alarmValues">> = {},
  /** The evaluator's guard: leave the alarm be if its state was updated since this time (a SetAlarmState in between). */
  ifStateUpdatedMs?: number,
): Promise<MetricAlarmRecord> {
  if (to.reasonData !== undefined) {
    try {
      JSON.parse(to.reasonData);
    } catch {
      throw new CloudWatchInvalidFormat("StateReasonData: must be JSON");
    }
  }
  let from: MetricAlarmRecord | undefined;
  const now = ctx.now();
  const out = await ctx.store.metricAlarms.mutate([name], (a) => {
    from = undefined;
    if (ifStateUpdatedMs !== undefined && a.stateUpdatedMs !== ifStateUpdatedMs) return undefined;
    from = a;
    return {
      ...a,
      ...marks,
      stateValue: to.state,
      stateReason: to.reason,
      stateReasonData: to.reasonData,
      stateUpdatedMs: now,
      stateTransitionedMs: a.stateValue === to.state ? a.stateTransitionedMs : now,
    };
  });
  if (!out) throw new CloudWatchResourceNotFound(`Alarm ${name} not found`);
  if (from && from.stateValue !== to.state) {
    await recordAlarmHistory(ctx, name, "StateUpdate", `Alarm updated from ${from.stateValue} to ${to.state}`, {
      version: "1.0",
      oldState: { stateValue: from.stateValue, stateReason: from.stateReason },
      newState: { stateValue: to.state, stateReason: to.reason, ...(to.reasonData !== undefined && { stateReasonData: JSON.parse(to.reasonData) }) },
    });
    ctx.log.info("alarm state changed", { alarm: name, from: from.stateValue, to: to.state });
  }
  return out;
}

/** The evaluator's marks alone, when a period's verdict leaves the state as it is. */
export async function markAlarmEvaluated(ctx: CoreContext, name: string, marks: Pick<MetricAlarmRecord, "evaluatedPeriodStartMs" | "alarmValues"> | Pick<MetricAlarmRecord, "actedTransitionMs" | "actedAtMs">): Promise<void> {
  await ctx.store.metricAlarms.mutate([name], (a) => ({ ...a, ...marks }));
}

/** Appends one history item and forgets the alarm's oldest past the cap. */
export async function recordAlarmHistory(ctx: CoreContext, alarmName: string, type: AlarmHistoryRecord["historyItemType"], summary: string, data: object): Promise<void> {
  const now = ctx.now();
  const rec: AlarmHistoryRecord = { alarmName, id: `${String(now).padStart(15, "0")}-${randomUUID().slice(0, 8)}`, timestampMs: now, historyItemType: type, historySummary: summary, historyData: JSON.stringify(data) };
  await ctx.store.alarmHistory.create(rec);
  const all = await ctx.store.alarmHistory.list(keys.alarmHistory(alarmName));
  const excess = all.items.length - maxHistoryPerAlarm;
  if (excess > 0) {
    let txn = ctx.store.txn();
    for (const old of all.items.slice(0, excess)) txn = txn.delete(old.key);
    await ctx.store.commit(txn);
  }
}

/** The history of one alarm, or of all, newest first (DescribeAlarmHistory's default order). */
export async function listAlarmHistory(ctx: CoreContext, alarmName?: string): Promise<AlarmHistoryRecord[]> {
  const items = (await ctx.store.alarmHistory.list(keys.alarmHistory(alarmName))).items.map((i) => i.value);
  return items.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** The alarms whose actions name each policy ARN (DescribeScalingPolicies' `Alarms`). */
export async function alarmsByPolicyArn(ctx: CoreContext): Promise<Map<string, { name: string; arn: string }[]>> {
  const out = new Map<string, { name: string; arn: string }[]>();
  for (const a of await listMetricAlarms(ctx)) {
    for (const arn of new Set([...a.config.AlarmActions, ...a.config.OKActions, ...a.config.InsufficientDataActions])) {
      out.set(arn, [...(out.get(arn) ?? []), { name: a.name, arn: a.arn }]);
    }
  }
  return out;
}

/**
 * Takes deleted scaling policies out of every alarm's actions, as AWS does when a policy (or its
 * target) is deleted: the alarms stay, without those actions.
 */
export async function removeAlarmActions(ctx: CoreContext, policyArns: readonly string[]): Promise<void> {
  if (policyArns.length === 0) return;
  const gone = new Set(policyArns);
  const names = (arns: string[]) => arns.filter((a) => !gone.has(a));
  for (const a of await listMetricAlarms(ctx)) {
    const c = a.config;
    if (![...c.AlarmActions, ...c.OKActions, ...c.InsufficientDataActions].some((arn) => gone.has(arn))) continue;
    await ctx.store.metricAlarms.mutate([a.name], (cur) => ({
      ...cur,
      config: { ...cur.config, AlarmActions: names(cur.config.AlarmActions), OKActions: names(cur.config.OKActions), InsufficientDataActions: names(cur.config.InsufficientDataActions) },
    }));
    ctx.log.info("scaling policy taken out of an alarm's actions", { alarm: a.name });
  }
}

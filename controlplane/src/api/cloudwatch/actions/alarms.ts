import { CloudWatchInvalidParameterCombination, CloudWatchInvalidParameterValue } from "@berth/shared";
import {
  deleteMetricAlarms,
  listAlarmHistory,
  listMetricAlarms,
  putMetricAlarm as put,
  setAlarmActionsEnabled,
  transitionAlarm,
  type CoreContext,
  type MetricWindow,
  type PutMetricAlarmInput,
} from "../../../core/index.js";
import type { AlarmState } from "../../../store/index.js";
import { timestampMs } from "../../aws/timestamps.js";
import { cloudwatchPage, historyItemShape, metricAlarmShape } from "../shapes.js";

/** A member that is no timestamp, in CloudWatch's words. */
const badValue = (m: string) => new CloudWatchInvalidParameterValue(m);

/** PutMetricAlarm: no output. */
export async function putMetricAlarm(ctx: CoreContext, input: PutMetricAlarmInput, window: MetricWindow): Promise<Record<string, unknown>> {
  await put(ctx, input, window);
  return {};
}

/**
 * DescribeAlarms: the metric alarms by name, filtered by AlarmNames or AlarmNamePrefix (not
 * both), StateValue and ActionPrefix, 50 a page by default. berth has no composite alarms:
 * CompositeAlarms is always empty, and so is everything when only CompositeAlarm is asked for.
 */
export async function describeAlarms(
  ctx: CoreContext,
  input: { AlarmNames?: string[]; AlarmNamePrefix?: string; AlarmTypes?: string[]; ChildrenOfAlarmName?: string; ParentsOfAlarmName?: string; StateValue?: AlarmState; ActionPrefix?: string; MaxRecords?: number; NextToken?: string },
): Promise<Record<string, unknown>> {
  if (input.AlarmNames !== undefined && input.AlarmNamePrefix !== undefined) throw new CloudWatchInvalidParameterCombination("AlarmNames and AlarmNamePrefix cannot be specified together");
  if ((input.ChildrenOfAlarmName !== undefined || input.ParentsOfAlarmName !== undefined) && (input.AlarmNames !== undefined || input.AlarmNamePrefix !== undefined || input.StateValue !== undefined)) {
    throw new CloudWatchInvalidParameterCombination("ChildrenOfAlarmName and ParentsOfAlarmName cannot be used with other filters");
  }
  const metricWanted = input.AlarmTypes === undefined || input.AlarmTypes.includes("MetricAlarm");
  // Composite alarms are all berth's family trees would hold: it has none.
  const noTree = input.ChildrenOfAlarmName === undefined && input.ParentsOfAlarmName === undefined;
  const names = input.AlarmNames ? new Set(input.AlarmNames) : undefined;
  const all = metricWanted && noTree ? await listMetricAlarms(ctx) : [];
  const matching = all.filter(
    (a) =>
      (!names || names.has(a.name)) &&
      (input.AlarmNamePrefix === undefined || a.name.startsWith(input.AlarmNamePrefix)) &&
      (input.StateValue === undefined || a.stateValue === input.StateValue) &&
      (input.ActionPrefix === undefined || [...a.config.AlarmActions, ...a.config.OKActions, ...a.config.InsufficientDataActions].some((arn) => arn.startsWith(input.ActionPrefix!))),
  );
  const { page, nextToken } = cloudwatchPage(matching, input.MaxRecords ?? 50, input.NextToken);
  return { MetricAlarms: page.map(metricAlarmShape), CompositeAlarms: [], ...(nextToken && { NextToken: nextToken }) };
}

/** DeleteAlarms: all or none. */
export async function deleteAlarms(ctx: CoreContext, input: { AlarmNames: string[] }): Promise<Record<string, unknown>> {
  await deleteMetricAlarms(ctx, input.AlarmNames);
  return {};
}

/**
 * SetAlarmState: the state until the evaluator's next period. `StateReasonData`'s
 * `recentDatapoints`, when given, are the values the ALARM actions act on (CloudWatch's own
 * reason data names them so); without them a step policy acts as if at the threshold.
 */
export async function setAlarmState(ctx: CoreContext, input: { AlarmName: string; StateValue: AlarmState; StateReason: string; StateReasonData?: string }): Promise<Record<string, unknown>> {
  let values: number[] = [];
  try {
    const data = input.StateReasonData === undefined ? undefined : (JSON.parse(input.StateReasonData) as { recentDatapoints?: unknown });
    if (Array.isArray(data?.recentDatapoints)) values = data.recentDatapoints.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  } catch {
    // transitionAlarm refuses it with InvalidFormat.
  }
  await transitionAlarm(ctx, input.AlarmName, { state: input.StateValue, reason: input.StateReason, reasonData: input.StateReasonData }, { alarmValues: values });
  return {};
}

/** DescribeAlarmHistory: newest first unless ScanBy says otherwise, filtered by type and dates. */
export async function describeAlarmHistory(
  ctx: CoreContext,
  input: { AlarmName?: string; AlarmTypes?: string[]; HistoryItemType?: string; StartDate?: unknown; EndDate?: unknown; MaxRecords?: number; NextToken?: string; ScanBy?: string },
): Promise<Record<string, unknown>> {
  const from = input.StartDate === undefined ? -Infinity : timestampMs("StartDate", input.StartDate, badValue);
  const to = input.EndDate === undefined ? Infinity : timestampMs("EndDate", input.EndDate, badValue);
  const metricWanted = input.AlarmTypes === undefined || input.AlarmTypes.includes("MetricAlarm");
  const items = (metricWanted ? await listAlarmHistory(ctx, input.AlarmName) : []).filter(
    (h) => (input.HistoryItemType === undefined || h.historyItemType === input.HistoryItemType) && h.timestampMs >= from && h.timestampMs <= to,
  );
  if (input.ScanBy === "TimestampAscending") items.reverse();
  const { page, nextToken } = cloudwatchPage(items, input.MaxRecords ?? 100, input.NextToken);
  return { AlarmHistoryItems: page.map(historyItemShape), ...(nextToken && { NextToken: nextToken }) };
}

/** EnableAlarmActions. */
export async function enableAlarmActions(ctx: CoreContext, input: { AlarmNames: string[] }): Promise<Record<string, unknown>> {
  await setAlarmActionsEnabled(ctx, input.AlarmNames, true);
  return {};
}

/** DisableAlarmActions. */
export async function disableAlarmActions(ctx: CoreContext, input: { AlarmNames: string[] }): Promise<Record<string, unknown>> {
  await setAlarmActionsEnabled(ctx, input.AlarmNames, false);
  return {};
}

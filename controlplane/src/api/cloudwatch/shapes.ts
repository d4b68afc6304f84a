import { CloudWatchInvalidNextToken } from "@berth/shared";
import type { AlarmHistoryRecord, MetricAlarmRecord } from "../../store/index.js";
import { offsetPage } from "../aws/pages.js";

/**
 * An alarm in DescribeAlarms' MetricAlarm shape (model member names; timestamps as Date, which
 * the Query side writes as ISO 8601 and the CBOR side as tag 1).
 */
export function metricAlarmShape(a: MetricAlarmRecord): Record<string, unknown> {
  const c = a.config;
  return {
    AlarmName: a.name,
    AlarmArn: a.arn,
    AlarmDescription: c.AlarmDescription,
    AlarmConfigurationUpdatedTimestamp: new Date(a.configurationUpdatedMs),
    ActionsEnabled: c.ActionsEnabled,
    OKActions: c.OKActions,
    AlarmActions: c.AlarmActions,
    InsufficientDataActions: c.InsufficientDataActions,
    StateValue: a.stateValue,
    StateReason: a.stateReason,
    StateReasonData: a.stateReasonData,
    StateUpdatedTimestamp: new Date(a.stateUpdatedMs),
    MetricName: c.MetricName,
    Namespace: c.Namespace,
    Statistic: c.Statistic,
    Dimensions: c.Dimensions,
    Period: c.Period,
    Unit: c.Unit,
    EvaluationPeriods: c.EvaluationPeriods,
    DatapointsToAlarm: c.DatapointsToAlarm,
    Threshold: c.Threshold,
    ComparisonOperator: c.ComparisonOperator,
    TreatMissingData: c.TreatMissingData,
    StateTransitionedTimestamp: new Date(a.stateTransitionedMs),
  };
}

/** A history record in DescribeAlarmHistory's AlarmHistoryItem shape. */
export function historyItemShape(h: AlarmHistoryRecord): Record<string, unknown> {
  return {
    AlarmName: h.alarmName,
    AlarmType: "MetricAlarm",
    Timestamp: new Date(h.timestampMs),
    HistoryItemType: h.historyItemType,
    HistorySummary: h.historySummary,
    HistoryData: h.historyData,
  };
}

/** One page of a listing, CloudWatch's InvalidNextToken for a token this endpoint did not issue. */
export function cloudwatchPage<T>(items: readonly T[], max: number | undefined, token: string | undefined, limit = 100): { page: T[]; nextToken?: string } {
  return offsetPage(items, max, token, (m) => new CloudWatchInvalidNextToken(m), limit);
}

// The CloudWatch metric alarms berth stores (core/alarms re-exports them): an alarm holds its
// configuration as given (AWS's member names) beside its state and the evaluator's marks, so a
// PutMetricAlarm, a SetAlarmState and an evaluation each touch one key; history items are
// records of their own, bounded per alarm.

/** An alarm's state, as CloudWatch names it. */
export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** One metric dimension. */
export interface AlarmDimension {
  Name: string;
  Value: string;
}

/** PutMetricAlarm's configuration of a single-metric alarm, as berth evaluates it. */
export interface MetricAlarmConfig {
  AlarmDescription?: string;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  Namespace: string;
  MetricName: string;
  Dimensions: AlarmDimension[];
  Statistic: "SampleCount" | "Average" | "Sum" | "Minimum" | "Maximum";
  /** Seconds; a multiple of berth's datapoint period. */
  Period: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
  TreatMissingData?: "breaching" | "notBreaching" | "ignore" | "missing";
}

/** A metric alarm: its configuration, state, and when the evaluator last read and acted. */
export interface MetricAlarmRecord {
  name: string;
  arn: string;
  config: MetricAlarmConfig;
  tags?: { Key: string; Value: string }[];
  configurationUpdatedMs: number;
  stateValue: AlarmState;
  stateReason: string;
  /** JSON text, as StateReasonData is. */
  stateReasonData?: string;
  stateUpdatedMs: number;
  /** When the state last changed value (StateTransitionedTimestamp). */
  stateTransitionedMs: number;
  /** Start of the newest period the evaluator judged: it judges each period once. */
  evaluatedPeriodStartMs?: number;
  /** The metric value the ALARM actions get (MetricAggregationType over the window's datapoints). */
  alarmValues?: number[];
  /** The stateTransitionedMs whose ALARM actions ran, and when they last ran (they repeat each period while in ALARM). */
  actedTransitionMs?: number;
  actedAtMs?: number;
}

/** One DescribeAlarmHistory item. */
export interface AlarmHistoryRecord {
  alarmName: string;
  /** Sorts by time: the padded ms, then a random suffix. */
  id: string;
  timestampMs: number;
  historyItemType: "ConfigurationUpdate" | "StateUpdate" | "Action";
  historySummary: string;
  /** JSON text, as CloudWatch's HistoryData is. */
  historyData: string;
}

import type { CoreContext } from "../../../core/index.js";
import { deleteAlarms, describeAlarmHistory, describeAlarms, disableAlarmActions, enableAlarmActions, putMetricAlarm, setAlarmState } from "./alarms.js";
import { getMetricStatistics, listMetrics, type MetricDeps } from "./metrics.js";

export type { MetricDeps } from "./metrics.js";

/** A CloudWatch action: validated input (model member names) -> output structure. */
export type CloudWatchAction = (ctx: CoreContext, input: any, deps: MetricDeps) => Promise<Record<string, unknown>>;

/** The CloudWatch operations berth serves, by name (the ones the vendored, trimmed model holds). */
export const cloudwatchActions: Record<string, CloudWatchAction> = {
  PutMetricAlarm: (ctx, input, deps) => putMetricAlarm(ctx, input, deps),
  DescribeAlarms: describeAlarms,
  DeleteAlarms: deleteAlarms,
  SetAlarmState: setAlarmState,
  DescribeAlarmHistory: describeAlarmHistory,
  EnableAlarmActions: enableAlarmActions,
  DisableAlarmActions: disableAlarmActions,
  GetMetricStatistics: getMetricStatistics,
  ListMetrics: listMetrics,
};

import { filterLogEvents, getLogEvents } from "./events.js";
import { createLogGroup, deleteLogGroup, deleteRetentionPolicy, describeLogGroups, putRetentionPolicy, type LogsContext } from "./groups.js";
import { createLogStream, deleteLogStream, describeLogStreams, putLogEvents } from "./streams.js";

export type { LogsContext } from "./groups.js";

/** The implemented CloudWatch Logs operations by name; the rest answer UnsupportedFeatureException. */
export const logsActions: Record<string, (ctx: LogsContext, input: any) => Promise<object>> = {
  CreateLogGroup: createLogGroup,
  DeleteLogGroup: deleteLogGroup,
  DescribeLogGroups: describeLogGroups,
  PutRetentionPolicy: putRetentionPolicy,
  DeleteRetentionPolicy: deleteRetentionPolicy,
  CreateLogStream: createLogStream,
  DeleteLogStream: deleteLogStream,
  DescribeLogStreams: describeLogStreams,
  PutLogEvents: putLogEvents,
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
};

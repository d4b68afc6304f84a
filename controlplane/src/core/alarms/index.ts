/** CloudWatch metric alarms on berth's own metrics: configuration rules, evaluation, datapoints, state. */
export * from "./rules.js";
export * from "./evaluate.js";
export * from "./datapoints.js";
export * from "./metrics.js";
export * from "./alarms.js";
export * from "./deployment-alarms.js";

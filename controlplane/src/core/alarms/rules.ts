import {
  CloudWatchInvalidParameterCombination,
  CloudWatchInvalidParameterValue,
  CloudWatchMissingParameter,
  type ArnScope,
} from "@berth/shared";
import type { AlarmDimension, MetricAlarmConfig, MetricAlarmRecord } from "../../store/index.js";

/**
 * The metrics berth has, by namespace and name: the dimensions an alarm on one must name (all of
 * them, no others) and the unit CloudWatch reports it in.
 */
export const berthMetrics: Record<string, Record<string, { dimensions: string[]; unit: string }>> = {
  "AWS/ECS": {
    CPUUtilization: { dimensions: ["ClusterName", "ServiceName"], unit: "Percent" },
    MemoryUtilization: { dimensions: ["ClusterName", "ServiceName"], unit: "Percent" },
  },
  "AWS/ApplicationELB": {
    RequestCountPerTarget: { dimensions: ["TargetGroup"], unit: "Count" },
  },
};

/**
 * Whether an alarm's `Unit` (if it names one) is its metric's: CloudWatch keeps datapoints per
 * unit, so an alarm in another unit finds none and is judged as having no data (it stays
 * INSUFFICIENT_DATA under the default TreatMissingData), as GetMetricStatistics refuses one. Pure.
 */
export function alarmUnitMatches(c: Pick<MetricAlarmConfig, "Namespace" | "MetricName" | "Unit">): boolean {
  return c.Unit === undefined || berthMetrics[c.Namespace]?.[c.MetricName]?.unit === c.Unit;
}

/** Where an alarm's datapoints come from. */
export type MetricSource =
  | { kind: "service"; cluster: string; service: string; metric: "cpu" | "memory" }
  | { kind: "targetGroup"; targetGroup: string };

/** A target group's dimension value, `targetgroup/<name>/<id>` (its ARN's resource part). */
const targetGroupDimension = /^targetgroup\/([^/]+)\/[^/]+$/;

/** The source of one berth metric with its dimensions; InvalidParameterValue naming what is wrong. Pure. */
export function metricSourceOf(namespace: string, metricName: string, dimensions: readonly AlarmDimension[]): MetricSource {
  const spaces = berthMetrics[namespace];
  if (!spaces) throw new CloudWatchInvalidParameterValue(`Namespace: berth has no metrics in ${namespace}; it has ${Object.keys(berthMetrics).join(", ")}`);
  const metric = spaces[metricName];
  if (!metric) throw new CloudWatchInvalidParameterValue(`MetricName: berth has no metric ${metricName} in ${namespace}; it has ${Object.keys(spaces).join(", ")}`);
  const given = new Map<string, string>();
  for (const d of dimensions) {
    if (given.has(d.Name)) throw new CloudWatchInvalidParameterValue(`Dimensions: ${d.Name} is named twice`);
    given.set(d.Name, d.Value);
  }
  const want = metric.dimensions;
  if (given.size !== want.length || !want.every((n) => given.has(n))) {
    throw new CloudWatchInvalidParameterValue(`Dimensions: ${namespace} ${metricName} is kept per ${want.join(" + ")}; got ${[...given.keys()].join(" + ") || "none"}`);
  }
  if (namespace === "AWS/ECS") return { kind: "service", cluster: given.get("ClusterName")!, service: given.get("ServiceName")!, metric: metricName === "CPUUtilization" ? "cpu" : "memory" };
  const tg = targetGroupDimension.exec(given.get("TargetGroup")!);
  if (!tg) throw new CloudWatchInvalidParameterValue(`Dimensions: TargetGroup must be targetgroup/<name>/<id> (the target group ARN's resource part), got ${given.get("TargetGroup")}`);
  return { kind: "targetGroup", targetGroup: tg[1] };
}

/** An Application Auto Scaling policy ARN of an ECS service, the one action kind berth invokes. */
export const scalingPolicyArnPattern = /^arn:aws:autoscaling:[^:]+:[^:]+:scalingPolicy:[^:]+:resource\/ecs\/service\/[^:]+:policyName\/.+$/;

/** What the evaluator's window may reach: berth's datapoint period and how many it keeps. */
export interface MetricWindow {
  /** BERTH_METRIC_PERIOD_MS. */
  basePeriodMs: number;
  /** Complete base periods the replicas publish per service (core/service-metrics.ts). */
  keptPeriods: number;
}

/** PutMetricAlarm's input, as the model names it. */
export interface PutMetricAlarmInput {
  AlarmName: string;
  AlarmDescription?: string;
  ActionsEnabled?: boolean;
  OKActions?: string[];
  AlarmActions?: string[];
  InsufficientDataActions?: string[];
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions?: AlarmDimension[];
  Period?: number;
  Unit?: string;
  EvaluationPeriods?: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator?: string;
  TreatMissingData?: string;
  EvaluateLowSampleCountPercentile?: string;
  Metrics?: unknown[];
  Tags?: { Key: string; Value: string }[];
  ThresholdMetricId?: string;
}

const comparisons = ["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"];
const missingTreatments = ["breaching", "notBreaching", "ignore", "missing"];

/**
 * The alarm a PutMetricAlarm leaves: a new one starts INSUFFICIENT_DATA; an existing one keeps
 * its state, ARN and marks with the new configuration (CloudWatch's update in place; the
 * evaluator judges the next period afresh). Refuses, naming the member, what berth cannot
 * evaluate: metric math (`Metrics`), percentiles, anomaly detection bands, metrics berth has no
 * datapoints of, periods that are not a multiple of berth's, windows longer than berth keeps,
 * and actions other than Application Auto Scaling policies. Pure.
 */
export function metricAlarmFromInput(existing: MetricAlarmRecord | undefined, input: PutMetricAlarmInput, ctx: { scope: ArnScope; nowMs: number; window: MetricWindow }): MetricAlarmRecord {
  if (input.Metrics !== undefined) throw new CloudWatchInvalidParameterValue("Metrics: metric math alarms are not supported by berth; alarm on one metric with MetricName, Namespace, Statistic and Dimensions");
  if (input.ThresholdMetricId !== undefined) throw new CloudWatchInvalidParameterValue("ThresholdMetricId: anomaly detection alarms are not supported by berth");
  if (input.ExtendedStatistic !== undefined) throw new CloudWatchInvalidParameterValue("ExtendedStatistic: berth keeps no percentiles; use Statistic (SampleCount, Average, Sum, Minimum or Maximum)");
  for (const m of ["MetricName", "Namespace", "Period", "EvaluationPeriods", "Threshold", "ComparisonOperator"] as const) {
    if (input[m] === undefined) throw new CloudWatchMissingParameter(`The parameter ${m} is required.`);
  }
  if (input.Statistic === undefined) throw new CloudWatchMissingParameter("The parameter Statistic is required.");
  if (!comparisons.includes(input.ComparisonOperator!)) {
    throw new CloudWatchInvalidParameterValue(`ComparisonOperator: ${input.ComparisonOperator} is an anomaly detection operator, not supported by berth; one of ${comparisons.join(", ")}`);
  }
  if (input.TreatMissingData !== undefined && !missingTreatments.includes(input.TreatMissingData)) {
    throw new CloudWatchInvalidParameterValue(`TreatMissingData: must be one of ${missingTreatments.join(", ")}, got ${input.TreatMissingData}`);
  }
  const dims = input.Dimensions ?? [];
  // Refuses a metric berth has no datapoints of before anything else is judged.
  metricSourceOf(input.Namespace!, input.MetricName!, dims);
  const periodMs = input.Period! * 1000;
  const base = ctx.window.basePeriodMs;
  if (periodMs < base || periodMs % base !== 0) {
    throw new CloudWatchInvalidParameterValue(`Period: ${input.Period} s is not a multiple of berth's datapoint period (${base / 1000} s, BERTH_METRIC_PERIOD_MS)`);
  }
  const n = input.EvaluationPeriods!;
  const m = input.DatapointsToAlarm ?? n;
  if (m > n) throw new CloudWatchInvalidParameterCombination(`DatapointsToAlarm (${m}) must be less than or equal to EvaluationPeriods (${n})`);
  if (input.Period! * n > 86_400) throw new CloudWatchInvalidParameterValue(`EvaluationPeriods: Period × EvaluationPeriods (${input.Period! * n} s) must not exceed one day (86400 s)`);
  // Periods are aligned on multiples of Period (as CloudWatch's are), so the newest complete one
  // may end up to k - 1 base periods before the newest kept: the window reaches back that far too,
  // and its oldest period must still be fully kept (else its statistic is of partial data).
  const k = periodMs / base;
  const reach = k * n + k - 1;
  if (reach > ctx.window.keptPeriods) {
    throw new CloudWatchInvalidParameterValue(
      `EvaluationPeriods: the alarm reads up to ${reach} of berth's ${base / 1000} s datapoints; berth keeps ${ctx.window.keptPeriods} (BERTH_SCALE_IN_DATAPOINTS + 1): lower Period or EvaluationPeriods`,
    );
  }
  for (const [member, list] of [["OKActions", input.OKActions], ["AlarmActions", input.AlarmActions], ["InsufficientDataActions", input.InsufficientDataActions]] as const) {
    for (const [i, arn] of (list ?? []).entries()) {
      if (!scalingPolicyArnPattern.test(arn)) {
        throw new CloudWatchInvalidParameterValue(`${member}.member.${i + 1}: berth invokes only Application Auto Scaling policies of ECS services (arn:aws:autoscaling:…:scalingPolicy:…), got ${arn}`);
      }
    }
  }
  const name = input.AlarmName;
  const config: MetricAlarmConfig = {
    ...(input.AlarmDescription !== undefined && { AlarmDescription: input.AlarmDescription }),
    ActionsEnabled: input.ActionsEnabled ?? true,
    OKActions: input.OKActions ?? [],
    AlarmActions: input.AlarmActions ?? [],
    InsufficientDataActions: input.InsufficientDataActions ?? [],
    Namespace: input.Namespace!,
    MetricName: input.MetricName!,
    Dimensions: dims,
    Statistic: input.Statistic as MetricAlarmConfig["Statistic"],
    Period: input.Period!,
    ...(input.Unit !== undefined && { Unit: input.Unit }),
    EvaluationPeriods: n,
    ...(input.DatapointsToAlarm !== undefined && { DatapointsToAlarm: input.DatapointsToAlarm }),
    Threshold: input.Threshold!,
    ComparisonOperator: input.ComparisonOperator as MetricAlarmConfig["ComparisonOperator"],
    ...(input.TreatMissingData !== undefined && { TreatMissingData: input.TreatMissingData as MetricAlarmConfig["TreatMissingData"] }),
  };
  if (existing) {
    // A new configuration is judged from the next period on, its old window's marks dropped.
    return { ...existing, config, configurationUpdatedMs: ctx.nowMs, evaluatedPeriodStartMs: undefined, ...(input.Tags && { tags: input.Tags }) };
  }
  return {
    name,
    arn: alarmArn(ctx.scope, name),
    config,
    ...(input.Tags && { tags: input.Tags }),
    configurationUpdatedMs: ctx.nowMs,
    stateValue: "INSUFFICIENT_DATA",
    stateReason: "Unchecked: Initial alarm creation",
    stateUpdatedMs: ctx.nowMs,
    stateTransitionedMs: ctx.nowMs,
  };
}

/** `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`. */
export function alarmArn(scope: ArnScope, name: string): string {
  return `arn:aws:cloudwatch:${scope.region}:${scope.account}:alarm:${name}`;
}

import { CloudWatchError } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { alarmUnitMatches, metricAlarmFromInput, metricSourceOf, type PutMetricAlarmInput } from "./rules.js";

const scope = { region: "us-east-1", account: "123456789012" };
// berth's datapoints every 10 s, 16 of them kept.
const window = { basePeriodMs: 10_000, keptPeriods: 16 };
const policy = "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0a1b:resource/ecs/service/prod/web:policyName/out";
const cpu: PutMetricAlarmInput = {
  AlarmName: "web-cpu-high",
  Namespace: "AWS/ECS",
  MetricName: "CPUUtilization",
  Dimensions: [{ Name: "ClusterName", Value: "prod" }, { Name: "ServiceName", Value: "web" }],
  Statistic: "Average",
  Period: 20,
  EvaluationPeriods: 3,
  Threshold: 50,
  ComparisonOperator: "GreaterThanThreshold",
  AlarmActions: [policy],
};
const build = (over: Partial<PutMetricAlarmInput>) => metricAlarmFromInput(undefined, { ...cpu, ...over }, { scope, nowMs: 1000, window });

describe("metricAlarmFromInput: refusals", () => {
  it.each<[string, Partial<PutMetricAlarmInput>, string, RegExp]>([
    // another namespace
    ["EC2", { Namespace: "AWS/EC2" }, "InvalidParameterValue", /^Namespace: berth has no metrics in AWS\/EC2/],
    // a metric berth does not have
    ["NetworkIn", { MetricName: "NetworkIn" }, "InvalidParameterValue", /^MetricName: berth has no metric NetworkIn in AWS\/ECS/],
    // a dimension missing
    ["cluster only", { Dimensions: [{ Name: "ClusterName", Value: "prod" }] }, "InvalidParameterValue", /^Dimensions: AWS\/ECS CPUUtilization is kept per ClusterName \+ ServiceName; got ClusterName/],
    // metric math
    ["Metrics", { Metrics: [{ Id: "m1" }], MetricName: undefined }, "InvalidParameterValue", /^Metrics: metric math alarms are not supported by berth/],
    // anomaly detection band
    ["ThresholdMetricId", { ThresholdMetricId: "ad1" }, "InvalidParameterValue", /^ThresholdMetricId: anomaly detection/],
    // an anomaly detection operator
    ["band operator", { ComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold" }, "InvalidParameterValue", /^ComparisonOperator: LessThanLowerOrGreaterThanUpperThreshold is an anomaly detection operator/],
    // percentiles
    ["p99", { Statistic: undefined, ExtendedStatistic: "p99" }, "InvalidParameterValue", /^ExtendedStatistic: berth keeps no percentiles/],
    // no statistic at all
    ["no Statistic", { Statistic: undefined }, "MissingParameter", /^The parameter Statistic is required\.$/],
    // no threshold
    ["no Threshold", { Threshold: undefined }, "MissingParameter", /^The parameter Threshold is required\.$/],
    // a period that is not a multiple of berth's
    ["Period 15", { Period: 15 }, "InvalidParameterValue", /^Period: 15 s is not a multiple of berth's datapoint period \(10 s/],
    // M > N
    ["M > N", { DatapointsToAlarm: 4 }, "InvalidParameterCombination", /^DatapointsToAlarm \(4\) must be less than or equal to EvaluationPeriods \(3\)$/],
    // a window longer than berth keeps: 60 s × 3 = 18 datapoints of 10 s, plus up to 5 before an aligned period's end
    ["too long", { Period: 60 }, "InvalidParameterValue", /^EvaluationPeriods: the alarm reads up to 23 of berth's 10 s datapoints; berth keeps 16/],
    // 20 s × 8 = 16 kept datapoints, but aligned on 20 s the oldest period may need a 17th, no longer kept
    ["aligned past the kept", { EvaluationPeriods: 8 }, "InvalidParameterValue", /^EvaluationPeriods: the alarm reads up to 17 of berth's 10 s datapoints; berth keeps 16/],
    // an SNS topic action
    ["SNS action", { AlarmActions: ["arn:aws:sns:us-east-1:123456789012:ops"] }, "InvalidParameterValue", /^AlarmActions\.member\.1: berth invokes only Application Auto Scaling policies/],
    // a bad treatment of missing data
    ["TreatMissingData", { TreatMissingData: "zero" }, "InvalidParameterValue", /^TreatMissingData: must be one of breaching, notBreaching, ignore, missing, got zero$/],
  ])("%s", (_name, over, code, message) => {
    let caught: unknown;
    try {
      build(over);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CloudWatchError);
    expect((caught as CloudWatchError).code).toBe(code);
    expect((caught as Error).message).toMatch(message);
  });
});

describe("metricAlarmFromInput: records", () => {
  it("starts a new alarm INSUFFICIENT_DATA, actions enabled, with CloudWatch's ARN", () => {
    expect(build({})).toMatchObject({
      name: "web-cpu-high",
      arn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-cpu-high",
      stateValue: "INSUFFICIENT_DATA",
      stateReason: "Unchecked: Initial alarm creation",
      config: { ActionsEnabled: true, AlarmActions: [policy], OKActions: [], Period: 20 },
    });
  });

  it("accepts the longest window whose oldest aligned period is fully kept (20 s × 7: up to 15 of 16)", () => {
    expect(build({ EvaluationPeriods: 7 }).config.EvaluationPeriods).toBe(7);
  });

  it("updates in place: state, ARN and transition kept, the evaluation mark dropped", () => {
    const first = { ...build({}), stateValue: "ALARM" as const, stateTransitionedMs: 500, evaluatedPeriodStartMs: 900 };
    const next = metricAlarmFromInput(first, { ...cpu, Threshold: 70 }, { scope, nowMs: 2000, window });
    expect(next).toMatchObject({ arn: first.arn, stateValue: "ALARM", stateTransitionedMs: 500, configurationUpdatedMs: 2000, config: { Threshold: 70 } });
    expect(next.evaluatedPeriodStartMs).toBeUndefined();
  });
});

describe("metricSourceOf", () => {
  it.each<[string, string, { Name: string; Value: string }[], object]>([
    // a service's CPU
    ["AWS/ECS", "CPUUtilization", [{ Name: "ServiceName", Value: "web" }, { Name: "ClusterName", Value: "prod" }], { kind: "service", cluster: "prod", service: "web", metric: "cpu" }],
    // its memory
    ["AWS/ECS", "MemoryUtilization", [{ Name: "ClusterName", Value: "prod" }, { Name: "ServiceName", Value: "web" }], { kind: "service", metric: "memory" }],
    // a target group by its ARN's resource part
    ["AWS/ApplicationELB", "RequestCountPerTarget", [{ Name: "TargetGroup", Value: "targetgroup/web/943f017f100becff" }], { kind: "targetGroup", targetGroup: "web" }],
  ])("%s %s", (ns, name, dims, want) => {
    expect(metricSourceOf(ns, name, dims)).toMatchObject(want);
  });

  it("refuses a TargetGroup that is not targetgroup/<name>/<id>", () => {
    expect(() => metricSourceOf("AWS/ApplicationELB", "RequestCountPerTarget", [{ Name: "TargetGroup", Value: "web" }])).toThrow(/TargetGroup must be targetgroup\/<name>\/<id>/);
  });
});

describe("alarmUnitMatches", () => {
  it.each<[string, string, string, string | undefined, boolean]>([
    // no Unit: any datapoints
    ["no unit", "AWS/ECS", "CPUUtilization", undefined, true],
    // the metric's own unit
    ["Percent CPU", "AWS/ECS", "CPUUtilization", "Percent", true],
    // another unit: CloudWatch has no datapoints of the metric in it
    ["Count CPU", "AWS/ECS", "CPUUtilization", "Count", false],
    // the request count is a Count
    ["Count requests", "AWS/ApplicationELB", "RequestCountPerTarget", "Count", true],
    ["Percent requests", "AWS/ApplicationELB", "RequestCountPerTarget", "Percent", false],
  ])("%s", (_name, ns, metric, unit, want) => {
    expect(alarmUnitMatches({ Namespace: ns, MetricName: metric, ...(unit !== undefined && { Unit: unit }) })).toBe(want);
  });
});

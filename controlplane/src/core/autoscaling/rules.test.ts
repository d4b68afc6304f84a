import { describe, expect, it } from "vitest";
import { ValidationException } from "@berth/shared";
import type { ScalableTargetRecord } from "../../store/index.js";
import { parseResourceId, putPolicy, registeredTarget, targetGroupOfLabel, type PutPolicyInput, type RegisterTargetInput } from "./rules.js";

const scope = { region: "us-east-1", account: "000000000000" };
const ctx = { scope, nowMs: 1000, newId: "11111111-2222-3333-4444-555555555555" };
const ref = { ServiceNamespace: "ecs", ResourceId: "service/c/web", ScalableDimension: "ecs:service:DesiredCount" };
const existing = (): ScalableTargetRecord =>
  registeredTarget(undefined, { ...ref, MinCapacity: 1, MaxCapacity: 4 }, { ...ctx, newId: "abc" });

// A valid step policy: +1 for anything above the threshold.
const step = { AdjustmentType: "ChangeInCapacity", StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] };

describe("parseResourceId", () => {
  it.each<[string, Partial<typeof ref>, { cluster: string; service: string } | RegExp]>([
    // an ECS service
    ["service", {}, { cluster: "c", service: "web" }],
    // another namespace
    ["dynamodb", { ServiceNamespace: "dynamodb" }, /Unsupported service namespace: dynamodb/],
    // not service/<cluster>/<service>
    ["bad id", { ResourceId: "service/web" }, /Unsupported resource ID format: service\/web/],
    // another dimension
    ["dimension", { ScalableDimension: "ecs:service:Other" }, /scalable dimension: ecs:service:Other/],
  ])("%s", (_name, over, want) => {
    const call = () => parseResourceId({ ...ref, ...over });
    if (want instanceof RegExp) expect(call).toThrow(want);
    else expect(call()).toEqual(want);
  });
});

describe("registeredTarget", () => {
  const withAction = (suspended: boolean, handledThroughMs: number): ScalableTargetRecord => ({
    ...existing(),
    suspendedState: { dynamicScalingInSuspended: false, dynamicScalingOutSuspended: false, scheduledScalingSuspended: suspended },
    scheduledActions: [{ name: "a", arn: "arn:a", schedule: "rate(1 minute)", minCapacity: 2, createdAtMs: 0, handledThroughMs, anchorMs: 0 }],
  });
  it.each<[string, ScalableTargetRecord | undefined, Partial<RegisterTargetInput>, Partial<ScalableTargetRecord> | RegExp]>([
    // a new target with both capacities
    ["new", undefined, { MinCapacity: 1, MaxCapacity: 3 }, { minCapacity: 1, maxCapacity: 3, cluster: "c", service: "web", arn: `arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/${ctx.newId}` }],
    // a new target needs both
    ["new without max", undefined, { MinCapacity: 1 }, /MinCapacity and MaxCapacity are required/],
    // min above max
    ["min > max", undefined, { MinCapacity: 5, MaxCapacity: 2 }, /Minimum capacity cannot be larger than maximum capacity/],
    // an update takes what is given and keeps the rest (ARN, creation time)
    ["update max", existing(), { MaxCapacity: 9 }, { minCapacity: 1, maxCapacity: 9, arn: existing().arn }],
    // an update that would leave min above max
    ["update min > max", existing(), { MinCapacity: 6 }, /MinCapacity 6, MaxCapacity 4/],
    // suspended state: each flag on its own
    ["suspend in", existing(), { SuspendedState: { DynamicScalingInSuspended: true } }, { suspendedState: { dynamicScalingInSuspended: true, dynamicScalingOutSuspended: false, scheduledScalingSuspended: false } }],
    // resuming scheduled scaling: the times that passed while suspended count as handled (they do not run)
    ["resume scheduled", withAction(true, 500), { SuspendedState: { ScheduledScalingSuspended: false } }, { scheduledActions: [expect.objectContaining({ name: "a", handledThroughMs: ctx.nowMs })] }],
    // suspending keeps the actions as they are
    ["suspend scheduled", withAction(false, 500), { SuspendedState: { ScheduledScalingSuspended: true } }, { scheduledActions: [expect.objectContaining({ name: "a", handledThroughMs: 500 })] }],
    // an update keeps the actions and a pending desired count change
    ["keeps actions", { ...withAction(false, 500), pendingDesired: { desiredCount: 3, activityRecordId: "x" } }, { MaxCapacity: 8 }, { scheduledActions: [expect.objectContaining({ name: "a" })], pendingDesired: { desiredCount: 3, activityRecordId: "x" } }],
  ])("%s", (_name, cur, over, want) => {
    const call = () => registeredTarget(cur, { ...ref, ...over }, ctx);
    if (want instanceof RegExp) expect(call).toThrow(want);
    else expect(call()).toMatchObject(want);
  });
});

describe("putPolicy", () => {
  const tt = (over: object = {}): Partial<PutPolicyInput> => ({
    PolicyType: "TargetTrackingScaling",
    TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" }, ...over },
  });
  const arn = `arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:${ctx.newId}:resource/ecs/service/c/web:policyName/p`;
  it.each<[string, Partial<PutPolicyInput>, object | RegExp]>([
    // target tracking: ARN and the two alarms AWS makes
    [
      "cpu",
      tt(),
      {
        arn,
        type: "TargetTrackingScaling",
        alarms: [
          { name: `TargetTracking-service/c/web-AlarmHigh-${ctx.newId}`, arn: `arn:aws:cloudwatch:us-east-1:000000000000:alarm:TargetTracking-service/c/web-AlarmHigh-${ctx.newId}` },
          { name: `TargetTracking-service/c/web-AlarmLow-${ctx.newId}`, arn: `arn:aws:cloudwatch:us-east-1:000000000000:alarm:TargetTracking-service/c/web-AlarmLow-${ctx.newId}` },
        ],
      },
    ],
    // DisableScaleIn: no low alarm
    ["disable scale-in", tt({ DisableScaleIn: true }), { alarms: [{ name: `TargetTracking-service/c/web-AlarmHigh-${ctx.newId}` }] }],
    // a metric of another service
    ["dynamodb metric", tt({ PredefinedMetricSpecification: { PredefinedMetricType: "DynamoDBReadCapacityUtilization" } }), /is not a metric of ecs:service:DesiredCount/],
    // ALB needs its resource label
    ["alb without label", tt({ PredefinedMetricSpecification: { PredefinedMetricType: "ALBRequestCountPerTarget" } }), /ResourceLabel: ALBRequestCountPerTarget needs/],
    // ALB with a label
    ["alb", tt({ PredefinedMetricSpecification: { PredefinedMetricType: "ALBRequestCountPerTarget", ResourceLabel: "app/lb/abc/targetgroup/tg/def" } }), { type: "TargetTrackingScaling" }],
    // a label on a metric that takes none
    ["label on cpu", tt({ PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization", ResourceLabel: "x" } }), /only ALBRequestCountPerTarget takes a resource label/],
    // custom metrics need CloudWatch
    ["customized", tt({ PredefinedMetricSpecification: undefined, CustomizedMetricSpecification: { MetricName: "x" } }), /berth tracks only its predefined metrics/],
    // a target value of 0
    ["zero target", tt({ TargetValue: 0 }), /TargetValue: 0 must be greater than 0/],
    // no configuration
    ["no config", { PolicyType: "TargetTrackingScaling" }, /TargetTrackingScalingPolicyConfiguration is required/],
    // a step policy is kept as given, with no alarms of its own (CloudWatch alarms name it)
    ["step", { PolicyType: "StepScaling", StepScalingPolicyConfiguration: step }, { type: "StepScaling", stepScaling: step, alarms: [] }],
    // PolicyType defaults to StepScaling, as AWS
    ["default type", { StepScalingPolicyConfiguration: step }, { type: "StepScaling" }],
    // a step policy's steps are checked as AWS does (core/autoscaling/step.ts stepConfigProblem)
    ["step without steps", { PolicyType: "StepScaling", StepScalingPolicyConfiguration: { AdjustmentType: "ChangeInCapacity" } }, /StepAdjustments: at least one step adjustment is required/],
    // predictive scaling needs forecasts berth does not make
    ["predictive", { PolicyType: "PredictiveScaling" }, /PredictiveScaling is not supported/],
  ])("%s", (_name, over, want) => {
    const call = () => putPolicy(existing(), { ...ref, PolicyName: "p", ...over }, ctx);
    if (want instanceof RegExp) {
      expect(call).toThrow(ValidationException);
      expect(call).toThrow(want);
    } else expect(call()).toMatchObject(want);
  });

  it("keeps a replaced policy's ARN and creation time", () => {
    const target = existing();
    const first = putPolicy(target, { ...ref, PolicyName: "p", ...tt() }, ctx);
    const again = putPolicy({ ...target, policies: [first] }, { ...ref, PolicyName: "p", ...tt({ TargetValue: 70 }) }, { ...ctx, nowMs: 5000, newId: "other" });
    expect(again).toMatchObject({ arn: first.arn, createdAtMs: 1000, targetTracking: { TargetValue: 70 } });
  });
});

describe("targetGroupOfLabel", () => {
  it.each([
    // the target group's name
    ["app/lb/50dc6c495c0c9188/targetgroup/web/943f017f100becff", "web"],
    // not an ALB label
    ["targetgroup/web", undefined],
  ])("%s", (label, want) => {
    expect(targetGroupOfLabel(label)).toBe(want);
  });
});

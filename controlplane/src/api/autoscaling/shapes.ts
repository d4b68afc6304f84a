import { ValidationException } from "@berth/shared";
import { offsetPage } from "../aws/pages.js";
import type { ScalableTargetRecord, ScalingActivityRecord, ScalingPolicyRecord, ScheduledActionRecord } from "../../store/index.js";

/** Epoch seconds, as AWS JSON 1.1 sends timestamps. */
const seconds = (ms: number) => ms / 1000;

/** A target in DescribeScalableTargets' shape. */
export function scalableTargetShape(t: ScalableTargetRecord): object {
  return {
    ServiceNamespace: "ecs",
    ResourceId: t.resourceId,
    ScalableDimension: "ecs:service:DesiredCount",
    MinCapacity: t.minCapacity,
    MaxCapacity: t.maxCapacity,
    RoleARN: t.roleArn,
    CreationTime: seconds(t.createdAtMs),
    SuspendedState: {
      DynamicScalingInSuspended: t.suspendedState.dynamicScalingInSuspended,
      DynamicScalingOutSuspended: t.suspendedState.dynamicScalingOutSuspended,
      ScheduledScalingSuspended: t.suspendedState.scheduledScalingSuspended,
    },
    ScalableTargetARN: t.arn,
  };
}

/**
 * A policy in DescribeScalingPolicies' shape. `userAlarms` are the CloudWatch alarms whose
 * actions name it (a step policy's, made with PutMetricAlarm), listed after its own as AWS does.
 */
export function scalingPolicyShape(t: ScalableTargetRecord, p: ScalingPolicyRecord, userAlarms: readonly { name: string; arn: string }[] = []): object {
  return {
    PolicyARN: p.arn,
    PolicyName: p.name,
    ServiceNamespace: "ecs",
    ResourceId: t.resourceId,
    ScalableDimension: "ecs:service:DesiredCount",
    PolicyType: p.type,
    ...(p.targetTracking && { TargetTrackingScalingPolicyConfiguration: p.targetTracking }),
    ...(p.stepScaling && { StepScalingPolicyConfiguration: p.stepScaling }),
    Alarms: [...p.alarms, ...userAlarms].map((a) => ({ AlarmName: a.name, AlarmARN: a.arn })),
    CreationTime: seconds(p.createdAtMs),
  };
}

/** An activity in DescribeScalingActivities' shape. */
export function scalingActivityShape(a: ScalingActivityRecord): object {
  return {
    ActivityId: a.activityId,
    ServiceNamespace: "ecs",
    ResourceId: a.resourceId,
    ScalableDimension: "ecs:service:DesiredCount",
    Description: a.description,
    Cause: a.cause,
    StartTime: seconds(a.startMs),
    ...(a.endMs !== undefined && { EndTime: seconds(a.endMs) }),
    StatusCode: a.statusCode,
    ...(a.statusMessage !== undefined && { StatusMessage: a.statusMessage }),
  };
}

/**
 * One page of `items` (MaxResults, at most 50 as AWS pages them) after the opaque NextToken
 * (api/aws/pages.ts offsetPage); a token this endpoint did not issue is ValidationException (or
 * what `invalid` makes).
 */
export function pageOf<T>(items: readonly T[], maxResults: number | undefined, nextToken: string | undefined, invalid: (message: string) => Error = (m) => new ValidationException(m)): { page: T[]; nextToken?: string } {
  return offsetPage(items, maxResults, nextToken, invalid, 50);
}

/** A scheduled action in DescribeScheduledActions' shape (Timezone, StartTime, EndTime only when set). */
export function scheduledActionShape(t: ScalableTargetRecord, a: ScheduledActionRecord): object {
  return {
    ScheduledActionName: a.name,
    ScheduledActionARN: a.arn,
    ServiceNamespace: "ecs",
    Schedule: a.schedule,
    ...(a.timezone !== undefined && { Timezone: a.timezone }),
    ResourceId: t.resourceId,
    ScalableDimension: "ecs:service:DesiredCount",
    ...(a.startTimeMs !== undefined && { StartTime: seconds(a.startTimeMs) }),
    ...(a.endTimeMs !== undefined && { EndTime: seconds(a.endTimeMs) }),
    ScalableTargetAction: { ...(a.minCapacity !== undefined && { MinCapacity: a.minCapacity }), ...(a.maxCapacity !== undefined && { MaxCapacity: a.maxCapacity }) },
    CreationTime: seconds(a.createdAtMs),
  };
}


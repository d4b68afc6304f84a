import { ValidationException } from "@berth/shared";
import type { ScalableTargetRecord, ScalingActivityRecord, ScalingPolicyRecord } from "../../store/index.js";

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
 * One page of `items` (MaxResults, default 50 as AWS) after the opaque NextToken, which is the
 * offset it continues from; a token that does not parse is ValidationException.
 */
export function pageOf<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined): { page: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const n = Number(Buffer.from(nextToken, "base64url").toString("utf8"));
    if (!Number.isInteger(n) || n < 0) throw new ValidationException(`NextToken: '${nextToken}' is not a token this API gave`);
    start = n;
  }
  const size = maxResults ?? 50;
  const page = items.slice(start, start + size);
  const end = start + page.length;
  return end < items.length ? { page, nextToken: Buffer.from(String(end)).toString("base64url") } : { page };
}

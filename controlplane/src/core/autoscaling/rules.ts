import { ValidationException, type ArnScope } from "@berth/shared";
import { stepConfigProblem, type StepScalingConfig } from "./step.js";
import type { PolicyAlarm, ScalableTargetRecord, ScalingPolicyRecord, SuspendedState, TargetTrackingConfig } from "../../store/index.js";

/** The one scalable dimension berth serves: an ECS service's desired count. */
export const ecsDimension = "ecs:service:DesiredCount";

/** The predefined metrics berth evaluates for an ECS service, and what each reads. */
export const ecsPredefinedMetrics = {
  ECSServiceAverageCPUUtilization: "cpu",
  ECSServiceAverageMemoryUtilization: "memory",
  ALBRequestCountPerTarget: "requests",
} as const;

/** What a target tracking policy's metric is computed from. */
export type MetricKind = (typeof ecsPredefinedMetrics)[keyof typeof ecsPredefinedMetrics];

/** A target's identity as the API names it. */
export interface TargetRef {
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
}

/** The service a resource id names: `service/<cluster>/<service>`. ValidationException otherwise. */
export function parseResourceId(ref: TargetRef): { cluster: string; service: string } {
  if (ref.ServiceNamespace !== "ecs") {
    throw new ValidationException(`Unsupported service namespace: ${ref.ServiceNamespace}; berth scales ECS services only (ServiceNamespace ecs)`);
  }
  const m = /^service\/([A-Za-z0-9_-]{1,255})\/([A-Za-z0-9_-]{1,255})$/.exec(ref.ResourceId);
  if (!m) throw new ValidationException(`Unsupported resource ID format: ${ref.ResourceId}; an ECS service is service/<cluster>/<service>`);
  if (ref.ScalableDimension !== ecsDimension) {
    throw new ValidationException(`Unsupported service namespace, resource type or scalable dimension: ${ref.ScalableDimension} (an ECS service scales ${ecsDimension})`);
  }
  return { cluster: m[1], service: m[2] };
}

/** The message AWS gives for a target that is not registered. */
export function noTargetMessage(ref: TargetRef): string {
  return `No scalable target registered for service namespace: ${ref.ServiceNamespace}, resource ID: ${ref.ResourceId}, scalable dimension: ${ref.ScalableDimension}`;
}

/** RegisterScalableTarget's input. */
export interface RegisterTargetInput extends TargetRef {
  MinCapacity?: number;
  MaxCapacity?: number;
  RoleARN?: string;
  SuspendedState?: { DynamicScalingInSuspended?: boolean; DynamicScalingOutSuspended?: boolean; ScheduledScalingSuspended?: boolean };
}

/**
 * The target after a RegisterScalableTarget: a new one needs both capacities; a registered one
 * takes whatever is given (AWS's update in place). ValidationException names the field. Pure.
 */
export function registeredTarget(
  existing: ScalableTargetRecord | undefined,
  input: RegisterTargetInput,
  ctx: { scope: ArnScope; nowMs: number; newId: string },
): ScalableTargetRecord {
  const { cluster, service } = parseResourceId(input);
  if (!existing && (input.MinCapacity === undefined || input.MaxCapacity === undefined)) {
    throw new ValidationException("MinCapacity and MaxCapacity are required when registering a new scalable target");
  }
  const min = input.MinCapacity ?? existing!.minCapacity;
  const max = input.MaxCapacity ?? existing!.maxCapacity;
  if (min < 0) throw new ValidationException(`MinCapacity: ${min} must be 0 or more`);
  if (min > max) throw new ValidationException(`Minimum capacity cannot be larger than maximum capacity (MinCapacity ${min}, MaxCapacity ${max})`);
  const was: SuspendedState = existing?.suspendedState ?? { dynamicScalingInSuspended: false, dynamicScalingOutSuspended: false, scheduledScalingSuspended: false };
  const s = input.SuspendedState ?? {};
  const scheduledScalingSuspended = s.ScheduledScalingSuspended ?? was.scheduledScalingSuspended;
  // Resuming scheduled scaling does not run the times that passed while it was suspended (AWS):
  // they count as handled from now on.
  const resumed = was.scheduledScalingSuspended && !scheduledScalingSuspended;
  const scheduledActions = resumed
    ? existing?.scheduledActions?.map((a) => ({ ...a, handledThroughMs: Math.max(a.handledThroughMs, ctx.nowMs) }))
    : existing?.scheduledActions;
  return {
    cluster,
    service,
    resourceId: input.ResourceId,
    arn: existing?.arn ?? `arn:aws:application-autoscaling:${ctx.scope.region}:${ctx.scope.account}:scalable-target/${ctx.newId}`,
    minCapacity: min,
    maxCapacity: max,
    roleArn: input.RoleARN ?? existing?.roleArn ?? `arn:aws:iam::${ctx.scope.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
    suspendedState: {
      dynamicScalingInSuspended: s.DynamicScalingInSuspended ?? was.dynamicScalingInSuspended,
      dynamicScalingOutSuspended: s.DynamicScalingOutSuspended ?? was.dynamicScalingOutSuspended,
      scheduledScalingSuspended,
    },
    createdAtMs: existing?.createdAtMs ?? ctx.nowMs,
    policies: existing?.policies ?? [],
    lastScaleOutAtMs: existing?.lastScaleOutAtMs,
    lastScaleInAtMs: existing?.lastScaleInAtMs,
    ...(existing?.lastScaleOutFrom !== undefined && { lastScaleOutFrom: existing.lastScaleOutFrom }),
    ...(scheduledActions && { scheduledActions }),
    ...(existing?.pendingDesired && { pendingDesired: existing.pendingDesired }),
  };
}

/** PutScalingPolicy's input. */
export interface PutPolicyInput extends TargetRef {
  PolicyName: string;
  PolicyType?: "StepScaling" | "TargetTrackingScaling" | "PredictiveScaling";
  StepScalingPolicyConfiguration?: Record<string, unknown>;
  TargetTrackingScalingPolicyConfiguration?: {
    TargetValue: number;
    PredefinedMetricSpecification?: { PredefinedMetricType: string; ResourceLabel?: string };
    CustomizedMetricSpecification?: unknown;
    ScaleOutCooldown?: number;
    ScaleInCooldown?: number;
    DisableScaleIn?: boolean;
  };
}

/** `app/<lb>/<id>/targetgroup/<tg>/<id>`, as ALBRequestCountPerTarget's ResourceLabel is written. */
const resourceLabelPattern = /^app\/[^/]+\/[^/]+\/targetgroup\/([^/]+)\/[^/]+$/;

/** The target group name an ALBRequestCountPerTarget ResourceLabel names. */
export function targetGroupOfLabel(label: string): string | undefined {
  return resourceLabelPattern.exec(label)?.[1];
}

/**
 * The policy a PutScalingPolicy leaves on `target` (a policy of the same name keeps its ARN and
 * creation time, as AWS updates it in place). ValidationException for what berth cannot
 * evaluate or AWS refuses, naming the field. Pure.
 */
export function putPolicy(target: ScalableTargetRecord, input: PutPolicyInput, ctx: { scope: ArnScope; nowMs: number; newId: string }): ScalingPolicyRecord {
  const type = input.PolicyType ?? "StepScaling";
  const existing = target.policies.find((p) => p.name === input.PolicyName);
  if (existing && existing.type !== type) {
    throw new ValidationException(`PolicyType: policy ${input.PolicyName} is a ${existing.type} policy; delete it before putting a ${type} policy of that name`);
  }
  const id = existing ? policyIdOf(existing.arn) : ctx.newId;
  const arn = `arn:aws:autoscaling:${ctx.scope.region}:${ctx.scope.account}:scalingPolicy:${id}:resource/ecs/${target.resourceId}:policyName/${input.PolicyName}`;
  const base = { name: input.PolicyName, arn, createdAtMs: existing?.createdAtMs ?? ctx.nowMs };
  if (type === "PredictiveScaling") throw new ValidationException("PolicyType: PredictiveScaling is not supported by berth (it forecasts from CloudWatch history berth does not keep)");
  if (type === "StepScaling") {
    if (input.TargetTrackingScalingPolicyConfiguration) throw new ValidationException("TargetTrackingScalingPolicyConfiguration: not allowed for a StepScaling policy");
    if (!input.StepScalingPolicyConfiguration) throw new ValidationException("StepScalingPolicyConfiguration is required for a StepScaling policy");
    const problem = stepConfigProblem(input.StepScalingPolicyConfiguration as StepScalingConfig);
    if (problem) throw new ValidationException(problem);
    return { ...base, type, stepScaling: input.StepScalingPolicyConfiguration, alarms: [] };
  }
  const cfg = input.TargetTrackingScalingPolicyConfiguration;
  if (!cfg) throw new ValidationException("TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling policy");
  if (input.StepScalingPolicyConfiguration) throw new ValidationException("StepScalingPolicyConfiguration: not allowed for a TargetTrackingScaling policy");
  if (cfg.CustomizedMetricSpecification !== undefined) {
    throw new ValidationException("TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification: berth tracks only its predefined metrics; use a PredefinedMetricSpecification");
  }
  const spec = cfg.PredefinedMetricSpecification;
  if (!spec) throw new ValidationException("TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification is required");
  if (!(spec.PredefinedMetricType in ecsPredefinedMetrics)) {
    throw new ValidationException(
      `TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType: ${spec.PredefinedMetricType} is not a metric of ${ecsDimension}; one of ${Object.keys(ecsPredefinedMetrics).join(", ")}`,
    );
  }
  if (spec.PredefinedMetricType === "ALBRequestCountPerTarget") {
    if (!spec.ResourceLabel || !targetGroupOfLabel(spec.ResourceLabel)) {
      throw new ValidationException("TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.ResourceLabel: ALBRequestCountPerTarget needs app/<load-balancer-name>/<id>/targetgroup/<target-group-name>/<id>");
    }
  } else if (spec.ResourceLabel !== undefined) {
    throw new ValidationException(`TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.ResourceLabel: only ALBRequestCountPerTarget takes a resource label`);
  }
  if (!(cfg.TargetValue > 0)) throw new ValidationException(`TargetTrackingScalingPolicyConfiguration.TargetValue: ${cfg.TargetValue} must be greater than 0`);
  const targetTracking: TargetTrackingConfig = {
    TargetValue: cfg.TargetValue,
    PredefinedMetricSpecification: { PredefinedMetricType: spec.PredefinedMetricType, ...(spec.ResourceLabel !== undefined && { ResourceLabel: spec.ResourceLabel }) },
    ...(cfg.ScaleOutCooldown !== undefined && { ScaleOutCooldown: cfg.ScaleOutCooldown }),
    ...(cfg.ScaleInCooldown !== undefined && { ScaleInCooldown: cfg.ScaleInCooldown }),
    ...(cfg.DisableScaleIn !== undefined && { DisableScaleIn: cfg.DisableScaleIn }),
  };
  return { ...base, type, targetTracking, alarms: trackingAlarms(ctx.scope, target.resourceId, id, cfg.DisableScaleIn === true) };
}

/**
 * The alarms AWS makes for a target tracking policy: `TargetTracking-<resource>-AlarmHigh-<uuid>`
 * and, unless scale-in is disabled, `…-AlarmLow-<uuid>`. They are not CloudWatch alarms of
 * berth's (DescribeAlarms does not list them): the scaler evaluates them itself over the
 * service's datapoints (docs/AUTOSCALING.md), under these names.
 */
export function trackingAlarms(scope: ArnScope, resourceId: string, policyId: string, disableScaleIn: boolean): PolicyAlarm[] {
  const alarm = (kind: string): PolicyAlarm => {
    const name = `TargetTracking-${resourceId}-${kind}-${policyId}`;
    return { name, arn: `arn:aws:cloudwatch:${scope.region}:${scope.account}:alarm:${name}` };
  };
  return disableScaleIn ? [alarm("AlarmHigh")] : [alarm("AlarmHigh"), alarm("AlarmLow")];
}

/** The uuid in a policy ARN (`…:scalingPolicy:<uuid>:resource/…`). */
function policyIdOf(arn: string): string {
  return /:scalingPolicy:([^:]+):/.exec(arn)?.[1] ?? arn;
}

/** The metric a target tracking policy reads. */
export function metricKindOf(p: TargetTrackingConfig): MetricKind {
  return ecsPredefinedMetrics[p.PredefinedMetricSpecification.PredefinedMetricType as keyof typeof ecsPredefinedMetrics];
}

// The Application Auto Scaling records berth stores (core/autoscaling re-exports them): a
// scalable target holds its policies and the scaler's cooldown marks, so a policy change and a
// scaling step each touch one key; activities are records of their own, bounded per target.

/** Which kinds of scaling are paused on a target (AWS's SuspendedState). */
export interface SuspendedState {
  dynamicScalingInSuspended: boolean;
  dynamicScalingOutSuspended: boolean;
  scheduledScalingSuspended: boolean;
}

/** One CloudWatch-style alarm a target tracking policy is evaluated through. */
export interface PolicyAlarm {
  name: string;
  arn: string;
}

/** A scaling policy as stored: the configuration as given (AWS shapes), its ARN and alarms. */
export interface ScalingPolicyRecord {
  name: string;
  arn: string;
  type: "TargetTrackingScaling" | "StepScaling";
  /** TargetTrackingScalingPolicyConfiguration, defaults not filled (Describe shows what was given). */
  targetTracking?: TargetTrackingConfig;
  /** StepScalingPolicyConfiguration as given; executed when an alarm naming the policy is in ALARM (docs/CLOUDWATCH.md). */
  stepScaling?: Record<string, unknown>;
  alarms: PolicyAlarm[];
  createdAtMs: number;
}

/** The target tracking configuration berth evaluates. */
export interface TargetTrackingConfig {
  TargetValue: number;
  PredefinedMetricSpecification: { PredefinedMetricType: string; ResourceLabel?: string };
  ScaleOutCooldown?: number;
  ScaleInCooldown?: number;
  DisableScaleIn?: boolean;
}

/** An ECS service's desired count registered as a scalable target. */
export interface ScalableTargetRecord {
  cluster: string;
  service: string;
  /** `service/<cluster>/<service>`. */
  resourceId: string;
  arn: string;
  minCapacity: number;
  maxCapacity: number;
  roleArn: string;
  suspendedState: SuspendedState;
  createdAtMs: number;
  policies: ScalingPolicyRecord[];
  /** When the scaler last scaled out or in: the cooldowns run from these. */
  lastScaleOutAtMs?: number;
  lastScaleInAtMs?: number;
  /** The desired count before the last step scale-out: one in its cooldown counts from there. */
  lastScaleOutFrom?: number;
}

/** One scaling activity, as DescribeScalingActivities shows it. */
export interface ScalingActivityRecord {
  /** Sorts by start time: the padded start ms, then a random suffix. */
  id: string;
  activityId: string;
  cluster: string;
  service: string;
  resourceId: string;
  description: string;
  cause: string;
  statusCode: "Pending" | "InProgress" | "Successful" | "Overridden" | "Unfulfilled" | "Failed";
  statusMessage?: string;
  startMs: number;
  endMs?: number;
}

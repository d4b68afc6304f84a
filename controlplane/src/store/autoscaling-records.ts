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
  /** Its scheduled actions, by name (absent on targets stored before they existed). */
  scheduledActions?: ScheduledActionRecord[];
  /** A scheduled action's or step policy's desired-count change not yet applied. */
  pendingDesired?: PendingDesiredChange;
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

/**
 * A scheduled action of a scalable target (PutScheduledAction), kept inside the target's record
 * so that firing it (the new min/max and the time marked handled) is one guarded write, and
 * DeregisterScalableTarget takes it along, as AWS deletes a target's scheduled actions with it.
 */
export interface ScheduledActionRecord {
  name: string;
  arn: string;
  /** `at(…)`, `rate(…)` or `cron(…)`, as given (core/schedule-expression.ts reads it). */
  schedule: string;
  /** The IANA zone given (Timezone); absent means UTC, and Describe then shows none. */
  timezone?: string;
  startTimeMs?: number;
  endTimeMs?: number;
  /** ScalableTargetAction: either or both. */
  minCapacity?: number;
  maxCapacity?: number;
  createdAtMs: number;
  /** Every scheduled time up to this one is handled (fired or passed over); no earlier time fires. */
  handledThroughMs: number;
  /** rate(): where its periods count from (StartTime, else creation or the last schedule change). */
  anchorMs: number;
  /** The last scheduled time that fired. */
  lastFiredMs?: number;
}

/**
 * A desired-count change a scheduled action or a step policy started and the leader has yet to
 * finish: written with the decision (new min/max or cooldown mark, its InProgress activity) in one
 * transaction, then applied through UpdateService and cleared with the activity's outcome. A new
 * leader finds it and finishes it instead of deciding again.
 */
export interface PendingDesiredChange {
  /** The count decided (the activity's words); applied as {@link pendingDesiredCount} says. */
  desiredCount: number;
  /** The InProgress activity's id (ScalingActivityRecord.id), to settle when done. */
  activityRecordId: string;
  /** "step": a step policy's count, set as decided; absent: a scheduled action's bound. */
  source?: "step";
}

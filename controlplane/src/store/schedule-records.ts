/**
 * What EventBridge Scheduler and EventBridge rules store: schedules, schedule groups, rules with
 * their targets. Each schedule or rule also keeps its firing state (the last scheduled time
 * fired and what that run did), written by the leader's schedule loop in guarded writes.
 */

/** The ECS part of a target, in berth's own (ECS RunTask) terms: what a firing runs. */
export interface EcsTargetParams {
  taskDefinitionArn: string;
  taskCount: number;
  launchType?: string;
  platformVersion?: string;
  group?: string;
  capacityProviderStrategy?: { capacityProvider: string; weight?: number; base?: number }[];
  networkConfiguration?: { awsvpcConfiguration?: { subnets: string[]; securityGroups?: string[]; assignPublicIp?: string } };
  placementConstraints?: { type: string; expression?: string }[];
  placementStrategy?: { type: string; field?: string }[];
  enableECSManagedTags?: boolean;
  enableExecuteCommand?: boolean;
  propagateTags?: string;
  referenceId?: string;
  tags?: { key: string; value: string }[];
}

/** One target of a schedule or rule: a berth cluster and what to run there. */
export interface ScheduledTarget {
  /** The rule target's Id (a schedule has one target, `schedule`). */
  id: string;
  /** The cluster's ARN, as given. */
  arn: string;
  cluster: string;
  roleArn?: string;
  input?: string;
  ecs: EcsTargetParams;
  /** The target exactly as the API received it, answered back by Get/List calls. */
  raw: Record<string, unknown>;
}

/** What one firing did: the tasks it started, or why it started none. */
export interface FireOutcome {
  /** The scheduled time this run was for (epoch ms). */
  scheduledMs: number;
  /** When the leader ran it. */
  firedAtMs: number;
  taskArns: string[];
  /** Why it failed (missing cluster or task definition, no capacity); absent on success. */
  error?: string;
}

/** The firing state a schedule or rule carries; only the leader's loop changes it. */
export interface FiringState {
  /**
   * Every scheduled time up to this one (epoch ms) is handled: fired, or passed over as too
   * old. Set to the creation (or last update) time at first, so no past time fires.
   */
  handledThroughMs: number;
  /** rate(): where its periods count from (StartDate, else creation or the last expression change). */
  anchorMs: number;
  lastRun?: FireOutcome;
  /** The last failed run, kept after later successes so an operator sees it. */
  lastError?: FireOutcome;
}

/** An EventBridge Scheduler schedule. */
export interface ScheduleRecord extends FiringState {
  name: string;
  groupName: string;
  arn: string;
  scheduleExpression: string;
  timezone: string;
  state: "ENABLED" | "DISABLED";
  description?: string;
  startDateMs?: number;
  endDateMs?: number;
  flexibleTimeWindow: { mode: "OFF" | "FLEXIBLE"; maximumWindowInMinutes?: number };
  actionAfterCompletion: "NONE" | "DELETE";
  kmsKeyArn?: string;
  target: ScheduledTarget;
  createdAtMs: number;
  updatedAtMs: number;
  clientToken?: string;
}

/** An EventBridge Scheduler schedule group (`default` is built in and never stored). */
export interface ScheduleGroupRecord {
  name: string;
  arn: string;
  createdAtMs: number;
  updatedAtMs: number;
  tags: { Key: string; Value: string }[];
}

/** An EventBridge rule on the default event bus, with its targets. */
export interface EventRuleRecord extends FiringState {
  name: string;
  eventBusName: string;
  arn: string;
  scheduleExpression?: string;
  eventPattern?: string;
  state: "ENABLED" | "DISABLED";
  description?: string;
  roleArn?: string;
  targets: ScheduledTarget[];
  createdAtMs: number;
}

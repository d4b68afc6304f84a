/**
 * ECS's deployment strategies beyond ROLLING (deploymentConfiguration.strategy BLUE_GREEN,
 * LINEAR, CANARY): their configuration as a service keeps it, and the progress of one
 * traffic-shifting deployment as its deployment record keeps it. The service loop's strategy
 * step (controlplane reconcile/service/strategy) moves a deployment through ECS's lifecycle
 * stages; the target-group step registers its tasks with its own target groups; the listener
 * rules named in loadBalancers[].advancedConfiguration carry the weights.
 */

/** ECS's DeploymentStrategy. */
export type DeploymentStrategyName = "ROLLING" | "BLUE_GREEN" | "LINEAR" | "CANARY";

/** ECS's DeploymentLifecycleHookStage: the stages a hook may run at. */
export type HookStage =
  | "RECONCILE_SERVICE"
  | "PRE_SCALE_UP"
  | "POST_SCALE_UP"
  | "TEST_TRAFFIC_SHIFT"
  | "POST_TEST_TRAFFIC_SHIFT"
  | "PRE_PRODUCTION_TRAFFIC_SHIFT"
  | "PRODUCTION_TRAFFIC_SHIFT"
  | "POST_PRODUCTION_TRAFFIC_SHIFT";

/** ECS's ServiceDeploymentLifecycleStage: every stage a deployment passes through. */
export type LifecycleStage =
  | "RECONCILE_SERVICE"
  | "PRE_SCALE_UP"
  | "SCALE_UP"
  | "POST_SCALE_UP"
  | "TEST_TRAFFIC_SHIFT"
  | "POST_TEST_TRAFFIC_SHIFT"
  | "PRODUCTION_TRAFFIC_SHIFT"
  | "POST_PRODUCTION_TRAFFIC_SHIFT"
  | "BAKE_TIME"
  | "CLEAN_UP";

/**
 * One lifecycle hook as a service keeps it. ECS calls a Lambda function; berth's hook target is
 * an http(s) URL (hookTargetArn) that is POSTed the Lambda payload and answers its hookStatus.
 */
export interface LifecycleHookRecord {
  hookTargetArn: string;
  lifecycleStages: HookStage[];
  roleArn?: string;
  hookDetails?: unknown;
  /** ECS's timeoutConfiguration: minutes before `action` is taken on a hook still IN_PROGRESS. */
  timeoutInMinutes?: number;
  timeoutAction?: "ROLLBACK" | "CONTINUE";
}

/** ECS's DeploymentLifecycleHookStatus (berth's URL hooks: IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT). */
export type HookStatus = "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "TIMED_OUT";

/** The hook of the current stage being called: which one, how it answered, when to call again. */
export interface HookProgress {
  /** Index into the service's lifecycleHooks. */
  hookIndex: number;
  /** The hook stage it runs for (PRE_PRODUCTION_TRAFFIC_SHIFT runs within POST_TEST_TRAFFIC_SHIFT). */
  stage: HookStage;
  /** The production step it runs at (PRODUCTION_TRAFFIC_SHIFT hooks run at every step), else -1. */
  step: number;
  status: HookStatus;
  startedAtMs: number;
  /** When an IN_PROGRESS hook is to be called again. */
  nextCallAtMs: number;
  /** hookDetails a hook returned, passed to its next call (ECS's way of keeping state between calls). */
  hookDetails?: unknown;
}

/** A traffic-shifting deployment's progress, kept on its deployment record. */
export interface TrafficShiftRecord {
  strategy: Exclude<DeploymentStrategyName, "ROLLING">;
  /** The deployment whose tasks served production when this one began (blue). */
  sourceDeploymentId: string;
  /** Per loadBalancers entry, the target group this deployment's tasks serve from (green). */
  targetGroupArns: string[];
  /** Per loadBalancers entry, the source deployment's target group (blue). */
  sourceTargetGroupArns: string[];
  stage: LifecycleStage;
  stageStartedAtMs: number;
  /** Percent of production traffic sent to this deployment's groups now (0–100). */
  productionPercent: number;
  /** Index into the strategy's production steps; -1 before the production shift began. */
  step: number;
  /** When the current step's weights were applied (its bake runs from here). */
  stepAtMs: number;
  /** Whether the test listener rules forward to this deployment's groups. */
  testRouted: boolean;
  /** The hook being called in this stage, if any. */
  hook?: HookProgress;
  /** Hooks that ran in this deployment, for DescribeServiceDeployments. */
  hookResults: { hookIndex: number; stage: HookStage; step: number; status: HookStatus; startedAtMs: number }[];
  /** Set once the deployment is rolled back: production traffic is back on the source. */
  rollback?: { reason: string; startedAtMs: number; serviceRevisionArn?: string; completedAtMs?: number };
  /**
   * When the runner last changed a listener rule for this deployment: tasks losing traffic are
   * kept until the load balancers have had time to apply it (the strategy's route settle time).
   */
  routedAtMs?: number;
  /** Set once CLEAN_UP began: the bake ended and the source's tasks are let go. */
  done?: boolean;
}

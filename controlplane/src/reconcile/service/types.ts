import type { ContainerInstanceRecord, ServiceEventRecord, ServiceRecord, StopCode, TaskRecord } from "@berth/shared";
import type { InstanceSnapshot, PlacementConstraint } from "../../scheduler/index.js";
import type { DeploymentAlarmWatch, TaskElbHealth } from "../../core/index.js";

/**
 * Everything the service planner reads, gathered by the runner in one pass over the store.
 * Plain data: the planner never reads the store or the clock.
 */
export interface ServiceSnapshot {
  service: ServiceRecord;
  /** The service's tasks (group `service:NAME`), every status, stopped ones included. */
  tasks: TaskRecord[];
  /**
   * The cluster's instances, for DRAINING and connection state, with their
   * `ecs.availability-zone` and, for a service that rebalances, whether its placement
   * constraints admit them (`eligible`; absent: not asked).
   */
  instances: (Pick<ContainerInstanceRecord, "id" | "status" | "agentConnected"> & { zone?: string; eligible?: boolean })[];
  /** Task definition ARNs whose containers define a healthCheck: their tasks must be HEALTHY to count. */
  healthCheckedDefinitions: string[];
  /**
   * A service with loadBalancers: each live task's health in its target groups, by task id (a
   * task must be healthy there to count; unhealthy past the grace period is replaced).
   */
  elbHealth?: Record<string, TaskElbHealth>;
  now: number;
  /** Seeds anything the plan picks (event ids, deployment ids). */
  seed: string;
  /** What a DAEMON service is planned against; absent for REPLICA services (and read as empty). */
  daemon?: DaemonContext;
  /** The alarms services name in deploymentConfiguration.alarms, and the bake minute (absent: none read). */
  alarms?: DeploymentAlarmWatch;
}

/** The cluster as the DAEMON scheduler sees it: which instances exist and what else runs there. */
export interface DaemonContext {
  /** Every instance of the cluster as the scheduler sees it (status, attributes, tasks held). */
  instances: InstanceSnapshot[];
  /** The PRIMARY task definition's placement constraints followed by the service's. */
  constraints: PlacementConstraint[];
  /**
   * Per instance id, tasks there not yet STOPPED that belong to no DAEMON service: a DRAINING
   * instance's daemon tasks stop only once these are gone.
   */
  otherTasks: Record<string, number>;
}

/** Tasks to start for one deployment. */
export interface StartRequest {
  deploymentId: string;
  taskDefinition: string;
  count: number;
  /** DAEMON services: one task on each of these instances (count is their number). */
  instanceIds?: string[];
  /** Place the `count` tasks on these instances only (a rebalancing start in one zone). */
  amongInstanceIds?: string[];
}

/** A task to stop and why (its stoppedReason). */
export interface StopRequest {
  taskId: string;
  reason: string;
  code: StopCode;
  /** A scale-in or deployment stop, which task scale-in protection set since the snapshot still prevents. */
  spareProtected: boolean;
}

/** What one round of the service loop should do; applying it twice changes nothing more. */
export interface ServicePlan {
  start: StartRequest[];
  stop: StopRequest[];
  /**
   * The service record to write (deployments, rollout states, failed counts, new events), or
   * undefined when it is unchanged. Events for started tasks and placement failures are added
   * by the apply step, which alone knows the task ids.
   */
  service?: ServiceRecord;
  /** For the log line of this round. */
  summary: PlanSummary;
}

export interface PlanSummary {
  desired: number;
  running: number;
  healthy: number;
  pending: number;
  start: number;
  stop: number;
}

export type { ServiceEventRecord };

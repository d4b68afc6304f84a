import type { ContainerInstanceRecord, ServiceEventRecord, ServiceRecord, StopCode, TaskRecord } from "@berth/shared";

/**
 * Everything the service planner reads, gathered by the runner in one pass over the store.
 * Plain data: the planner never reads the store or the clock.
 */
export interface ServiceSnapshot {
  service: ServiceRecord;
  /** The service's tasks (group `service:NAME`), every status, stopped ones included. */
  tasks: TaskRecord[];
  /** The cluster's instances, for DRAINING and connection state. */
  instances: Pick<ContainerInstanceRecord, "id" | "status" | "agentConnected">[];
  /** Task definition ARNs whose containers define a healthCheck: their tasks must be HEALTHY to count. */
  healthCheckedDefinitions: string[];
  now: number;
  /** Seeds anything the plan picks (event ids, deployment ids). */
  seed: string;
}

/** Tasks to start for one deployment. */
export interface StartRequest {
  deploymentId: string;
  taskDefinition: string;
  count: number;
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

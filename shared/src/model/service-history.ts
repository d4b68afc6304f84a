import type { DeploymentConfiguration, ServiceLoadBalancer } from "./service.js";
import type { HookStatus, LifecycleStage } from "./traffic-shift.js";

/**
 * ECS's service deployments and service revisions (the API of ListServiceDeployments,
 * DescribeServiceDeployments, DescribeServiceRevisions, StopServiceDeployment), kept in etcd as
 * history beside the service record: a revision is the configuration one deployment runs, a
 * service deployment is one move from the revisions that ran to a target revision, with its
 * outcome. Both outlive the service record's `deployments`, which only lists those still holding
 * tasks.
 */

/** ECS's ServiceDeploymentStatus. */
export type ServiceDeploymentStatus =
  | "PENDING"
  | "IN_PROGRESS"
  | "SUCCESSFUL"
  | "STOP_REQUESTED"
  | "STOPPED"
  | "ROLLBACK_REQUESTED"
  | "ROLLBACK_IN_PROGRESS"
  | "ROLLBACK_SUCCESSFUL"
  | "ROLLBACK_FAILED";

/** Statuses a service deployment never leaves. */
export const finalServiceDeploymentStatuses: ReadonlySet<ServiceDeploymentStatus> = new Set(["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"]);

/** One service revision: what a deployment runs, captured when the deployment was made. */
export interface ServiceRevisionRecord {
  /** 19 digits, in creation order. */
  id: string;
  arn: string;
  cluster: string;
  service: string;
  serviceArn: string;
  clusterArn: string;
  taskDefinition: string;
  launchType: "EC2" | "EXTERNAL" | "FARGATE";
  containerImages: { containerName: string; image: string }[];
  createdAtMs: number;
  /** The service's loadBalancers when the revision was made (absent: none). */
  loadBalancers?: ServiceLoadBalancer[];
  /** ECS's resolvedConfiguration: the target group each entry's tasks of this revision serve from, and its production rule. */
  resolvedLoadBalancers?: { targetGroupArn: string; productionListenerRule?: string }[];
}

/** One service deployment and how it ended (or how far it got). */
export interface ServiceDeploymentRecord {
  /** Time-ordered, ECS-looking: 21 characters of letters, digits, `-` and `_`. */
  id: string;
  arn: string;
  cluster: string;
  service: string;
  serviceArn: string;
  clusterArn: string;
  createdAtMs: number;
  startedAtMs: number;
  updatedAtMs: number;
  finishedAtMs?: number;
  stoppedAtMs?: number;
  /** The revisions that held tasks when it began, newest first. */
  sourceRevisionArns: string[];
  targetRevisionArn: string;
  status: ServiceDeploymentStatus;
  statusReason?: string;
  deploymentConfiguration: DeploymentConfiguration;
  circuitBreaker: { status: "TRIGGERED" | "MONITORING" | "MONITORING_COMPLETE" | "DISABLED"; failureCount: number; threshold: number };
  rollback?: { reason: string; startedAtMs: number; serviceRevisionArn: string };
  /** BLUE_GREEN, LINEAR and CANARY: the lifecycle stage the target deployment is in. */
  lifecycleStage?: LifecycleStage;
  /** The lifecycle hooks run so far (and the one running), as DescribeServiceDeployments shows them. */
  lifecycleHookDetails?: { hookId: string; targetArn: string; status: HookStatus; expiresAtMs?: number; timeoutAction: "ROLLBACK" | "CONTINUE" }[];
  /** ECS's ServiceDeploymentAlarms: the alarms check of the target deployment. */
  alarms?: { status: "TRIGGERED" | "MONITORING" | "MONITORING_COMPLETE" | "DISABLED"; alarmNames: string[]; triggeredAlarmNames: string[] };
}

/**
 * ECS's circuit breaker threshold: half the desired count, at least 3, at most 200 failed tasks.
 * Half of an odd count rounds up, so a deployment of 7 trips at 4 failures, never at 3.5. The
 * service planner trips the breaker at it; service deployments report it.
 */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(Math.max(Math.ceil(desiredCount * 0.5), 3), 200);
}

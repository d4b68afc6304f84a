import type { PlacementConstraint, PlacementStrategy, Tag } from "@aws-sdk/client-ecs";
import type { CapacityProviderStrategyRecord } from "./records.js";
import type { DeploymentStrategyName, LifecycleHookRecord, TrafficShiftRecord } from "./traffic-shift.js";

/**
 * A service as berth keeps it in etcd: the ECS Service fields a user set, its deployments and
 * its recent events. Running and pending counts are not stored: they are derived from the
 * service's tasks whenever they are shown or planned with, so they cannot go stale.
 */
export interface ServiceRecord {
  name: string;
  arn: string;
  cluster: string;
  clusterArn: string;
  /** ACTIVE; DRAINING while being deleted (tasks stopping); INACTIVE once gone. */
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  /** With a capacity provider strategy, the launch type its providers give (ECS then shows none). */
  launchType: "EC2" | "EXTERNAL" | "FARGATE";
  /** The strategy its tasks are placed by (CreateService's, or the cluster's default then). */
  capacityProviderStrategy?: CapacityProviderStrategyRecord[];
  /** Fargate services: the platform version asked for (LATEST unless given). */
  platformVersion?: string;
  /** The task definition ARN of the PRIMARY deployment. */
  taskDefinition: string;
  deploymentConfiguration: DeploymentConfiguration;
  placementStrategy: PlacementStrategy[];
  placementConstraints: PlacementConstraint[];
  /** PRIMARY first, then ACTIVE ones (older, still holding tasks), newest first. */
  deployments: DeploymentRecord[];
  /** Newest first, at most {@link maxServiceEvents}. */
  events: ServiceEventRecord[];
  /**
   * REPLICA keeps desiredCount tasks; DAEMON keeps one task on each ACTIVE instance meeting the
   * placement constraints, and its desiredCount is kept at the number of such instances.
   */
  schedulingStrategy: SchedulingStrategy;
  healthCheckGracePeriodSeconds?: number;
  /** ECS's availabilityZoneRebalancing: ENABLED spreads tasks evenly again when zones drift apart. */
  availabilityZoneRebalancing?: "ENABLED" | "DISABLED";
  createdAtMs: number;
  /** When DeleteService was called; an INACTIVE service is forgotten a retention after it. */
  deletedAtMs?: number;
  createdBy?: string;
  tags?: Tag[];
  /** Whose tags the service's tasks are given: its task definition's, its own, or none (absent). */
  propagateTags?: PropagateTags;
  /** Whether its tasks carry `aws:ecs:clusterName` and `aws:ecs:serviceName`. */
  enableECSManagedTags?: boolean;
  /** Passed to the tasks it starts. */
  enableExecuteCommand?: boolean;
  /** An awsvpc service's networkConfiguration as given (ECS shape), resolved again for each task it starts. */
  networkConfiguration?: { awsvpcConfiguration?: { subnets?: string[]; securityGroups?: string[]; assignPublicIp?: string } };
  /** Bumped on every change. */
  version: number;
  /** ECS's loadBalancers: the target groups its RUNNING tasks are registered with. */
  loadBalancers?: ServiceLoadBalancer[];
}

/** One of a service's loadBalancers: a target group and the container port it sends traffic to. */
export interface ServiceLoadBalancer {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
  /** ECS's advancedConfiguration: what BLUE_GREEN, LINEAR and CANARY deployments shift traffic with. */
  advancedConfiguration?: AdvancedLoadBalancerConfiguration;
}

/** The alternate target group and the listener rules (or listeners) a traffic-shifting deployment moves. */
export interface AdvancedLoadBalancerConfiguration {
  alternateTargetGroupArn: string;
  /** A rule ARN (a listener's default rule included) or a listener ARN (its default actions). */
  productionListenerRule: string;
  testListenerRule?: string;
  roleArn?: string;
}

/** ECS's propagateTags values. */
export type PropagateTags = "TASK_DEFINITION" | "SERVICE" | "NONE";

/** ECS's two service schedulers. */
export type SchedulingStrategy = "REPLICA" | "DAEMON";

/** ECS deploymentConfiguration with defaults filled (100 / 200, breaker off). */
export interface DeploymentConfiguration {
  minimumHealthyPercent: number;
  maximumPercent: number;
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  /** ECS's strategy; absent is ROLLING (records written before strategies read the same). */
  strategy?: DeploymentStrategyName;
  /** Minutes both revisions run after the production shift (BLUE_GREEN, LINEAR, CANARY). */
  bakeTimeInMinutes?: number;
  linearConfiguration?: { stepPercent: number; stepBakeTimeInMinutes: number };
  canaryConfiguration?: { canaryPercent: number; canaryBakeTimeInMinutes: number };
  lifecycleHooks?: LifecycleHookRecord[];
  /** ECS's DeploymentAlarms: CloudWatch alarms that fail (and with rollback, roll back) a deployment. */
  alarms?: DeploymentAlarmsConfiguration;
}

/** ECS's DeploymentAlarms as a service keeps it. */
export interface DeploymentAlarmsConfiguration {
  alarmNames: string[];
  enable: boolean;
  rollback: boolean;
}

/** ECS's ServiceDeploymentRollbackMonitorsStatus, as the alarms check of one deployment goes. */
export type AlarmMonitorStatus = "TRIGGERED" | "MONITORING" | "MONITORING_COMPLETE" | "DISABLED";

/**
 * How a deployment's alarms check goes: set the first round the deployment is seen rolling out
 * with alarms enabled (DISABLED then if a named alarm was already in ALARM, as ECS ignores the
 * alarms for such a deployment), and the bake once the deployment reached its steady state.
 */
export interface DeploymentAlarmMonitor {
  status: AlarmMonitorStatus;
  /** The alarm names watched (the service's when the check began). */
  alarmNames: string[];
  /** The alarms found in ALARM when the deployment failed. */
  triggeredAlarmNames?: string[];
  /** The bake after the steady state, fixed when the check began. */
  bakeMs: number;
  /** When the current bake began (the deployment's steady state); absent while not steady. */
  bakeStartedAtMs?: number;
}

export type RolloutState = "IN_PROGRESS" | "COMPLETED" | "FAILED";

/** One deployment of a service: a task definition and how many of its tasks should run. */
export interface DeploymentRecord {
  /** `ecs-svc/` and 19 digits, as ECS writes it; also the `startedBy` of its tasks. */
  id: string;
  status: "PRIMARY" | "ACTIVE" | "INACTIVE";
  taskDefinition: string;
  desiredCount: number;
  /** Tasks of this deployment that stopped before ever running (or failed health checks). */
  failedTasks: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  createdAtMs: number;
  updatedAtMs: number;
  launchType: "EC2" | "EXTERNAL" | "FARGATE";
  capacityProviderStrategy?: CapacityProviderStrategyRecord[];
  platformVersion?: string;
  /** The service revision this deployment runs (set when the deployment is first stored). */
  serviceRevisionArn?: string;
  /**
   * The service deployment this deployment carries out: its own, or, for a rollback, the one
   * that failed or was stopped, whose outcome the rollback decides.
   */
  serviceDeploymentArn?: string;
  /** Set on a rollback deployment: the id of the deployment it rolls back. */
  rollbackOf?: string;
  /**
   * The awsvpc networkConfiguration its tasks start with (ECS shows it per deployment): the
   * service's when the deployment began; UpdateService changing it starts a new deployment.
   */
  networkConfiguration?: ServiceRecord["networkConfiguration"];
  /**
   * The loadBalancers its tasks register with, once an UpdateService has changed the service's
   * (ECS starts a new deployment for that): the new deployment gets the new list and the older
   * ones keep the list they started with (`[]`: none). Absent: the service's own.
   */
  loadBalancers?: ServiceLoadBalancer[];
  /** A BLUE_GREEN, LINEAR or CANARY deployment's progress through its lifecycle stages. */
  shift?: TrafficShiftRecord;
  /** deploymentConfiguration.alarms: this deployment's alarms check and bake. */
  alarms?: DeploymentAlarmMonitor;
}

export interface ServiceEventRecord {
  id: string;
  createdAtMs: number;
  message: string;
}

/** How many events a service keeps (ECS shows the most recent 100). */
export const maxServiceEvents = 100;

/** The task `group` of a service's tasks, as ECS sets it. */
export const serviceGroup = (serviceName: string) => `service:${serviceName}`;

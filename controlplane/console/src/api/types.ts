/**
 * The parts of ECS's JSON 1.1 answers the console reads, as they arrive on the wire (times are
 * epoch seconds). Only what the pages show; the API sends more.
 */

/** A resource amount of a container instance (CPU units, MEMORY MiB, PORTS). */
export interface Resource {
  name: string;
  type?: string;
  integerValue?: number;
  stringSetValue?: string[];
}

/** A container instance attribute (`ecs.availability-zone`, ...). */
export interface Attribute {
  name: string;
  value?: string;
}

/** DescribeClusters' cluster. */
export interface Cluster {
  clusterArn: string;
  clusterName: string;
  status: string;
  registeredContainerInstancesCount?: number;
  runningTasksCount?: number;
  pendingTasksCount?: number;
  activeServicesCount?: number;
}

/** DescribeContainerInstances' instance. */
export interface ContainerInstance {
  containerInstanceArn: string;
  ec2InstanceId?: string;
  status: string;
  agentConnected?: boolean;
  runningTasksCount?: number;
  pendingTasksCount?: number;
  registeredResources?: Resource[];
  remainingResources?: Resource[];
  attributes?: Attribute[];
  versionInfo?: { agentVersion?: string; dockerVersion?: string };
  registeredAt?: number;
}

/** A container's published port. */
export interface NetworkBinding {
  bindIP?: string;
  containerPort?: number;
  hostPort?: number;
  protocol?: string;
}

/** A task's container as DescribeTasks reports it. */
export interface Container {
  name: string;
  lastStatus?: string;
  exitCode?: number;
  reason?: string;
  healthStatus?: string;
  networkBindings?: NetworkBinding[];
  networkInterfaces?: { privateIpv4Address?: string }[];
}

/** DescribeTasks' task. */
export interface Task {
  taskArn: string;
  taskDefinitionArn?: string;
  clusterArn?: string;
  containerInstanceArn?: string;
  lastStatus?: string;
  desiredStatus?: string;
  group?: string;
  launchType?: string;
  cpu?: string;
  memory?: string;
  stopCode?: string;
  stoppedReason?: string;
  createdAt?: number;
  startedAt?: number;
  stoppedAt?: number;
  containers?: Container[];
  attachments?: { type?: string; details?: { name?: string; value?: string }[] }[];
}

/** One deployment of a service. */
export interface Deployment {
  id: string;
  status: string;
  taskDefinition?: string;
  desiredCount?: number;
  runningCount?: number;
  pendingCount?: number;
  failedTasks?: number;
  rolloutState?: string;
  rolloutStateReason?: string;
  createdAt?: number;
  updatedAt?: number;
}

/** One service event, in ECS's wording. */
export interface ServiceEvent {
  id?: string;
  createdAt?: number;
  message?: string;
}

/** DescribeServices' service. */
export interface Service {
  serviceArn: string;
  serviceName: string;
  status: string;
  desiredCount?: number;
  runningCount?: number;
  pendingCount?: number;
  launchType?: string;
  schedulingStrategy?: string;
  taskDefinition?: string;
  deployments?: Deployment[];
  events?: ServiceEvent[];
  placementStrategy?: { type?: string; field?: string }[];
  placementConstraints?: { type?: string; expression?: string }[];
  deploymentConfiguration?: {
    minimumHealthyPercent?: number;
    maximumPercent?: number;
    deploymentCircuitBreaker?: { enable?: boolean; rollback?: boolean };
    strategy?: string;
  };
  deploymentController?: { type?: string };
  loadBalancers?: { targetGroupArn?: string; loadBalancerName?: string; containerName?: string; containerPort?: number }[];
  createdAt?: number;
}

/** An Application Auto Scaling scalable target of a service (that API's PascalCase), when it is served. */
export interface ScalableTarget {
  ResourceId: string;
  MinCapacity?: number;
  MaxCapacity?: number;
  ScalableDimension?: string;
}

/** An Application Auto Scaling policy. */
export interface ScalingPolicy {
  PolicyName: string;
  PolicyType?: string;
  TargetTrackingScalingPolicyConfiguration?: { TargetValue?: number; PredefinedMetricSpecification?: { PredefinedMetricType?: string } };
}

/** The samples of `GET /berth/v1/task-stats`. */
export interface TaskStats {
  samples: { timestamp: number; containers: { name: string; cpuPercent?: number; memoryBytes?: number }[] }[];
}

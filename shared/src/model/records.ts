import type {
  Attribute,
  ClusterConfiguration,
  ContainerDefinition,
  KeyValuePair,
  NetworkBinding,
  Tag,
  TaskDefinition,
  TaskOverride,
} from "@aws-sdk/client-ecs";
import type { Resources } from "./resources.js";

/**
 * What berth keeps in etcd, one record type per kind. Records hold the ECS fields a Describe
 * returns plus what berth needs internally; timestamps are epoch milliseconds (the API edge
 * turns them into ECS's epoch seconds).
 */

export type ClusterStatus = "ACTIVE" | "INACTIVE";

export interface ClusterRecord {
  name: string;
  arn: string;
  status: ClusterStatus;
  createdAt: number;
  tags?: Tag[];
  settings?: { name: string; value: string }[];
  /** ECS's ClusterConfiguration (execute command, managed storage) as set; berth stores and echoes it. */
  configuration?: ClusterConfiguration;
  /** The default Service Connect namespace as given (berth has no Cloud Map to create it in). */
  serviceConnectDefaults?: { namespace: string };
  /**
   * The capacity providers associated with it (PutClusterCapacityProviders); absent means
   * FARGATE and FARGATE_SPOT, which every cluster has from its creation.
   */
  capacityProviders?: string[];
  /** The strategy used when RunTask and CreateService give neither a launch type nor a strategy. */
  defaultCapacityProviderStrategy?: CapacityProviderStrategyRecord[];
}

/** One capacity provider strategy item, base and weight filled in (ECS defaults them to 0). */
export interface CapacityProviderStrategyRecord {
  capacityProvider: string;
  base: number;
  weight: number;
}

/**
 * An EC2 capacity provider: berth has no Auto Scaling groups, so its capacity is the container
 * instances carrying the attribute `berth.capacity-provider` with its name as the value (see
 * {@link CAPACITY_PROVIDER_ATTRIBUTE}); the autoScalingGroupProvider is stored and echoed.
 */
export interface CapacityProviderRecord {
  name: string;
  arn: string;
  status: "ACTIVE" | "INACTIVE";
  autoScalingGroupProvider?: {
    autoScalingGroupArn: string;
    managedScaling?: Record<string, unknown>;
    managedTerminationProtection?: string;
    managedDraining?: string;
  };
  updateStatus?: "DELETE_COMPLETE" | "UPDATE_COMPLETE";
  tags?: Tag[];
  createdAtMs: number;
  version: number;
  /** Managed scaling's marks, per cluster the provider serves (docs/CLUSTER-AUTOSCALING.md). */
  scaling?: Record<string, ProviderScalingRecord>;
}

/**
 * What managed scaling remembers of one provider in one cluster between rounds, in etcd so a
 * new leader carries on: the last scale-out (the warmup and the nodes still joining), since
 * when the provider has had idle instances (scale-in waits), and the instances it is draining
 * to remove.
 */
export interface ProviderScalingRecord {
  /** When the last add was asked for, and how many nodes it asked for. */
  lastScaleOutAtMs?: number;
  lastScaleOutCount?: number;
  /** Since when every round has found more instances than the target needs. */
  surplusSinceMs?: number;
  /** The smallest node seen (cpu units, MiB): what a new node is expected to hold once none is left to measure. */
  nodeSize?: { cpu: number; memory: number };
  /** Instances set DRAINING to be removed: deregistered and handed to the node provider once idle. */
  removing?: { instanceId: string; sinceMs: number; node?: { arn: string; hostname: string; nodeName?: string } }[];
}

/** The container instance attribute that marks an agent started in Fargate mode (value "true"). */
export const FARGATE_ATTRIBUTE = "berth.fargate";

/** The container instance attribute naming the EC2 capacity provider an instance belongs to. */
export const CAPACITY_PROVIDER_ATTRIBUTE = "berth.capacity-provider";

export type TaskDefinitionStatus = "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS";

/**
 * A registered task definition: the ECS TaskDefinition shape exactly as registered (so describe
 * answers what the user sent), with arn, revision, status and timestamps filled in.
 */
export interface TaskDefinitionRecord extends TaskDefinition {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: TaskDefinitionStatus;
  containerDefinitions: ContainerDefinition[];
  registeredAtMs: number;
  deregisteredAtMs?: number;
  /** When DeleteTaskDefinitions moved it to DELETE_IN_PROGRESS (ECS's deleteRequestedAt). */
  deleteRequestedAtMs?: number;
  tags?: Tag[];
}

/** ECS container instance status. */
export type InstanceStatus = "REGISTERING" | "ACTIVE" | "DRAINING" | "INACTIVE" | "DEREGISTERING";

/** What placement constraints ask of a task that holds resources on an instance. */
export interface HeldTask {
  id: string;
  family: string;
  /** `family:NAME`, `service:NAME` or the RunTask group. */
  group?: string;
  taskDefinitionArn: string;
  /** An awsvpc task's private IPv4 address and subnet: placement picks free ones from these. */
  ip?: string;
  subnetId?: string;
}

/** A block of a subnet handed to one instance; its awsvpc tasks get their addresses from it. */
export interface IpBlock {
  subnetId: string;
  /** e.g. `172.31.0.64/26`; its first address is the instance's bridge gateway. */
  cidr: string;
}

export interface ContainerInstanceRecord {
  id: string;
  arn: string;
  cluster: string;
  status: InstanceStatus;
  /** Whether an agent session is held; liveness is the session lease, this is its last word. */
  agentConnected: boolean;
  registered: Resources;
  remaining: Resources;
  /**
   * The tasks holding resources here (placed, not yet released), changed in the same guarded
   * writes as `remaining`, so placement reads the instances alone and never the cluster's whole
   * task history. Absent on records written before it existed: placement then reads the tasks,
   * and the agent's next registration fills it in.
   */
  heldTasks?: HeldTask[];
  /** The subnet blocks this instance's awsvpc tasks take their addresses from (see core/vpc/ipam.ts). */
  ipBlocks?: IpBlock[];
  attributes: Attribute[];
  hostname: string;
  hostIp: string;
  /**
   * The agent's introspection server (/metrics): its port, and its address when that is not
   * `hostIp` (a server bound to one address). Absent on records from agents before it was sent.
   */
  introspectionPort?: number;
  introspectionHost?: string;
  agentVersion: string;
  dockerVersion: string;
  registeredAtMs: number;
  /** When it was deregistered (INACTIVE); INACTIVE records are forgotten after a retention. */
  deregisteredAtMs?: number;
  lastHeartbeatAtMs?: number;
  /**
   * When the agent's session was last seen ending (unset while connected). The liveness loop
   * marks the instance's tasks lost once this is older than the grace period.
   */
  disconnectedAtMs?: number;
  /**
   * Since when the agent has reported its container runtime unreachable (unset while healthy);
   * placement skips the instance and, after the grace period, its tasks are marked lost.
   */
  runtimeUnhealthySinceMs?: number;
  /** What the agent said about its runtime when it last reported it unhealthy. */
  runtimeError?: string;
  /** Bumped on every change so DescribeContainerInstances shows ECS's `version`. */
  version: number;
  tags?: Tag[];
}

/** Task statuses a user sees (ECS lastStatus / desiredStatus values). */
export type TaskStatus =
  | "PROVISIONING"
  | "PENDING"
  | "ACTIVATING"
  | "RUNNING"
  | "DEACTIVATING"
  | "STOPPING"
  | "DEPROVISIONING"
  | "STOPPED";

/** Why a task stopped, ECS's `stopCode`. */
export type StopCode =
  | "TaskFailedToStart"
  | "EssentialContainerExited"
  | "UserInitiated"
  | "ServiceSchedulerInitiated"
  | "SpotInterruption"
  | "TerminationNotice";

export interface TaskContainerRecord {
  name: string;
  containerArn: string;
  image: string;
  runtimeId?: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
  networkBindings: NetworkBinding[];
  healthStatus?: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  imageDigest?: string;
  /** From the task definition (ECS's default true); absent on records from before the field. */
  essential?: boolean;
  /** When the container started running, as its agent reported; absent while it never has. */
  startedAtMs?: number;
}

export interface TaskRecord {
  id: string;
  arn: string;
  cluster: string;
  clusterArn: string;
  taskDefinitionArn: string;
  family: string;
  revision: number;
  containerInstanceId: string;
  containerInstanceArn: string;
  launchType: "EC2" | "EXTERNAL" | "FARGATE";
  desiredStatus: "RUNNING" | "STOPPED";
  lastStatus: TaskStatus;
  /** What placement charged the instance; given back when the task stops. */
  reserved: Resources;
  /** Whether `reserved` has been given back to the instance (exactly once). */
  released: boolean;
  containers: TaskContainerRecord[];
  overrides?: TaskOverride;
  startedBy?: string;
  group?: string;
  cpu?: string;
  memory?: string;
  createdAtMs: number;
  /** When the task's agent first reported on it (ECS's `connectivityAt`: CONNECTED since). */
  connectivityAtMs?: number;
  pullStartedAtMs?: number;
  pullStoppedAtMs?: number;
  startedAtMs?: number;
  stoppingAtMs?: number;
  stoppedAtMs?: number;
  executionStoppedAtMs?: number;
  stoppedReason?: string;
  stopCode?: StopCode;
  /** Bumped on every change: ECS's task `version`. */
  version: number;
  tags?: Tag[];
  /** The instance's `ecs.availability-zone` when the task was placed. */
  availabilityZone?: string;
  /** ECS's task attributes: the instance's `ecs.cpu-architecture` when the task was placed. */
  attributes?: Attribute[];
  /** RunTask's, StartTask's or the service's `enableExecuteCommand`, shown by DescribeTasks. */
  enableExecuteCommand?: boolean;
  /**
   * The hash of the RunTask clientToken it was started under, written with the task itself, so
   * a repeat that takes over a first call that died finds the tasks that call placed.
   */
  runTokenHash?: string;
  /** Task scale-in protection (UpdateTaskProtection); absent when it was never set or was turned off. */
  protection?: TaskProtectionRecord;
  /** The capacity provider it was placed through (FARGATE, FARGATE_SPOT or an EC2 provider). */
  capacityProviderName?: string;
  /** Fargate tasks: the platform version it runs on (LATEST resolved) and its family. */
  platformVersion?: string;
  platformFamily?: string;
  /** Fargate tasks: the ephemeral storage it was given, in GiB (20 unless asked for more). */
  ephemeralStorageGiB?: number;
  /** An awsvpc task's interface: placement picks its subnet and address, the agent reports its MAC. */
  network?: TaskNetworkRecord;
  /**
   * Present while a stop waits for the task's load balancer targets to drain (lastStatus
   * DEACTIVATING): the desired status is STOPPED, but the agent is not told until the leader
   * lifts the gate, so the containers serve their in-flight requests meanwhile.
   */
  drain?: TaskDrainRecord;
  /**
   * Present while the task waits in PROVISIONING for a managed-scaling capacity provider to get
   * room (containerInstanceId and containerInstanceArn are "" until it is placed).
   */
  provisioning?: TaskProvisioningRecord;
}

/** What a PROVISIONING task needs to be placed later: how its request wanted it placed. */
export interface TaskProvisioningRecord {
  sinceMs: number;
  placementStrategy?: { type: string; field?: string }[];
  placementConstraints?: { type: string; expression?: string }[];
}

/** A stop held back while the task's targets drain (connection draining, ECS's DEACTIVATING). */
export interface TaskDrainRecord {
  /** When the stop was asked for. */
  sinceMs: number;
  /** The target groups the task was registered in when it was asked to stop. */
  targetGroupArns: string[];
  /** The latest the gate holds, whatever the targets show (the groups' longest delay, plus slack). */
  untilMs: number;
}

/**
 * The desired status the task's agent is told: RUNNING while a stop waits for the task's targets
 * to drain, the record's desired status otherwise.
 */
export function dispatchedDesiredStatus(t: Pick<TaskRecord, "desiredStatus" | "drain">): "RUNNING" | "STOPPED" {
  return t.drain ? "RUNNING" : t.desiredStatus;
}

/**
 * An awsvpc task's elastic network interface as berth models it: a veth on the host's task bridge
 * with an address of one subnet block of that host. Shown as ECS's ElasticNetworkInterface attachment.
 */
export interface TaskNetworkRecord {
  attachmentId: string;
  /** `eni-` and 17 hex digits, as EC2 names interfaces. */
  networkInterfaceId: string;
  subnetId: string;
  subnetCidr: string;
  /** The instance's block the address is from; routes between hosts go by blocks. */
  blockCidr: string;
  privateIpv4Address: string;
  securityGroupIds: string[];
  /** Reported by the agent once the interface is up in the task's namespace. */
  macAddress?: string;
  attachedAtMs?: number;
}

/**
 * A service task's scale-in protection: while it holds (`now < expiresAtMs`) the service
 * scheduler stops the task neither for scale-in nor for a deployment. It lapses by itself at
 * `expiresAtMs`; nothing rewrites the record then.
 */
export interface TaskProtectionRecord {
  expiresAtMs: number;
}

export type { Attribute, KeyValuePair, NetworkBinding, Tag, TaskOverride, ContainerDefinition, TaskDefinition };

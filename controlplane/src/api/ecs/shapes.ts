import type {
  Cluster,
  Container,
  ContainerInstance,
  Resource,
  Task,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import { normalizeTaskCpu, normalizeTaskMemory, taskHealthStatus, type ClusterRecord, type ContainerInstanceRecord, type Resources, type TaskDefinitionRecord, type TaskRecord } from "@berth/shared";
import { clusterProviders, containerNetworkInterfaces, eniAttachment, type ClusterCounts } from "../../core/index.js";

/**
 * Records to ECS response shapes. AWS JSON 1.1 sends timestamps as epoch seconds; the SDK types
 * say Date, so values are cast at this one edge.
 */
type Wire<T> = { [K in keyof T]: T[K] extends Date | undefined ? number | undefined : T[K] };

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export function clusterShape(c: ClusterRecord, counts?: ClusterCounts): Wire<Cluster> {
  return {
    clusterArn: c.arn,
    clusterName: c.name,
    status: c.status,
    registeredContainerInstancesCount: counts?.registeredContainerInstancesCount ?? 0,
    runningTasksCount: counts?.runningTasksCount ?? 0,
    pendingTasksCount: counts?.pendingTasksCount ?? 0,
    activeServicesCount: counts?.activeServicesCount ?? 0,
    statistics: [],
    tags: c.tags ?? [],
    settings: (c.settings ?? [{ name: "containerInsights", value: "disabled" }]) as Cluster["settings"],
    ...(c.configuration ? { configuration: c.configuration } : {}),
    ...(c.serviceConnectDefaults ? { serviceConnectDefaults: c.serviceConnectDefaults } : {}),
    capacityProviders: clusterProviders(c),
    defaultCapacityProviderStrategy: c.defaultCapacityProviderStrategy ?? [],
  };
}

/** A task definition as DescribeTaskDefinition shows it: what was registered, plus ECS's fields. */
export function taskDefinitionShape(td: TaskDefinitionRecord): Wire<TaskDefinition> {
  const { registeredAtMs, deregisteredAtMs, deleteRequestedAtMs, tags: _tags, ...rest } = td;
  return {
    ...(rest as Wire<TaskDefinition>),
    // COMPAT(berth 0.1): revisions registered before registration converted cpu/memory hold
    // "1 vCPU" or "2 GB"; show them in ECS's units too.
    cpu: normalizeTaskCpu(td.cpu),
    memory: normalizeTaskMemory(td.memory),
    registeredAt: seconds(registeredAtMs),
    deregisteredAt: seconds(deregisteredAtMs),
    deleteRequestedAt: seconds(deleteRequestedAtMs),
  };
}

function resourceList(r: Resources): Resource[] {
  return [
    { name: "CPU", type: "INTEGER", integerValue: r.cpu, doubleValue: 0, longValue: 0 },
    { name: "MEMORY", type: "INTEGER", integerValue: r.memory, doubleValue: 0, longValue: 0 },
    { name: "PORTS", type: "STRINGSET", stringSetValue: r.ports.map(String), doubleValue: 0, longValue: 0, integerValue: 0 },
    { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: r.portsUdp.map(String), doubleValue: 0, longValue: 0, integerValue: 0 },
  ];
}

export function containerInstanceShape(i: ContainerInstanceRecord, counts: { running: number; pending: number }): Wire<ContainerInstance> {
  return {
    containerInstanceArn: i.arn,
    ec2InstanceId: i.hostname,
    version: i.version,
    versionInfo: { agentVersion: i.agentVersion, agentHash: "", dockerVersion: `DockerVersion: ${i.dockerVersion}` },
    remainingResources: resourceList(i.remaining),
    registeredResources: resourceList(i.registered),
    status: i.status,
    agentConnected: i.agentConnected,
    runningTasksCount: counts.running,
    pendingTasksCount: counts.pending,
    attributes: i.attributes,
    registeredAt: seconds(i.registeredAtMs),
    healthStatus: instanceHealth(i),
    attachments: [],
    tags: i.tags ?? [],
  };
}

/** ECS's instance health: the CONTAINER_RUNTIME check, IMPAIRED while the agent cannot reach Docker. */
function instanceHealth(i: ContainerInstanceRecord): Wire<ContainerInstance>["healthStatus"] {
  const impaired = i.runtimeUnhealthySinceMs !== undefined;
  const status = impaired ? "IMPAIRED" : "OK";
  return {
    overallStatus: status,
    details: [{ type: "CONTAINER_RUNTIME", status, lastStatusChange: impaired ? (seconds(i.runtimeUnhealthySinceMs) as never) : undefined }],
  };
}

function containerShape(t: TaskRecord, c: TaskRecord["containers"][number]): Container {
  return {
    containerArn: c.containerArn,
    taskArn: t.arn,
    name: c.name,
    image: c.image,
    imageDigest: c.imageDigest,
    runtimeId: c.runtimeId,
    lastStatus: c.lastStatus,
    exitCode: c.exitCode,
    reason: c.reason,
    networkBindings: c.networkBindings,
    networkInterfaces: t.network ? containerNetworkInterfaces(t.network) : [],
    healthStatus: c.healthStatus ?? "UNKNOWN",
    cpu: c.cpu === undefined ? "0" : String(c.cpu),
    memory: c.memory === undefined ? undefined : String(c.memory),
    memoryReservation: c.memoryReservation === undefined ? undefined : String(c.memoryReservation),
  };
}

/**
 * A task as DescribeTasks shows it for the EC2 launch type: what placement recorded (zone,
 * architecture attribute, cpu/memory in ECS's units), the agent's timestamps, and CONNECTED
 * from the agent's first report on. Fargate-only fields (platformVersion, platformFamily,
 * ephemeralStorage) are shown for FARGATE tasks only, as ECS leaves them out for EC2 tasks;
 * capacityProviderName for tasks a capacity provider placed.
 */
export function taskShape(t: TaskRecord, includeTags = false): Wire<Task> {
  // COMPAT(berth 0.1): records from before connectivityAtMs count from the task's start.
  const connectivityAtMs = t.connectivityAtMs ?? t.startedAtMs;
  return {
    taskArn: t.arn,
    clusterArn: t.clusterArn,
    taskDefinitionArn: t.taskDefinitionArn,
    // ECS's Fargate tasks have no container instance: the Fargate agent stays berth's own business.
    containerInstanceArn: t.launchType === "FARGATE" || t.containerInstanceArn === "" ? undefined : t.containerInstanceArn,
    overrides: t.overrides ?? { containerOverrides: [], inferenceAcceleratorOverrides: [] },
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    cpu: normalizeTaskCpu(t.cpu),
    memory: normalizeTaskMemory(t.memory),
    containers: t.containers.map((c) => containerShape(t, c)),
    startedBy: t.startedBy,
    group: t.group,
    version: t.version,
    stoppedReason: t.stoppedReason,
    stopCode: t.stopCode,
    connectivity: connectivityAtMs ? "CONNECTED" : undefined,
    connectivityAt: seconds(connectivityAtMs),
    createdAt: seconds(t.createdAtMs),
    pullStartedAt: seconds(t.pullStartedAtMs),
    pullStoppedAt: seconds(t.pullStoppedAtMs),
    startedAt: seconds(t.startedAtMs),
    stoppingAt: seconds(t.stoppingAtMs),
    stoppedAt: seconds(t.stoppedAtMs),
    executionStoppedAt: seconds(t.executionStoppedAtMs),
    launchType: t.launchType,
    healthStatus: taskHealthStatus(t),
    // The region is the task ARN's own (arn:aws:ecs:REGION:…), as its interface's DNS name.
    attachments: t.network ? [eniAttachment(t.network, t.lastStatus, t.arn.split(":")[3])] : [],
    availabilityZone: t.availabilityZone,
    attributes: t.attributes ?? [],
    tags: includeTags ? (t.tags ?? []) : undefined,
    enableExecuteCommand: t.enableExecuteCommand ?? false,
    capacityProviderName: t.capacityProviderName,
    ...(t.launchType === "FARGATE" && {
      platformVersion: t.platformVersion,
      platformFamily: t.platformFamily ?? "Linux",
      ephemeralStorage: { sizeInGiB: t.ephemeralStorageGiB ?? 20 },
    }),
  };
}

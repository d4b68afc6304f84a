import {
  clusterArn,
  containerArn,
  normalizeTaskCpu,
  normalizeTaskMemory,
  subtract,
  taskArn,
  type ContainerInstanceRecord,
  type HeldTask,
  type Resources,
  type TaskDefinitionRecord,
  type TaskOverride,
  type TaskRecord,
  type Tag,
} from "@berth/shared";

/** What a new task carries besides its definition and placement. */
export interface NewTaskOptions {
  overrides?: TaskOverride;
  startedBy?: string;
  group?: string;
  tags?: Tag[];
  launchType?: TaskRecord["launchType"];
  enableExecuteCommand?: boolean;
  /** The RunTask clientToken's hash the task is started under (see run-tokens.ts). */
  runTokenHash?: string;
  /** The capacity provider the task is placed through, when a strategy placed it. */
  capacityProviderName?: string;
  /** Fargate tasks: the platform version (LATEST resolved) and ephemeral storage in GiB. */
  platformVersion?: string;
  ephemeralStorageGiB?: number;
}

/** The instance attributes ECS copies onto a task placed there, as task attributes. */
const taskAttributeNames = ["ecs.cpu-architecture"];

/**
 * A fresh task record for `td` placed on `instance`, PENDING with nothing started yet. It keeps
 * what ECS shows of the placement: the instance's availability zone and its CPU architecture
 * (as the task's `attributes`), and task cpu/memory in ECS's units (an override of "1 vCPU"
 * reads "1024", as the definition's does).
 */
export function newTaskRecord(
  ctx: { scope: { region: string; account: string }; now: () => number },
  id: string,
  td: TaskDefinitionRecord,
  instance: ContainerInstanceRecord,
  reserved: Resources,
  opts: NewTaskOptions,
): TaskRecord {
  const cluster = instance.cluster;
  const overridesByName = new Map((opts.overrides?.containerOverrides ?? []).map((o) => [o.name, o]));
  return {
    id,
    arn: taskArn(ctx.scope, cluster, id),
    cluster,
    clusterArn: clusterArn(ctx.scope, cluster),
    taskDefinitionArn: td.taskDefinitionArn,
    family: td.family,
    revision: td.revision,
    containerInstanceId: instance.id,
    containerInstanceArn: instance.arn,
    launchType: opts.launchType ?? "EC2",
    desiredStatus: "RUNNING",
    lastStatus: "PENDING",
    reserved,
    released: false,
    containers: td.containerDefinitions.map((c) => {
      const o = overridesByName.get(c.name);
      return {
        name: c.name ?? "",
        containerArn: containerArn(ctx.scope, cluster, id, c.name ?? ""),
        image: c.image ?? "",
        lastStatus: "PENDING",
        networkBindings: [],
        cpu: o?.cpu ?? c.cpu,
        memory: o?.memory ?? c.memory,
        memoryReservation: o?.memoryReservation ?? c.memoryReservation,
        essential: c.essential ?? true,
      };
    }),
    overrides: opts.overrides,
    startedBy: opts.startedBy,
    group: opts.group ?? `family:${td.family}`,
    cpu: normalizeTaskCpu(opts.overrides?.cpu ?? td.cpu),
    memory: normalizeTaskMemory(opts.overrides?.memory ?? td.memory),
    createdAtMs: ctx.now(),
    version: 1,
    tags: opts.tags,
    enableExecuteCommand: opts.enableExecuteCommand,
    runTokenHash: opts.runTokenHash,
    ...(opts.capacityProviderName !== undefined && { capacityProviderName: opts.capacityProviderName }),
    ...(opts.platformVersion !== undefined && { platformVersion: opts.platformVersion, platformFamily: "Linux" }),
    ...(opts.ephemeralStorageGiB !== undefined && { ephemeralStorageGiB: opts.ephemeralStorageGiB }),
    availabilityZone: instance.attributes.find((a) => a.name === "ecs.availability-zone")?.value,
    attributes: instance.attributes.filter((a) => taskAttributeNames.includes(a.name ?? "")).map((a) => ({ name: a.name, value: a.value })),
  };
}

/** True while a task holds its reservation on an instance. */
export const holdsResources = (t: TaskRecord) => !t.released;

/** What an instance record keeps of a task holding resources on it (see `heldTasks`). */
export const heldTaskOf = (t: TaskRecord): HeldTask => ({
  id: t.id,
  family: t.family,
  group: t.group,
  taskDefinitionArn: t.taskDefinitionArn,
  ...(t.network ? { ip: t.network.privateIpv4Address, subnetId: t.network.subnetId } : {}),
});

/**
 * The instance with `tasks` placed on it: their reservations taken from what remains, and each
 * listed in `heldTasks` (a record from before that field stays without it: its next
 * registration rebuilds it). Every placement path charges an instance through this (pure).
 */
export function chargeInstance(instance: ContainerInstanceRecord, tasks: readonly TaskRecord[]): ContainerInstanceRecord {
  return {
    ...instance,
    remaining: tasks.reduce((r, t) => subtract(r, t.reserved), instance.remaining),
    heldTasks: instance.heldTasks && [...instance.heldTasks, ...tasks.map(heldTaskOf)],
  };
}

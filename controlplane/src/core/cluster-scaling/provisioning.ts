import { ConflictError, groupBy, newId, taskReservation, type CapacityProviderRecord, type ContainerInstanceRecord, type Resources, type TaskDefinitionRecord, type TaskProvisioningRecord, type TaskRecord } from "@berth/shared";
import { defaultRunTaskStrategy, type PlacementConstraint, type PlacementStrategy } from "../../scheduler/index.js";
import { maxStagedOps, type Versioned } from "../../store/index.js";
import { readInstances, readTasks } from "../cache/reads.js";
import { servesTarget, targetOf } from "../capacity-launch.js";
import { isFargateProvider } from "../capacity-strategy.js";
import type { CoreContext } from "../context.js";
import { planBatch, type BatchItem } from "../placement/batch-plan.js";
import type { RunTasksRequest } from "../placement/types.js";
import { chargeInstance, newTaskRecord, type NewTaskOptions } from "../task-records.js";
import { stoppedWithoutAgent, updateTask } from "../task-state.js";

/**
 * PROVISIONING tasks: what ECS does with tasks that fit nowhere when their capacity provider has
 * managed scaling. Instead of failing placement, RunTask (and a service's round) writes them
 * with no instance; each managed-scaling round places those that now fit, and stops those that
 * waited longer than the timeout.
 */

/** Whether `p` scales itself: an EC2 provider with managedScaling ENABLED. */
export function isManagedScaling(p: CapacityProviderRecord | undefined): p is CapacityProviderRecord {
  return p?.status === "ACTIVE" && p.autoScalingGroupProvider?.managedScaling?.status === "ENABLED";
}

/** The managed-scaling providers among `names`, by name (Fargate's are never). */
export async function managedScalingProviders(ctx: CoreContext, names: readonly string[]): Promise<Map<string, CapacityProviderRecord>> {
  const out = new Map<string, CapacityProviderRecord>();
  for (const name of names) {
    if (isFargateProvider(name)) continue;
    const rec = (await ctx.store.capacityProviders.get(name))?.value;
    if (isManagedScaling(rec)) out.set(name, rec);
  }
  return out;
}

/** ECS's quota of tasks in the PROVISIONING state per cluster; what would go over it fails placement as before. */
export const maxProvisioningTasks = 500;

/** How many more tasks may wait in PROVISIONING in `cluster` (see {@link maxProvisioningTasks}). */
export async function provisioningRoom(ctx: CoreContext, cluster: string): Promise<number> {
  return provisioningRoomAmong((await readTasks(ctx, cluster)).items.map((t) => t.value));
}

/** Whether tasks of `req` may wait in PROVISIONING (awsvpc tasks and StartTask's named instances never do). */
export function mayProvision(req: RunTasksRequest): boolean {
  return !req.awsvpc && !req.onlyInstanceIds;
}

/** What a PROVISIONING task keeps of its request to be placed by later. */
export interface ProvisioningRequest {
  cluster: string;
  taskDefinition: TaskDefinitionRecord;
  reserved: Resources;
  options: NewTaskOptions;
  placementStrategy?: TaskProvisioningRecord["placementStrategy"];
  placementConstraints?: TaskProvisioningRecord["placementConstraints"];
}

/**
 * A PROVISIONING task of `provider` (pure): no instance, nothing reserved on any (released), the
 * reservation kept to place it by, and the request's placement kept.
 */
export function provisioningTask(clock: { scope: { region: string; account: string }; now: () => number }, id: string, req: ProvisioningRequest, provider: string): TaskRecord {
  // newTaskRecord reads only these fields of the instance: "" marks a task placed nowhere yet.
  const unplaced = { id: "", arn: "", cluster: req.cluster, attributes: [] } as unknown as ContainerInstanceRecord;
  const t = newTaskRecord(clock, id, req.taskDefinition, unplaced, req.reserved, { ...req.options, launchType: "EC2", capacityProviderName: provider });
  return {
    ...t,
    lastStatus: "PROVISIONING",
    released: true,
    availabilityZone: undefined,
    attributes: [],
    provisioning: {
      sinceMs: clock.now(),
      ...(req.placementStrategy && { placementStrategy: req.placementStrategy }),
      ...(req.placementConstraints && { placementConstraints: req.placementConstraints }),
    },
  };
}

/** How many more tasks may wait in PROVISIONING among `tasks` (a cluster's), pure. */
export function provisioningRoomAmong(tasks: readonly TaskRecord[]): number {
  return Math.max(0, maxProvisioningTasks - tasks.filter((t) => isProvisioning(t)).length);
}

/** Writes `count` PROVISIONING tasks of `req` for `provider` (RunTask's; a service round writes its own in its write set). */
export async function createProvisioningTasks(ctx: CoreContext, req: RunTasksRequest, provider: string, count: number): Promise<TaskRecord[]> {
  const request: ProvisioningRequest = {
    cluster: req.cluster,
    taskDefinition: req.taskDefinition,
    reserved: taskReservation(req.taskDefinition, req.overrides),
    options: req,
    placementStrategy: req.placementStrategy,
    placementConstraints: req.placementConstraints,
  };
  const tasks = Array.from({ length: count }, () => provisioningTask(ctx, newId(), request, provider));
  for (let i = 0; i < tasks.length; i += maxStagedOps) {
    const txn = ctx.store.txn();
    for (const t of tasks.slice(i, i + maxStagedOps)) ctx.store.tasks.stageCreate(txn, t);
    await ctx.store.commit(txn);
  }
  for (const t of tasks) ctx.log.info("task provisioning", { taskArn: t.arn, cluster: t.cluster, capacityProvider: provider });
  return tasks;
}

/** Whether a task waits in PROVISIONING for a managed-scaling provider. */
export const isProvisioning = (t: TaskRecord): boolean => t.lastStatus === "PROVISIONING" && t.containerInstanceId === "" && t.desiredStatus === "RUNNING";

/**
 * Places the PROVISIONING tasks of `provider` in `cluster` that fit now, oldest first, each with
 * the placement its request asked for. Each instance's tasks are written with the instance in
 * one transaction guarded by both revisions; a lost race leaves the tasks for the next round.
 * Returns the tasks placed.
 */
export async function placeProvisioningTasks(ctx: CoreContext, cluster: string, provider: string): Promise<TaskRecord[]> {
  const taskList = (await readTasks(ctx, cluster)).items;
  const waiting = taskList.filter((t) => isProvisioning(t.value) && t.value.capacityProviderName === provider).sort((a, b) => a.value.createdAtMs - b.value.createdAtMs);
  if (waiting.length === 0) return [];
  const target = targetOf(provider);
  const listing = (await readInstances(ctx, cluster)).items.filter((i) => servesTarget(i.value, target) && i.value.status !== "INACTIVE");
  if (listing.length === 0) return [];
  const instances = listing.map((i) => i.value);
  const tasks = instances.every((i) => i.heldTasks) ? undefined : taskList.map((t) => t.value);
  const seed = newId();
  const items: BatchItem[] = waiting.map((w) => ({
    eligible: () => true,
    placement: {
      tasks: [{ key: w.value.id, reservation: w.value.reserved, family: w.value.family, group: w.value.group, taskDefinitionArn: w.value.taskDefinitionArn }],
      strategy: (w.value.provisioning?.placementStrategy as PlacementStrategy[] | undefined) ?? defaultRunTaskStrategy,
      constraints: w.value.provisioning?.placementConstraints as PlacementConstraint[] | undefined,
      seed: `${seed}:${w.value.id}`,
    },
  }));
  const plans = planBatch(instances, items, tasks);
  const byId = new Map(listing.map((i) => [i.value.id, i]));
  const placed: { cur: Versioned<TaskRecord>; next: TaskRecord }[] = [];
  plans.forEach((plan, n) => {
    if (plan.kind !== "placed" || plan.placements.length === 0) return;
    const instance = byId.get(plan.placements[0].instanceId)!.value;
    placed.push({ cur: waiting[n], next: placedTask(waiting[n].value, instance) });
  });
  const done: TaskRecord[] = [];
  for (const [id, group] of groupBy(placed, (p) => p.next.containerInstanceId)) {
    const inst = byId.get(id)!;
    // One transaction per instance; what is over etcd's op limit waits for the next round.
    const part = group.slice(0, maxStagedOps - 1);
    const next: ContainerInstanceRecord = { ...chargeInstance(inst.value, part.map((p) => p.next)), version: inst.value.version + 1 };
    const txn = ctx.store.txn();
    ctx.store.instances.stageUpdate(txn, next, inst.modRevision);
    for (const p of part) ctx.store.tasks.stageUpdate(txn, p.next, p.cur.modRevision);
    try {
      await ctx.store.commit(txn);
    } catch (err) {
      if (err instanceof ConflictError) continue;
      throw err;
    }
    for (const p of part) {
      ctx.log.info("task status", { taskArn: p.next.arn, from: "PROVISIONING", to: "PENDING", instanceArn: p.next.containerInstanceArn });
      done.push(p.next);
    }
  }
  return done;
}

/** A PROVISIONING task placed on `instance`: PENDING there, holding its reservation. */
function placedTask(t: TaskRecord, instance: ContainerInstanceRecord): TaskRecord {
  const { provisioning: _, ...rest } = t;
  return {
    ...rest,
    containerInstanceId: instance.id,
    containerInstanceArn: instance.arn,
    lastStatus: "PENDING",
    released: false,
    availabilityZone: instance.attributes.find((a) => a.name === "ecs.availability-zone")?.value,
    attributes: instance.attributes.filter((a) => a.name === "ecs.cpu-architecture").map((a) => ({ name: a.name, value: a.value })),
    version: t.version + 1,
  };
}

/** The stoppedReason of a task that waited in PROVISIONING past the timeout (berth's words; ECS documents none). */
export function provisioningTimeoutReason(provider: string, timeoutMs: number): string {
  const wait = timeoutMs >= 60_000 ? `${Math.round(timeoutMs / 60_000)} minutes` : `${Math.round(timeoutMs / 1000)} seconds`;
  return `Capacity provider ${provider} did not provide capacity for this task within ${wait}`;
}

/**
 * Stops the tasks of `provider` that have waited in PROVISIONING for `timeoutMs` or more:
 * STOPPED with stopCode TaskFailedToStart. Returns how many.
 */
export async function expireProvisioningTasks(ctx: CoreContext, cluster: string, provider: string, timeoutMs: number): Promise<number> {
  const now = ctx.now();
  const due = (await readTasks(ctx, cluster)).items
    .map((t) => t.value)
    .filter((t) => isProvisioning(t) && t.capacityProviderName === provider && now - (t.provisioning?.sinceMs ?? t.createdAtMs) >= timeoutMs);
  const reason = provisioningTimeoutReason(provider, timeoutMs);
  let n = 0;
  for (const t of due) {
    const rec = await updateTask(ctx, cluster, t.id, (cur) => (isProvisioning(cur) ? stoppedWithoutAgent(cur, reason, "TaskFailedToStart", ctx.now()) : undefined));
    if (rec?.lastStatus === "STOPPED") n++;
  }
  return n;
}

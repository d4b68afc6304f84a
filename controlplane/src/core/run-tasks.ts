import { ConflictError, InvalidParameterException, newId, taskReservation, type ContainerInstanceRecord, type TaskRecord } from "@berth/shared";
import { defaultRunTaskStrategy, placeTasks } from "../scheduler/index.js";
import type { CoreContext } from "./context.js";
import { readInstances, readTasks } from "./cache/reads.js";
import { servesTarget, targetOf, type CapacityTarget } from "./capacity-launch.js";
import { splitByStrategy } from "./capacity-strategy.js";
import { heldTaskOf, holdsResources, newTaskRecord } from "./task-records.js";
import { assignTaskNetworks, type BlockWrite } from "./task-networks.js";
import { noInstancesMessage, placeBatched } from "./placement/queue.js";
import { snapshotInstances } from "./placement/snapshot.js";
import type { RunTasksRequest, RunTasksResult } from "./placement/types.js";
import { dedupeFailures, writePlacements } from "./placement/writes.js";
import { createProvisioningTasks, managedScalingProviders, mayProvision, provisioningRoom } from "./cluster-scaling/provisioning.js";

export type { RunTasksRequest, RunTasksResult, RunFailure } from "./placement/types.js";
export { snapshotInstances } from "./placement/snapshot.js";

/**
 * Places and records tasks: snapshot the cluster's instances and tasks, ask the scheduler, then
 * write the tasks and the instances' new remaining resources in transactions guarded by the
 * instances' mod revisions. A lost race re-snapshots and re-plans (bounded).
 */
export async function runTasks(ctx: CoreContext, req: RunTasksRequest): Promise<RunTasksResult> {
  if (!req.capacityProviderStrategy?.length) {
    return placeInTarget(ctx, req, { launchType: req.launchType ?? "EC2", capacityProviderName: req.capacityProviderName }, req.count);
  }
  const out: RunTasksResult = { tasks: [], failures: [] };
  const managed = mayProvision(req) ? await managedScalingProviders(ctx, req.capacityProviderStrategy.map((s) => s.capacityProvider)) : new Map();
  // The cluster's room for waiting tasks, read once (when a task first needs it) and spent here.
  let room: number | undefined;
  for (const [provider, count] of splitByStrategy(req.count, req.capacityProviderStrategy, req.existingByProvider)) {
    // One provider without capacity must not keep the others from placing their share.
    const res = await placeInTarget(ctx, req, targetOf(provider), count).catch((err: unknown) => {
      if (!(err instanceof InvalidParameterException)) throw err;
      return { tasks: [], failures: [{ reason: `${provider}: ${err.message}` }] };
    });
    out.tasks.push(...res.tasks);
    // As on ECS, a provider with managed scaling keeps what fits nowhere in PROVISIONING (its
    // scaling adds nodes for them) instead of failing it (docs/CLUSTER-AUTOSCALING.md).
    const unplaced = count - res.tasks.length;
    if (managed.has(provider) && unplaced > 0) room ??= await provisioningRoom(ctx, req.cluster);
    const waiting = managed.has(provider) && unplaced > 0 ? Math.min(unplaced, room ?? 0) : 0;
    if (waiting > 0) {
      out.tasks.push(...(await createProvisioningTasks(ctx, req, provider, waiting)));
      room = (room ?? 0) - waiting;
    }
    if (waiting < unplaced) out.failures.push(...res.failures);
  }
  return out;
}

/** Places `count` tasks in one pool of capacity (see servesTarget). */
async function placeInTarget(ctx: CoreContext, req: RunTasksRequest, target: CapacityTarget, count: number): Promise<RunTasksResult> {
  // awsvpc tasks take addresses as well as resources: they are placed one call at a time.
  if (ctx.batchPlacements && !req.awsvpc) return placeBatched(ctx, ctx.batchPlacements, req, target, count);
  const opts = { ...req, launchType: target.launchType, capacityProviderName: target.capacityProviderName };
  const reservation = taskReservation(req.taskDefinition, req.overrides);
  const seed = req.seed ?? newId();
  // Tasks already written by an earlier attempt: a batch split over several transactions may
  // lose a race after its first parts committed, and those must not be placed twice.
  const placed: TaskRecord[] = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    const instances = await readInstances(ctx, req.cluster);
    const live = instances.items.filter(
      (i) => servesTarget(i.value, target) && i.value.status !== "INACTIVE" && (!req.onlyInstanceIds || req.onlyInstanceIds.includes(i.value.id)),
    );
    if (live.length === 0) {
      throw new InvalidParameterException(noInstancesMessage(target));
    }
    // Instances carry their held tasks; only records from before that field need the task list.
    const tasks = live.every((i) => i.value.heldTasks)
      ? undefined
      : (await readTasks(ctx, req.cluster)).items.map((t) => t.value);
    const snapshot = snapshotInstances(live.map((i) => i.value), tasks);
    const toPlace = Array.from({ length: count - placed.length }, (_, i) => ({
      key: String(i),
      reservation,
      family: req.taskDefinition.family,
      group: req.group ?? `family:${req.taskDefinition.family}`,
      taskDefinitionArn: req.taskDefinition.taskDefinitionArn,
      zones: req.awsvpc && [...new Set(req.awsvpc.subnets.map((s) => s.availabilityZone))],
    }));
    const plan = placeTasks({
      instances: snapshot,
      tasks: toPlace,
      strategy: req.placementStrategy ?? defaultRunTaskStrategy,
      constraints: req.placementConstraints,
      seed: `${seed}:${attempt}`,
    });
    const byId = new Map(live.map((i) => [i.value.id, i]));
    let created = plan.placements.map((p) => newTaskRecord(ctx, newId(), req.taskDefinition, byId.get(p.instanceId)!.value, reservation, opts));
    // Fargate agents are no container instances of the user's: their failures name no ARN.
    const failures: { instanceArn?: string; reason: string; detail?: string }[] = plan.failures
      .flatMap((f) => f.reasons)
      .map((r) => (target.launchType === "FARGATE" ? { reason: r.reason } : r));
    let blocks = new Map<string, BlockWrite[]>();
    if (req.awsvpc) {
      // Held addresses come from the same reads as the snapshot, so the instance guard covers them.
      const held = (i: ContainerInstanceRecord) => (tasks ? tasks.filter((t) => holdsResources(t) && t.containerInstanceId === i.id).map(heldTaskOf) : i.heldTasks ?? []);
      const net = await assignTaskNetworks(ctx, req.awsvpc, created, byId, held);
      created = net.tasks;
      blocks = net.blocks;
      failures.push(...net.failures.map((f) => ({ instanceArn: f.arn, reason: f.reason, detail: f.detail })));
    }
    try {
      await writePlacements(ctx, created, byId, blocks, (done) => placed.push(...done));
    } catch (err) {
      if (err instanceof ConflictError) continue;
      throw err;
    }
    for (const t of created) ctx.log.info("task placed", { taskArn: t.arn, instanceArn: t.containerInstanceArn, cluster: t.cluster });
    return { tasks: placed, failures: dedupeFailures(failures) };
  }
  throw new ConflictError("the cluster kept changing while placing tasks; try again");
}


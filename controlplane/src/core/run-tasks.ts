import {
  ConflictError,
  groupBy,
  InvalidParameterException,
  newId,
  subtract,
  taskReservation,
  type ContainerInstanceRecord,
  type TaskDefinitionRecord,
  type TaskRecord,
} from "@berth/shared";
import {
  defaultRunTaskStrategy,
  placeTasks,
  type InstanceSnapshot,
  type PlacementConstraint,
  type PlacementStrategy,
} from "../scheduler/index.js";
import { keys, maxStagedOps, type Versioned } from "../store/index.js";
import type { CoreContext } from "./context.js";
import { servesTarget, targetOf, type CapacityTarget } from "./capacity-launch.js";
import { splitByStrategy, type StrategyItem } from "./capacity-strategy.js";
import { heldTaskOf, holdsResources, newTaskRecord, type NewTaskOptions } from "./task-records.js";
import { assignTaskNetworks, stageBlocks, type BlockWrite } from "./task-networks.js";
import type { ResolvedAwsvpc } from "./vpc/index.js";

/** A request to start `count` copies of a task definition in a cluster. */
export interface RunTasksRequest extends NewTaskOptions {
  cluster: string;
  taskDefinition: TaskDefinitionRecord;
  count: number;
  placementStrategy?: PlacementStrategy[];
  placementConstraints?: PlacementConstraint[];
  /** StartTask names its instances: place only there. */
  onlyInstanceIds?: string[];
  /** Seeds the scheduler's tie-breaks; a fresh id when absent. */
  seed?: string;
  /** An awsvpc task's resolved networkConfiguration: its subnets' zones bound placement. */
  awsvpc?: ResolvedAwsvpc;
  /** Split the tasks over these providers (base, then weight) instead of placing by launchType. */
  capacityProviderStrategy?: StrategyItem[];
  /** A service's tasks already running per provider, so its new ones converge on the strategy's split. */
  existingByProvider?: Record<string, number>;
}

/** An ECS `Failure`: which instance refused and why. */
export interface RunFailure {
  arn?: string;
  reason: string;
  detail?: string;
}

export interface RunTasksResult {
  tasks: TaskRecord[];
  failures: RunFailure[];
}

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
  for (const [provider, count] of splitByStrategy(req.count, req.capacityProviderStrategy, req.existingByProvider)) {
    // One provider without capacity must not keep the others from placing their share.
    const res = await placeInTarget(ctx, req, targetOf(provider), count).catch((err: unknown) => {
      if (!(err instanceof InvalidParameterException)) throw err;
      return { tasks: [], failures: [{ reason: `${provider}: ${err.message}` }] };
    });
    out.tasks.push(...res.tasks);
    out.failures.push(...res.failures);
  }
  return out;
}

/** Places `count` tasks in one pool of capacity (see servesTarget). */
async function placeInTarget(ctx: CoreContext, req: RunTasksRequest, target: CapacityTarget, count: number): Promise<RunTasksResult> {
  const opts = { ...req, launchType: target.launchType, capacityProviderName: target.capacityProviderName };
  const reservation = taskReservation(req.taskDefinition, req.overrides);
  const seed = req.seed ?? newId();
  // Tasks already written by an earlier attempt: a batch split over several transactions may
  // lose a race after its first parts committed, and those must not be placed twice.
  const placed: TaskRecord[] = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    const instances = await ctx.store.instances.list(keys.instances(req.cluster));
    const live = instances.items.filter(
      (i) => servesTarget(i.value, target) && i.value.status !== "INACTIVE" && (!req.onlyInstanceIds || req.onlyInstanceIds.includes(i.value.id)),
    );
    if (live.length === 0) {
      throw new InvalidParameterException(
        target.launchType === "FARGATE"
          ? "No Fargate capacity was found in your cluster: start an agent with --fargate (berth up and berth cluster create start one)."
          : "No Container Instances were found in your cluster.",
      );
    }
    // Instances carry their held tasks; only records from before that field need the task list.
    const tasks = live.every((i) => i.value.heldTasks)
      ? undefined
      : (await ctx.store.tasks.list(keys.tasks(req.cluster))).items.map((t) => t.value);
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

/**
 * The scheduler's view of instances: status, remaining resources and the tasks they hold, from
 * each record's `heldTasks`, or from `tasks` (the cluster's task records) when given.
 */
export function snapshotInstances(instances: ContainerInstanceRecord[], tasks?: TaskRecord[]): InstanceSnapshot[] {
  const fromTasks = tasks && groupBy(tasks.filter(holdsResources), (t) => t.containerInstanceId);
  return instances.map((i) => ({
    id: i.id,
    arn: i.arn,
    status: i.status,
    agentConnected: i.agentConnected,
    runtimeHealthy: i.runtimeUnhealthySinceMs === undefined,
    agentVersion: i.agentVersion,
    ec2InstanceId: i.hostname,
    registeredAtMs: i.registeredAtMs,
    registered: i.registered,
    remaining: i.remaining,
    attributes: i.attributes,
    tasks: ((fromTasks ? fromTasks.get(i.id) : i.heldTasks) ?? []).map((t) => ({ family: t.family, group: t.group, taskDefinitionArn: t.taskDefinitionArn })),
  }));
}

/**
 * Writes placed tasks with their instances' new remaining resources. A transaction holds whole
 * groups (an instance's guard and update with tasks placed on it) and stays under etcd's op
 * limit; a batch too large for one is split, and an instance with more tasks than fit in one
 * transaction is written in parts, each guarded by the revision the previous part committed at.
 * `committed` hears of every part that landed, so a conflict later in the batch loses nothing.
 */
async function writePlacements(
  ctx: CoreContext,
  created: TaskRecord[],
  instances: Map<string, Versioned<ContainerInstanceRecord>>,
  blocks: Map<string, BlockWrite[]>,
  committed: (tasks: TaskRecord[]) => void,
): Promise<void> {
  const perTxn = maxStagedOps - 1;
  const byInstance = groupBy(created, (t) => t.containerInstanceId);
  let txn = ctx.store.txn();
  let pending: TaskRecord[] = [];
  const flush = async () => {
    if (pending.length === 0) return "0";
    const revision = await ctx.store.commit(txn);
    committed(pending);
    txn = ctx.store.txn();
    pending = [];
    return revision;
  };
  for (const [id, tasks] of byInstance) {
    let cur = instances.get(id)!;
    for (let i = 0; i < tasks.length; i += perTxn) {
      const part = tasks.slice(i, i + perTxn);
      const blockWrites = i === 0 ? (blocks.get(id) ?? []) : [];
      if (txn.size + part.length + 1 + blockWrites.length > maxStagedOps) await flush();
      const newBlocks = stageBlocks(ctx, txn, blockWrites);
      const next: ContainerInstanceRecord = {
        ...cur.value,
        remaining: part.reduce((r, t) => subtract(r, t.reserved), cur.value.remaining),
        // An old record without the field stays without it: its next registration rebuilds it.
        heldTasks: cur.value.heldTasks && [...cur.value.heldTasks, ...part.map(heldTaskOf)],
        version: cur.value.version + 1,
        ...(newBlocks.length > 0 ? { ipBlocks: [...(cur.value.ipBlocks ?? []).filter((b) => !newBlocks.some((n) => n.cidr === b.cidr && n.subnetId === b.subnetId)), ...newBlocks] } : {}),
      };
      ctx.store.instances.stageUpdate(txn, next, cur.modRevision);
      for (const t of part) ctx.store.tasks.stageCreate(txn, t);
      pending.push(...part);
      // More of this instance's tasks follow: commit now to learn the revision they must expect.
      if (i + perTxn < tasks.length) cur = { value: next, modRevision: await flush() };
    }
  }
  await flush();
}

function dedupeFailures(reasons: { instanceArn?: string; reason: string; detail?: string }[]): RunFailure[] {
  const seen = new Set<string>();
  const out: RunFailure[] = [];
  for (const r of reasons) {
    const k = `${r.instanceArn ?? ""}|${r.reason}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const f: RunFailure = r.instanceArn ? { arn: r.instanceArn, reason: r.reason } : { reason: r.reason };
    out.push(r.detail ? { ...f, detail: r.detail } : f);
  }
  return out;
}

import { ConflictError, InvalidParameterException, newId, taskReservation, type ContainerInstanceRecord, type Resources, type TaskRecord } from "@berth/shared";
import { defaultRunTaskStrategy } from "../../scheduler/index.js";
import type { Store, Versioned } from "../../store/index.js";
import { readInstances, readTasks } from "../cache/reads.js";
import { servesTarget, type CapacityTarget } from "../capacity-launch.js";
import type { CoreContext } from "../context.js";
import { newTaskRecord } from "../task-records.js";
import { planBatch, type BatchItem } from "./batch-plan.js";
import type { RunTasksRequest, RunTasksResult } from "./types.js";
import { dedupeFailures, writePlacements } from "./writes.js";
import type { PlacementBatching } from "./batching.js";


/** A lost race is re-planned this many times before the caller hears of it, as unbatched. */
const maxAttempts = 8;

/** The message RunTask answers when no instance can take the request at all. */
export function noInstancesMessage(target: CapacityTarget): string {
  return target.launchType === "FARGATE"
    ? "No Fargate capacity was found in your cluster: start an agent with --fargate (berth up and berth cluster create start one)."
    : "No Container Instances were found in your cluster.";
}

interface Pending {
  ctx: CoreContext;
  req: RunTasksRequest;
  target: CapacityTarget;
  count: number;
  reservation: Resources;
  seed: string;
  attempt: number;
  /** Tasks written by earlier attempts: never placed twice. */
  placed: TaskRecord[];
  done(res: RunTasksResult): void;
  fail(err: unknown): void;
}

interface Lane {
  waiting: Pending[];
  running: boolean;
}

/** Each store's queues, one per cluster: a replica's store and its leader's fenced view have their own. */
const lanes = new WeakMap<Store, Map<string, Lane>>();

/**
 * Nomad's plan queue for RunTask and service placements on one replica: requests for a cluster
 * are collected for a few ms (and while the previous batch is being written), placed in arrival
 * order against one snapshot (see planBatch), and written together as a few transactions
 * guarded by the instances' mod revisions (see writePlacements). One retry policy for all: a
 * request whose transaction lost its race is planned again in the next batch, with what it
 * already placed kept, up to {@link maxAttempts} times. Requests are batched only with others
 * writing through the same store (the leader's loops write through a fenced view).
 *
 * Each caller still gets its own answer: the tasks it placed and its own failures, as when it
 * was placed alone right after the requests before it.
 */
export function placeBatched(ctx: CoreContext, opts: PlacementBatching, req: RunTasksRequest, target: CapacityTarget, count: number): Promise<RunTasksResult> {
  return new Promise((done, fail) => {
    const byCluster = lanes.get(ctx.store) ?? new Map<string, Lane>();
    lanes.set(ctx.store, byCluster);
    const lane = byCluster.get(req.cluster) ?? { waiting: [], running: false };
    byCluster.set(req.cluster, lane);
    const reservation = taskReservation(req.taskDefinition, req.overrides);
    lane.waiting.push({ ctx, req, target, count, reservation, seed: req.seed ?? newId(), attempt: 0, placed: [], done, fail });
    if (lane.running) return;
    lane.running = true;
    setTimeout(() => void run(lane, opts), opts.windowMs);
  });
}

async function run(lane: Lane, opts: PlacementBatching): Promise<void> {
  try {
    while (lane.waiting.length > 0) {
      const batch: Pending[] = [];
      let tasks = 0;
      const left = (p: Pending) => p.count - p.placed.length;
      while (lane.waiting.length > 0 && (batch.length === 0 || tasks + left(lane.waiting[0]) <= opts.maxTasks)) {
        const p = lane.waiting.shift()!;
        tasks += left(p);
        batch.push(p);
      }
      // Whatever goes wrong, every caller hears of it (a settled promise ignores a second answer).
      const retry = await placeBatch(batch).catch((err: unknown) => {
        for (const p of batch) p.fail(err);
        return [];
      });
      // Requests that lost a race go first next time: they have waited longest.
      lane.waiting.unshift(...retry);
    }
  } finally {
    lane.running = false;
  }
}

/** Places one batch; resolves to the requests to try again. */
async function placeBatch(batch: Pending[]): Promise<Pending[]> {
  const { ctx, req } = batch[0];
  let instances: ContainerInstanceRecord[];
  let tasks: TaskRecord[] | undefined;
  let byId: Map<string, Versioned<ContainerInstanceRecord>>;
  try {
    const listing = await readInstances(ctx, req.cluster);
    instances = listing.items.map((i) => i.value);
    byId = new Map(listing.items.map((i) => [i.value.id, i]));
    // Instances carry their held tasks; only records from before that field need the task list.
    tasks = instances.every((i) => i.heldTasks) ? undefined : (await readTasks(ctx, req.cluster)).items.map((t) => t.value);
  } catch (err) {
    for (const p of batch) p.fail(err);
    return [];
  }
  const items: BatchItem[] = batch.map((p) => ({
    eligible: (i) => servesTarget(i, p.target) && i.status !== "INACTIVE" && (!p.req.onlyInstanceIds || p.req.onlyInstanceIds.includes(i.id)),
    placement: {
      tasks: Array.from({ length: p.count - p.placed.length }, (_, i) => ({
        key: String(i),
        reservation: p.reservation,
        family: p.req.taskDefinition.family,
        group: p.req.group ?? `family:${p.req.taskDefinition.family}`,
        taskDefinitionArn: p.req.taskDefinition.taskDefinitionArn,
      })),
      strategy: p.req.placementStrategy ?? defaultRunTaskStrategy,
      constraints: p.req.placementConstraints,
      seed: `${p.seed}:${p.attempt}`,
    },
  }));
  const plans = planBatch(instances, items, tasks);
  const owner = new Map<string, Pending>();
  const created: TaskRecord[] = [];
  const live: { p: Pending; mine: TaskRecord[]; failures: { instanceArn?: string; reason: string }[] }[] = [];
  for (const [n, plan] of plans.entries()) {
    const p = batch[n];
    if (plan.kind === "noInstances") {
      p.fail(new InvalidParameterException(noInstancesMessage(p.target)));
      continue;
    }
    if (plan.kind === "invalid") {
      p.fail(plan.error);
      continue;
    }
    const opts = { ...p.req, launchType: p.target.launchType, capacityProviderName: p.target.capacityProviderName };
    const mine = plan.placements.map((pl) => newTaskRecord(ctx, newId(), p.req.taskDefinition, byId.get(pl.instanceId)!.value, p.reservation, opts));
    for (const t of mine) owner.set(t.id, p);
    created.push(...mine);
    // Fargate agents are no container instances of the user's: their failures name no ARN.
    const failures = plan.failures.flatMap((f) => f.reasons).map((r) => (p.target.launchType === "FARGATE" ? { reason: r.reason } : r));
    live.push({ p, mine, failures });
  }
  const landed = new Set<string>();
  let error: unknown;
  try {
    await writePlacements(ctx, created, byId, new Map(), (done) => {
      for (const t of done) {
        landed.add(t.id);
        owner.get(t.id)!.placed.push(t);
      }
    });
  } catch (err) {
    error = err;
  }
  const retry: Pending[] = [];
  for (const { p, mine, failures } of live) {
    if (mine.every((t) => landed.has(t.id))) {
      for (const t of mine) ctx.log.info("task placed", { taskArn: t.arn, instanceArn: t.containerInstanceArn, cluster: t.cluster });
      p.done({ tasks: p.placed, failures: dedupeFailures(failures) });
    } else if (!(error instanceof ConflictError)) {
      p.fail(error);
    } else if (++p.attempt < maxAttempts) {
      retry.push(p);
    } else {
      p.fail(new ConflictError("the cluster kept changing while placing tasks; try again"));
    }
  }
  return retry;
}

import { BerthError, type ContainerInstanceRecord, type Resources, type ServiceRecord, type TaskDefinitionRecord, type TaskRecord } from "@berth/shared";
import {
  dedupeFailures,
  chargeInstance,
  newTaskRecord,
  noInstancesMessage,
  planBatch,
  provisioningTask,
  servesTarget,
  splitByStrategy,
  targetOf,
  type BatchItem,
  type CapacityTarget,
  type NewTaskOptions,
  type RunFailure,
  type StrategyItem,
} from "../../core/index.js";
import type { PlacementConstraint, PlacementStrategy } from "../../scheduler/index.js";
import { prependEvents, serviceMessages } from "./events.js";
import { taskId } from "./ids.js";
import type { ServicePlan } from "./types.js";

/**
 * How one start of the plan launches, resolved by the loop from things that do not change
 * within a round (the task definition, the service's launch settings, the subnets' zones), or
 * why it cannot launch at all (that reason becomes the "unable to place" event).
 */
export type StartLaunch =
  | {
      ok: true;
      taskDefinition: TaskDefinitionRecord;
      reservation: Resources;
      /** The new tasks' options: startedBy, group, tags, launch type, platform version … */
      options: NewTaskOptions;
      strategy: PlacementStrategy[];
      constraints: PlacementConstraint[];
      /** Split the tasks over these providers (base, then weight) instead of placing by launch type. */
      capacityProviderStrategy?: StrategyItem[];
      /** An awsvpc task's subnets' zones: it may only run there. */
      zones?: string[];
    }
  | { ok: false; reason: string };

/** What the placements of a round are made from: the one snapshot and seed its plan came from. */
export interface PlacementInput {
  /** The cluster's instances as read with the snapshot (every pool; each start keeps to its own). */
  instances: ContainerInstanceRecord[];
  /** The cluster's tasks, only when some instance record predates `heldTasks`. */
  clusterTasks?: TaskRecord[];
  /** The service's own tasks, so new ones even out a capacity provider strategy's split. */
  serviceTasks: TaskRecord[];
  /** One per `plan.start`, in its order. */
  launches: StartLaunch[];
  scope: { region: string; account: string };
  now: number;
  seed: string;
  /**
   * Capacity providers with managed scaling, and how many more tasks may wait in the cluster:
   * what of their share fits nowhere is written PROVISIONING instead of failing (as RunTask does,
   * docs/CLUSTER-AUTOSCALING.md); awsvpc starts and DAEMON starts' named instances never wait.
   */
  provisioning?: { cluster: string; providers: ReadonlySet<string>; room: number };
}

/** One unit of placement (a start, or one named instance of a DAEMON start): what it got. */
export interface PlacedBatch {
  count: number;
  tasks: TaskRecord[];
  failures: RunFailure[];
}

/** A round's placements: per start of the plan, its batches. */
export interface ServicePlacements {
  starts: PlacedBatch[][];
}

/** Every task a round's placements create, in order (PROVISIONING ones, on no instance yet, included). */
export function placedTasks(p: ServicePlacements): TaskRecord[] {
  return p.starts.flat().flatMap((b) => b.tasks);
}

/**
 * Places the plan's starts against the round's snapshot (pure): every start, every named
 * instance of a DAEMON start, every capacity provider's share, is one request of a single
 * {@link planBatch}, each seeing what the ones before it took. Task ids are hashes of the seed,
 * so one snapshot and seed give one set of task records; the apply step writes exactly these.
 */
export function placeStarts(plan: Pick<ServicePlan, "start">, input: PlacementInput): ServicePlacements {
  const items: BatchItem[] = [];
  // Per start, per batch, the requests it was split into (one per capacity target).
  const shape: { count: number; parts: { item: number; target: CapacityTarget; count: number; mayWait: boolean }[]; reason?: string }[][] = [];
  let room = input.provisioning?.room ?? 0;
  plan.start.forEach((start, n) => {
    const launch = input.launches[n];
    const units = start.instanceIds
      ? start.instanceIds.map((id) => ({ count: 1, only: [id] }))
      : [{ count: start.count, only: start.amongInstanceIds }];
    if (!launch?.ok) {
      // One event for the start, as when its launch was refused before any placement.
      shape.push([{ count: start.count, parts: [], reason: launch?.reason ?? "the start could not be resolved" }]);
      return;
    }
    const byProvider = existingByProvider(input.serviceTasks);
    shape.push(
      units.map((u) => {
        const targets: { target: CapacityTarget; count: number }[] = launch.capacityProviderStrategy?.length
          ? [...splitByStrategy(u.count, launch.capacityProviderStrategy, byProvider)].map(([provider, count]) => ({ target: targetOf(provider), count }))
          : [{ target: { launchType: launch.options.launchType ?? "EC2", capacityProviderName: launch.options.capacityProviderName }, count: u.count }];
        const parts = targets.map(({ target, count }) => {
          items.push({
            eligible: (i) => servesTarget(i, target) && i.status !== "INACTIVE" && (!u.only || u.only.includes(i.id)),
            placement: {
              tasks: Array.from({ length: count }, (_, k) => ({
                key: String(k),
                reservation: launch.reservation,
                family: launch.taskDefinition.family,
                group: launch.options.group ?? `family:${launch.taskDefinition.family}`,
                taskDefinitionArn: launch.taskDefinition.taskDefinitionArn,
                zones: launch.zones,
              })),
              strategy: launch.strategy,
              constraints: launch.constraints,
              seed: `${input.seed}:place:${items.length}`,
            },
          });
          const mayWait = !u.only && !launch.zones && target.capacityProviderName !== undefined && (input.provisioning?.providers.has(target.capacityProviderName) ?? false);
          return { item: items.length - 1, target, count, mayWait };
        });
        return { count: u.count, parts };
      }),
    );
  });
  const results = planBatch(input.instances, items, input.clusterTasks);
  const byId = new Map(input.instances.map((i) => [i.id, i]));
  const clock = { scope: input.scope, now: () => input.now };
  let made = 0;
  return {
    starts: shape.map((batches, n) =>
      batches.map((b) => {
        if (b.reason !== undefined) return { count: b.count, tasks: [], failures: [{ reason: b.reason }] };
        const launch = input.launches[n] as Extract<StartLaunch, { ok: true }>;
        const tasks: TaskRecord[] = [];
        const reasons: { instanceArn?: string; reason: string; detail?: string }[] = [];
        for (const part of b.parts) {
          const res = results[part.item];
          const provider = part.target.capacityProviderName;
          const viaStrategy = launch.capacityProviderStrategy?.length;
          // A managed-scaling provider's share that fits nowhere waits in PROVISIONING for its nodes.
          const placedHere = res.kind === "placed" ? res.placements.length : 0;
          const waiting = part.mayWait && res.kind !== "invalid" ? Math.min(part.count - placedHere, room) : 0;
          if (waiting > 0) {
            room -= waiting;
            const request = { cluster: input.provisioning!.cluster, taskDefinition: launch.taskDefinition, reserved: launch.reservation, options: launch.options, placementStrategy: launch.strategy, placementConstraints: launch.constraints };
            for (let k = 0; k < waiting; k++) tasks.push(provisioningTask(clock, taskId(input.seed, made++), request, provider!));
          }
          const short = waiting < part.count - placedHere;
          if (res.kind === "noInstances") {
            // One provider without capacity does not keep the others from placing their share.
            if (short) reasons.push({ reason: viaStrategy ? `${provider}: ${noInstancesMessage(part.target)}` : noInstancesMessage(part.target) });
            continue;
          }
          if (res.kind === "invalid") {
            // Users read events: only berth's own errors are worded for them.
            reasons.push({ reason: res.error instanceof BerthError ? res.error.message : "an internal error occurred; see the control plane's log" });
            continue;
          }
          const opts = { ...launch.options, launchType: part.target.launchType, capacityProviderName: part.target.capacityProviderName };
          for (const pl of res.placements) tasks.push(newTaskRecord(clock, taskId(input.seed, made++), launch.taskDefinition, byId.get(pl.instanceId)!, launch.reservation, opts));
          // Fargate agents are no container instances of the user's: their failures name no ARN.
          if (short) reasons.push(...res.failures.flatMap((f) => f.reasons).map((r) => (part.target.launchType === "FARGATE" ? { reason: r.reason } : r)));
        }
        return { count: b.count, tasks, failures: dedupeFailures(reasons) };
      }),
    ),
  };
}

/** One service's part of a cluster's batch: its plan and what placing it needs besides the instances. */
export type BatchRound = Pick<ServicePlan, "start"> & Pick<PlacementInput, "serviceTasks" | "launches" | "now" | "seed">;

/**
 * Places the rounds of several services of a cluster against one snapshot, in order (pure):
 * each sees the instances as the ones before it left them (their tasks' reservations charged,
 * as the write will charge them), so their placements can be written as one set.
 */
export function placeCluster(
  rounds: BatchRound[],
  snapshot: Pick<PlacementInput, "instances" | "clusterTasks" | "scope" | "provisioning">,
): ServicePlacements[] {
  let instances = snapshot.instances;
  let clusterTasks = snapshot.clusterTasks;
  let provisioning = snapshot.provisioning;
  return rounds.map((r) => {
    const placements = placeStarts(r, { ...r, instances, clusterTasks, scope: snapshot.scope, provisioning });
    const created = placedTasks(placements);
    const waiting = created.filter((t) => t.containerInstanceId === "").length;
    if (provisioning && waiting > 0) provisioning = { ...provisioning, room: provisioning.room - waiting };
    if (created.length > 0) {
      instances = chargeInstances(instances, created);
      clusterTasks = clusterTasks && [...clusterTasks, ...created];
    }
    return placements;
  });
}

/** The instances with `tasks` placed on them: their reservations taken, their held tasks listed (pure). */
export function chargeInstances(instances: ContainerInstanceRecord[], tasks: TaskRecord[]): ContainerInstanceRecord[] {
  const byInstance = new Map<string, TaskRecord[]>();
  for (const t of tasks) byInstance.set(t.containerInstanceId, [...(byInstance.get(t.containerInstanceId) ?? []), t]);
  return instances.map((i) => {
    const mine = byInstance.get(i.id);
    return mine ? chargeInstance(i, mine) : i;
  });
}

/** How many of the service's live tasks run on each capacity provider. */
function existingByProvider(tasks: TaskRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tasks) {
    if (t.desiredStatus !== "RUNNING" || !t.capacityProviderName) continue;
    out[t.capacityProviderName] = (out[t.capacityProviderName] ?? 0) + 1;
  }
  return out;
}

/**
 * The service record a round writes (pure): the plan's, with the events naming the tasks it
 * started and, for each batch short of its count, why ("unable to place"). A message equal to
 * the newest stored event is not repeated (ECS throttles identical events the same way).
 * Undefined when there is nothing to write.
 */
export function roundRecord(stored: ServiceRecord, plan: Pick<ServicePlan, "service">, placements: ServicePlacements, seed: string, now: number): ServiceRecord | undefined {
  const messages: string[] = [];
  for (const batches of placements.starts) {
    for (const b of batches) if (b.tasks.length < b.count) messages.push(unplacedMessage(stored.name, b.failures));
    const started = batches.flatMap((b) => b.tasks.map((t) => t.id));
    if (started.length > 0) messages.unshift(serviceMessages.startedTasks(stored.name, started));
  }
  const base = plan.service ?? stored;
  const fresh = messages.filter((m) => base.events[0]?.message !== m);
  if (fresh.length === 0) return plan.service;
  return { ...base, events: prependEvents(base.events, fresh, `${seed}:placed`, now), version: stored.version + 1 };
}

// ECS's wording for a task no instance could take, by the reason the closest instance gave.
const closest: Record<string, string> = {
  "RESOURCE:MEMORY": "has insufficient memory available",
  "RESOURCE:CPU": "has insufficient CPU units available",
  "RESOURCE:PORTS": "is already using a port required by your task",
};

/** The event ECS writes when it cannot place a service's task. */
export function unplacedMessage(service: string, failures: RunFailure[]): string {
  const f = failures.find((x) => x.arn) ?? failures[0];
  const head = `(service ${service}) was unable to place a task because no container instance met all of its requirements.`;
  if (!f) return head;
  if (f.arn && closest[f.reason]) return `${head} The closest matching (container-instance ${f.arn.split("/").pop()}) ${closest[f.reason]}.`;
  return `${head} Reason: ${f.reason}`;
}

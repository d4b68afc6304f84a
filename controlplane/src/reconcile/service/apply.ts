import { BerthError, ConflictError, serviceGroup, taskReservation, type ContainerInstanceRecord, type ServiceRecord, type Tag, type TaskRecord } from "@berth/shared";
import {
  assignTaskNetworks,
  deregisterTaskTargets,
  launchSettings,
  launchTags,
  listTargetGroups,
  prepareServiceWrite,
  resolveTaskDefinition,
  resolveTaskNetwork,
  stoppingTask,
  writePlacements,
  type BlockWrite,
  type CoreContext,
  type LaunchPlan,
  type LeadWrite,
  type ResolvedAwsvpc,
} from "../../core/index.js";
import { defaultServiceStrategy, type PlacementConstraint, type PlacementStrategy } from "../../scheduler/index.js";
import { FencedOutError, keys, type Versioned } from "../../store/index.js";
import { placedTasks, type PlacedBatch, type ServicePlacements, type StartLaunch } from "./place.js";
import type { RoundOutcome } from "./retry.js";
import type { ServicePlan } from "./types.js";

/** What a round read, with the revisions its write is guarded on. */
export interface RoundRead {
  service: Versioned<ServiceRecord>;
  /** The service's tasks (its plan's stops are guarded on these). */
  tasks: Versioned<TaskRecord>[];
  /** The cluster's instances (its placements are guarded on these). */
  instances: Versioned<ContainerInstanceRecord>[];
}


/**
 * How each start of `plan` launches (its definition, launch settings, tags, strategy,
 * constraints, awsvpc network), read for the round; a start ECS would refuse carries why.
 */
export async function resolveLaunches(ctx: CoreContext, service: ServiceRecord, plan: ServicePlan): Promise<{ launches: StartLaunch[]; networks: (ResolvedAwsvpc | undefined)[] }> {
  const launches: StartLaunch[] = [];
  const networks: (ResolvedAwsvpc | undefined)[] = [];
  for (const start of plan.start) {
    const td = await resolveTaskDefinition(ctx, start.taskDefinition);
    try {
      const launch = launchSettings({ launchType: service.launchType, strategy: service.capacityProviderStrategy } as LaunchPlan, td, undefined, service.platformVersion);
      // The deployment's own configuration (UpdateService may have changed the service's since).
      const deployment = service.deployments.find((d) => d.id === start.deploymentId);
      const awsvpc = await resolveTaskNetwork(ctx, td, deployment?.networkConfiguration ?? service.networkConfiguration);
      const { capacityProviderStrategy, ...options } = launch;
      networks.push(awsvpc);
      launches.push({
        ok: true,
        taskDefinition: td,
        reservation: taskReservation(td, undefined),
        options: {
          ...options,
          startedBy: start.deploymentId,
          group: serviceGroup(service.name),
          // As the service is now: propagateTags and managed tags changed by UpdateService
          // apply to the tasks started after it.
          tags: serviceTaskTags(service, td.tags),
          enableExecuteCommand: service.enableExecuteCommand,
        },
        strategy: (service.placementStrategy.length > 0 ? service.placementStrategy : defaultServiceStrategy) as PlacementStrategy[],
        constraints: [...((td.placementConstraints ?? []) as PlacementConstraint[]), ...(service.placementConstraints as PlacementConstraint[])],
        ...(capacityProviderStrategy && { capacityProviderStrategy }),
        ...(awsvpc && { zones: [...new Set(awsvpc.subnets.map((s) => s.availabilityZone))] }),
      });
    } catch (err) {
      if (err instanceof FencedOutError) throw err;
      // Users read events: only berth's own errors are worded for them; the rest goes to the log.
      if (!(err instanceof BerthError)) ctx.log.error("service launch failed", { service: service.name, err });
      networks.push(undefined);
      launches.push({ ok: false, reason: err instanceof BerthError ? err.message : "an internal error occurred; see the control plane's log" });
    }
  }
  return { launches, networks };
}

/**
 * Gives the placed awsvpc tasks their interfaces (addresses come from the same instance reads
 * the placements are guarded on); a task without an address is dropped from its batch with
 * ECS's RESOURCE:ENI failure. Returns the placements to write and the blocks they take.
 */
export async function assignNetworks(
  ctx: CoreContext,
  placements: ServicePlacements,
  networks: (ResolvedAwsvpc | undefined)[],
  instances: Map<string, Versioned<ContainerInstanceRecord>>,
): Promise<{ placements: ServicePlacements; blocks: Map<string, BlockWrite[]> }> {
  const blocks = new Map<string, BlockWrite[]>();
  const starts: PlacedBatch[][] = [];
  for (const [n, batches] of placements.starts.entries()) {
    const awsvpc = networks[n];
    if (!awsvpc) {
      starts.push(batches);
      continue;
    }
    const held = (i: ContainerInstanceRecord) => i.heldTasks ?? [];
    const net = await assignTaskNetworks(ctx, awsvpc, batches.flatMap((b) => b.tasks), instances, held);
    for (const [id, w] of net.blocks) blocks.set(id, [...(blocks.get(id) ?? []), ...w]);
    const assigned = new Map(net.tasks.map((t) => [t.id, t]));
    starts.push(
      batches.map((b) => ({
        count: b.count,
        tasks: b.tasks.flatMap((t) => assigned.get(t.id) ?? []),
        failures: [...b.failures, ...net.failures.filter((f) => b.tasks.some((t) => t.containerInstanceArn === f.arn)).map((f) => ({ arn: f.arn, reason: f.reason, detail: f.detail }))],
      })),
    );
  }
  return { placements: { starts }, blocks };
}

/** One service's part of a write set: what its round read, its plan, the record and placements it writes. */
export interface RoundWrite {
  read: RoundRead;
  plan: ServicePlan;
  record: ServiceRecord | undefined;
  placements: ServicePlacements;
}

/**
 * Writes the rounds of one or more services of a cluster as one guarded write set: each
 * service's record (guarded by the revision its round read; only a guard when unchanged) and
 * stops (each guarded by its task's revision), then every new task with its instance's
 * reservation (guarded by the instances' revisions, `instances` as the placements read them),
 * in transactions of at most etcd's op limit. Records and stops go first, so tasks are only
 * written for deployments that are stored. A lost compare ends the write: the caller re-reads
 * and re-plans (the parts that landed are in what it reads). Targets of stops behind the
 * drain gate are deregistered once their stop landed.
 */
export async function writeRounds(
  ctx: CoreContext,
  instances: Versioned<ContainerInstanceRecord>[],
  rounds: RoundWrite[],
  blocks: Map<string, BlockWrite[]>,
): Promise<RoundOutcome> {
  const lead: LeadWrite[] = [];
  let landed = 0;
  // Records' histories are logged and trimmed after the write set, not between its transactions.
  const committed: (() => Promise<void>)[] = [];
  const gated: TaskRecord[] = [];
  try {
    const groups = rounds.some((r) => r.plan.stop.length > 0) ? await listTargetGroups(ctx) : [];
    for (const { read, plan, record } of rounds) {
      const service = read.service.value;
      if (record) {
        const write = await prepareServiceWrite(ctx, record, read.service.modRevision);
        lead.push({
          ops: write.ops,
          stage: (txn) => write.stage(txn),
          landed: () => {
            landed++;
            committed.push(() => write.committed());
          },
        });
      } else {
        const key = keys.service(service.cluster, service.name);
        lead.push({ ops: 1, stage: (txn) => void txn.expect(key, read.service.modRevision), landed: () => undefined });
      }
      const tasks = new Map(read.tasks.map((t) => [t.value.id, t]));
      for (const s of plan.stop) {
        const cur = tasks.get(s.taskId);
        const next = cur && stoppingTask(cur.value, s.reason, s.code, groups, ctx.now(), { spareProtected: s.spareProtected });
        if (!cur || !next) continue;
        lead.push({
          ops: 1,
          stage: (txn) => void ctx.store.tasks.stageUpdate(txn, next, cur.modRevision),
          landed: () => {
            landed++;
            if (next.drain) gated.push(next);
          },
        });
      }
    }
    const created = rounds.flatMap((r) => placedTasks(r.placements));
    try {
      await writePlacements(ctx, created, new Map(instances.map((i) => [i.value.id, i])), blocks, (done) => (landed += done.length), lead);
    } finally {
      // Its targets start draining now; should this fail, the load balancer loop's next pass does it.
      for (const t of gated) {
        await deregisterTaskTargets(ctx, t).catch((err) => {
          if (err instanceof FencedOutError) throw err;
          ctx.log.warn("task targets not deregistered; the load balancer loop will", { taskArn: t.arn, err });
        });
      }
      for (const c of committed) await c();
    }
    for (const t of created) ctx.log.info("task placed", { taskArn: t.arn, instanceArn: t.containerInstanceArn, cluster: t.cluster });
  } catch (err) {
    if (err instanceof ConflictError) return { kind: "conflict", landed };
    throw err;
  }
  for (const { read, plan, record, placements } of rounds) {
    const service = read.service.value;
    ctx.log.info("service reconciled", { cluster: service.cluster, service: service.name, ...plan.summary, placed: placedTasks(placements).length, written: record !== undefined });
  }
  return { kind: "applied" };
}

/** The tags of the tasks `service` starts from a definition tagged `taskDefinitionTags`. */
function serviceTaskTags(service: ServiceRecord, taskDefinitionTags: Tag[] | undefined): Tag[] | undefined {
  const tags = launchTags({
    propagateTags: service.propagateTags,
    taskDefinitionTags,
    serviceTags: service.tags,
    managed: service.enableECSManagedTags ? { cluster: service.cluster, service: service.name } : undefined,
  });
  return tags.length > 0 ? tags : undefined;
}

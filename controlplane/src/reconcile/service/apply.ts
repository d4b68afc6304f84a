import { BerthError, serviceGroup, taskReservation, type ContainerInstanceRecord, type ServiceRecord, type Tag, type TaskRecord } from "@berth/shared";
import {
  assignTaskNetworks,
  launchSettings,
  launchTags,
  resolveTaskDefinition,
  resolveTaskNetwork,
  writeServiceRounds,
  type BlockWrite,
  type CoreContext,
  type LaunchPlan,
  type ResolvedAwsvpc,
} from "../../core/index.js";
import { defaultServiceStrategy, type PlacementConstraint, type PlacementStrategy } from "../../scheduler/index.js";
import { FencedOutError, type Versioned } from "../../store/index.js";
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
 * Writes the rounds of one or more services of a cluster as one guarded write set (core
 * writeServiceRounds): records, stops, then the new tasks on `instances` as the placements
 * read them. A lost compare comes back as a conflict for the caller to re-read and re-plan.
 */
export async function writeRounds(
  ctx: CoreContext,
  instances: Versioned<ContainerInstanceRecord>[],
  rounds: RoundWrite[],
  blocks: Map<string, BlockWrite[]>,
): Promise<RoundOutcome> {
  const outcome = await writeServiceRounds(
    ctx,
    instances,
    rounds.map(({ read, plan, record, placements }) => {
      const tasks = new Map(read.tasks.map((t) => [t.value.id, t]));
      return {
        service: read.service,
        record,
        // A task the round planned to stop is one it read.
        stops: plan.stop.flatMap((s) => {
          const task = tasks.get(s.taskId);
          return task ? [{ task, reason: s.reason, code: s.code, spareProtected: s.spareProtected }] : [];
        }),
        created: placedTasks(placements),
      };
    }),
    blocks,
  );
  if (outcome.kind === "applied") {
    for (const { read, plan, record, placements } of rounds) {
      const service = read.service.value;
      ctx.log.info("service reconciled", { cluster: service.cluster, service: service.name, ...plan.summary, placed: placedTasks(placements).length, written: record !== undefined });
    }
  }
  return outcome;
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

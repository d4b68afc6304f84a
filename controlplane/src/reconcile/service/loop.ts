import { groupBy, newId, serviceGroup, type ContainerInstanceRecord, type Logger, type ServiceRecord, type TaskRecord } from "@berth/shared";
import { isFargateInstance, readElbHealthView, readInstances, readTasks, resolveTaskDefinition, serviceElbHealth, servesLoadBalancers, shiftsTraffic, snapshotInstances, type CoreContext, type ElbHealthView, type TaskElbHealth } from "../../core/index.js";
import { eligibleInstances, type PlacementConstraint } from "../../scheduler/index.js";
import { FencedOutError, keys, watchPrefix, type PrefixWatch } from "../../store/index.js";
import { startLoop, type ReconcileLoop } from "../loop.js";
import { assignNetworks, resolveLaunches, writeRound, type RoundRead } from "./apply.js";
import { placeStarts, roundRecord } from "./place.js";
import { nextRoundStep, type RoundAttempts, type RoundOutcome } from "./retry.js";
import { planService } from "./plan.js";
import type { DaemonContext, ServiceSnapshot } from "./types.js";
import { runStrategyStep, type StrategyOptions } from "./strategy/runner.js";

/** ECS's timings for traffic-shifting deployments: real minutes, hooks asked again after 30 s. */
export const defaultStrategyOptions: StrategyOptions = { minuteMs: 60_000, hookRetryMs: 30_000, hookCallTimeoutMs: 10_000, routeSettleMs: 5000 };

/** What the loop remembers of task definitions, which never change: health checks, constraints. */
interface DefinitionCache {
  healthChecked: Map<string, boolean>;
  constraints: Map<string, PlacementConstraint[]>;
}

/** A running service loop (leader only). */
export interface ServiceLoop {
  stop(): Promise<void>;
}

/**
 * The service loop: every `intervalMs`, and soon after any service or task changes, read each
 * cluster's services, tasks and instances once, plan each service (pure) and apply the plan.
 */
export async function startServiceLoop(ctx: CoreContext, opts: { intervalMs: number; log: Logger; strategy?: StrategyOptions }): Promise<ServiceLoop> {
  const log = opts.log.child({ component: "service-loop" });
  // Task definitions never change what they define, so what the planner needs of one is cached.
  const cache: DefinitionCache = { healthChecked: new Map(), constraints: new Map() };
  const strategy = opts.strategy ?? defaultStrategyOptions;
  const loop: ReconcileLoop = startLoop("service loop", opts.intervalMs, (active) => round(ctx, log, cache, active, strategy), log);
  const watches: PrefixWatch[] = [];
  // Changes wake the loop; what they say is re-read in the round, so the values are ignored here.
  const from = await ctx.store.kv.revision();
  for (const prefix of [keys.services(), keys.tasks()]) {
    watches.push(await watchPrefix(ctx.store.kv, prefix, from, { put: () => loop.poke(), delete: () => loop.poke() }, log));
  }
  return {
    async stop() {
      for (const w of watches) await w.close();
      await loop.stop();
    },
  };
}

async function round(ctx: CoreContext, log: Logger, cache: DefinitionCache, active: () => boolean, strategy: StrategyOptions): Promise<void> {
  const services = (await ctx.store.services.list(keys.services())).items.filter((s) => s.value.status !== "INACTIVE");
  const byCluster = groupBy(services, (s) => s.value.cluster);
  // Target groups and their health are read once a round, and only when a service has loadBalancers.
  let elbView: Promise<ElbHealthView> | undefined;
  const elbHealthOf = async (s: ServiceRecord, tasks: TaskRecord[]) =>
    servesLoadBalancers(s) ? serviceElbHealth(s, tasks, await (elbView ??= readElbHealthView(ctx))) : undefined;
  for (const [cluster, list] of byCluster) {
    let tasks = (await readTasks(ctx, cluster)).items;
    const daemonGroups = new Set(list.filter((s) => s.value.schedulingStrategy === "DAEMON").map((s) => serviceGroup(s.value.name)));
    for (const s of list) {
      if (!active()) return;
      try {
        // Instances are read for each service: the previous one's placements changed them.
        let read: RoundRead = { service: s, tasks: tasks.filter((t) => t.value.group === serviceGroup(s.value.name)), instances: (await readInstances(ctx, cluster)).items };
        for (let state: RoundAttempts = { attempt: 0, conflicts: 0 }; ; ) {
          const outcome = await serviceRound(ctx, read, tasks.map((t) => t.value), daemonGroups, cache, elbHealthOf);
          const step = nextRoundStep(state, outcome);
          if (step.kind === "done") break;
          if (step.kind === "giveUp") {
            log.warn("service round kept losing races; the next round plans again", { cluster, service: s.value.name, conflicts: step.conflicts });
            break;
          }
          state = step.next;
          // A lost compare: re-read what the write was guarded on and plan the round again.
          const service = await ctx.store.services.get(cluster, s.value.name);
          if (!service || service.value.status === "INACTIVE") break;
          tasks = (await readTasks(ctx, cluster)).items;
          read = { service, tasks: tasks.filter((t) => t.value.group === serviceGroup(s.value.name)), instances: (await readInstances(ctx, cluster)).items };
        }
        // BLUE_GREEN, LINEAR and CANARY: move the deployment through its stages and the rules
        // with it (strategy/runner.ts), on the record as the plan left it.
        if (shiftsTraffic(s.value.deploymentConfiguration.strategy) || s.value.deployments.some((d) => d.shift)) {
          const latest = await ctx.store.services.get(cluster, s.value.name);
          if (latest) await runStrategyStep(ctx, latest.value, read.tasks.map((t) => t.value), strategy, log);
        }
      } catch (err) {
        // A lost fence ends the whole round: the next leader owns every service now.
        if (err instanceof FencedOutError) throw err;
        log.error("service round failed", { cluster, service: s.value.name, err });
      }
    }
  }
}

/**
 * One attempt of one service's round: snapshot, plan and place (pure, one snapshot, one
 * seed), then write it all as one guarded write set (apply.ts writeRound).
 */
async function serviceRound(
  ctx: CoreContext,
  read: RoundRead,
  allTasks: TaskRecord[],
  daemonGroups: ReadonlySet<string>,
  cache: DefinitionCache,
  elbHealthOf: (s: ServiceRecord, tasks: TaskRecord[]) => Promise<Record<string, TaskElbHealth> | undefined>,
): Promise<RoundOutcome> {
  const service = read.service.value;
  const snapshotTasks = read.tasks.map((t) => t.value);
  const instanceRecords = read.instances.map((i) => i.value);
  // A service sees only the capacity it can run on: Fargate agents for a FARGATE one, the
  // other instances otherwise (a DAEMON service never counts a Fargate agent as a host).
  const pool = instanceRecords.filter((i) => isFargateInstance(i) === (service.launchType === "FARGATE"));
  const now = ctx.now();
  const seed = newId();
  const plan = planService({
    service,
    tasks: snapshotTasks,
    instances: await plannedInstances(ctx, service, pool, allTasks, cache),
    healthCheckedDefinitions: await healthChecked(ctx, service, snapshotTasks, cache.healthChecked),
    elbHealth: await elbHealthOf(service, snapshotTasks),
    now,
    seed,
    daemon: service.schedulingStrategy === "DAEMON" ? await daemonContext(ctx, service, pool, allTasks, daemonGroups, cache) : undefined,
  });
  if (!plan.service && plan.start.length === 0 && plan.stop.length === 0) return { kind: "applied" };
  // Tasks are started for the deployments as this round leaves them.
  const { launches, networks } = await resolveLaunches(ctx, plan.service ?? service, plan);
  const placed = placeStarts(plan, {
    instances: instanceRecords,
    // Instances carry their held tasks; only records from before that field need the task list.
    ...(!instanceRecords.every((i) => i.heldTasks) && { clusterTasks: allTasks }),
    serviceTasks: snapshotTasks,
    launches,
    scope: ctx.scope,
    now,
    seed,
  });
  const { placements, blocks } = await assignNetworks(ctx, placed, networks, new Map(read.instances.map((i) => [i.value.id, i])));
  return writeRound(ctx, read, plan, roundRecord(service, plan, placements, seed, now), placements, blocks);
}

/** The service's task definitions (its deployments' and its tasks') that define a health check. */
async function healthChecked(ctx: CoreContext, service: ServiceRecord, tasks: TaskRecord[], cache: Map<string, boolean>): Promise<string[]> {
  const arns = new Set([...service.deployments.map((d) => d.taskDefinition), ...tasks.map((t) => t.taskDefinitionArn)]);
  const out: string[] = [];
  for (const arn of arns) {
    if (!cache.has(arn)) {
      const td = await resolveTaskDefinition(ctx, arn).catch(() => undefined);
      cache.set(arn, td?.containerDefinitions.some((c) => (c.healthCheck?.command?.length ?? 0) > 0) ?? false);
    }
    if (cache.get(arn)) out.push(arn);
  }
  return out;
}

/**
 * The cluster's instances as the planner sees them: status, connection, zone, and, for a
 * service that rebalances across zones, whether the service's placement constraints (its
 * PRIMARY definition's and its own) admit the instance, so rebalancing only aims at zones its
 * tasks may be placed in.
 */
async function plannedInstances(
  ctx: CoreContext,
  service: ServiceRecord,
  instances: ContainerInstanceRecord[],
  tasks: TaskRecord[],
  cache: DefinitionCache,
): Promise<ServiceSnapshot["instances"]> {
  const rebalancing = service.schedulingStrategy === "REPLICA" && service.availabilityZoneRebalancing === "ENABLED";
  const admitted = rebalancing
    ? new Set(eligibleInstances(snapshotInstances(instances, tasks), await serviceConstraints(ctx, service, cache), serviceGroup(service.name)).map((i) => i.id))
    : undefined;
  return instances.map((i) => ({
    id: i.id,
    status: i.status,
    agentConnected: i.agentConnected,
    zone: i.attributes.find((a) => a.name === "ecs.availability-zone")?.value,
    ...(admitted && { eligible: admitted.has(i.id) }),
  }));
}

/** The PRIMARY definition's placement constraints followed by the service's. */
async function serviceConstraints(ctx: CoreContext, service: ServiceRecord, cache: DefinitionCache): Promise<PlacementConstraint[]> {
  const arn = service.deployments.find((d) => d.status === "PRIMARY")?.taskDefinition ?? service.taskDefinition;
  if (!cache.constraints.has(arn)) {
    const td = await resolveTaskDefinition(ctx, arn);
    cache.constraints.set(arn, (td.placementConstraints ?? []) as PlacementConstraint[]);
  }
  return [...cache.constraints.get(arn)!, ...(service.placementConstraints as PlacementConstraint[])];
}

/**
 * What a DAEMON service is planned against: the instances as placement sees them, the PRIMARY
 * definition's constraints and the service's, and per instance how many tasks of no daemon
 * service are still there (a draining instance stops its daemon tasks after them).
 */
async function daemonContext(
  ctx: CoreContext,
  service: ServiceRecord,
  instances: ContainerInstanceRecord[],
  tasks: TaskRecord[],
  daemonGroups: ReadonlySet<string>,
  cache: DefinitionCache,
): Promise<DaemonContext> {
  const otherTasks: Record<string, number> = {};
  for (const t of tasks) {
    if (t.lastStatus === "STOPPED" || (t.group !== undefined && daemonGroups.has(t.group))) continue;
    otherTasks[t.containerInstanceId] = (otherTasks[t.containerInstanceId] ?? 0) + 1;
  }
  return {
    instances: snapshotInstances(instances, tasks),
    constraints: await serviceConstraints(ctx, service, cache),
    otherTasks,
  };
}

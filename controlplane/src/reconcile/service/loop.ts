import { groupBy, newId, serviceGroup, type ContainerInstanceRecord, type Logger, type ServiceRecord, type TaskRecord } from "@berth/shared";
import { isFargateInstance, readDeploymentAlarms, readElbHealthView, readInstances, readTasks, resolveTaskDefinition, serviceElbHealth, servesLoadBalancers, shiftsTraffic, snapshotInstances, type CoreContext, type ElbHealthView } from "../../core/index.js";
import { eligibleInstances, type PlacementConstraint } from "../../scheduler/index.js";
import { FencedOutError, keys, watchPrefix, type PrefixWatch } from "../../store/index.js";
import { startLoop, type ReconcileLoop } from "../loop.js";
import { applyServicePlan } from "./apply.js";
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
  // The alarms deploymentConfiguration.alarms name, once a round (no read when none are enabled).
  const alarms = { states: await readDeploymentAlarms(ctx, services.map((s) => s.value)), minuteMs: strategy.minuteMs };
  // Target groups and their health are read once a round, and only when a service has loadBalancers.
  let elbView: Promise<ElbHealthView> | undefined;
  const elbHealthOf = async (s: ServiceRecord, tasks: TaskRecord[]) =>
    servesLoadBalancers(s) ? serviceElbHealth(s, tasks, await (elbView ??= readElbHealthView(ctx))) : undefined;
  for (const [cluster, list] of byCluster) {
    const [tasks, instances] = await Promise.all([readTasks(ctx, cluster), readInstances(ctx, cluster)]);
    const allTasks = tasks.items.map((t) => t.value);
    const instanceRecords = instances.items.map((i) => i.value);
    const daemonGroups = new Set(list.filter((s) => s.value.schedulingStrategy === "DAEMON").map((s) => serviceGroup(s.value.name)));
    for (const s of list) {
      if (!active()) return;
      try {
        const snapshotTasks = allTasks.filter((t) => t.group === serviceGroup(s.value.name));
        // A service sees only the capacity it can run on: Fargate agents for a FARGATE one, the
        // other instances otherwise (a DAEMON service never counts a Fargate agent as a host).
        const pool = instanceRecords.filter((i) => isFargateInstance(i) === (s.value.launchType === "FARGATE"));
        const plan = planService({
          service: s.value,
          tasks: snapshotTasks,
          instances: await plannedInstances(ctx, s.value, pool, allTasks, cache),
          healthCheckedDefinitions: await healthChecked(ctx, s.value, snapshotTasks, cache.healthChecked),
          elbHealth: await elbHealthOf(s.value, snapshotTasks),
          now: ctx.now(),
          seed: newId(),
          daemon: s.value.schedulingStrategy === "DAEMON" ? await daemonContext(ctx, s.value, pool, allTasks, daemonGroups, cache) : undefined,
          alarms,
        });
        await applyServicePlan(ctx, s, plan);
        // BLUE_GREEN, LINEAR and CANARY: move the deployment through its stages and the rules
        // with it (strategy/runner.ts), on the record as the plan left it.
        if (shiftsTraffic(s.value.deploymentConfiguration.strategy) || s.value.deployments.some((d) => d.shift)) {
          const latest = await ctx.store.services.get(cluster, s.value.name);
          if (latest) await runStrategyStep(ctx, latest.value, snapshotTasks, strategy, log);
        }
      } catch (err) {
        // A lost fence ends the whole round: the next leader owns every service now.
        if (err instanceof FencedOutError) throw err;
        log.error("service round failed", { cluster, service: s.value.name, err });
      }
    }
  }
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

import { newId, serviceGroup, type ContainerInstanceRecord, type ServiceRecord, type TaskRecord } from "@berth/shared";
import { isFargateInstance, resolveTaskDefinition, snapshotInstances, type CoreContext, type DeploymentAlarmWatch, type ResolvedAwsvpc, type TaskElbHealth } from "../../core/index.js";
import { eligibleInstances, type PlacementConstraint } from "../../scheduler/index.js";
import { resolveLaunches, type RoundRead } from "./apply.js";
import type { StartLaunch } from "./place.js";
import { planService } from "./plan.js";
import type { DaemonContext, ServicePlan, ServiceSnapshot } from "./types.js";

/** What the loop remembers of task definitions, which never change: health checks, constraints. */
export interface DefinitionCache {
  healthChecked: Map<string, boolean>;
  constraints: Map<string, PlacementConstraint[]>;
}

/** What the round reads besides one service's own records, shared by the services of a cluster. */
export interface ClusterView {
  /** The cluster's tasks, every service's. */
  tasks: TaskRecord[];
  /** Groups of the cluster's DAEMON services (their tasks never hold a draining instance back). */
  daemonGroups: ReadonlySet<string>;
  cache: DefinitionCache;
  elbHealthOf: (s: ServiceRecord, tasks: TaskRecord[]) => Promise<Record<string, TaskElbHealth> | undefined>;
  /** The states of the alarms services name in deploymentConfiguration.alarms, read once a round. */
  alarms: DeploymentAlarmWatch;
}

/** One service's round, planned: the plan, and how its starts launch. */
export interface PreparedRound {
  read: RoundRead;
  plan: ServicePlan;
  launches: StartLaunch[];
  networks: (ResolvedAwsvpc | undefined)[];
  now: number;
  seed: string;
}

/**
 * Snapshots one service from what the round read and plans it (pure, planService); for a plan
 * with starts, resolves how they launch. Undefined when the plan does nothing.
 */
export async function prepareRound(ctx: CoreContext, read: RoundRead, view: ClusterView): Promise<PreparedRound | undefined> {
  const service = read.service.value;
  const snapshotTasks = read.tasks.map((t) => t.value);
  // A service sees only the capacity it can run on: Fargate agents for a FARGATE one, the
  // other instances otherwise (a DAEMON service never counts a Fargate agent as a host).
  const pool = read.instances.map((i) => i.value).filter((i) => isFargateInstance(i) === (service.launchType === "FARGATE"));
  const now = ctx.now();
  const seed = newId();
  const plan = planService({
    service,
    tasks: snapshotTasks,
    instances: await plannedInstances(ctx, service, pool, view.tasks, view.cache),
    healthCheckedDefinitions: await healthChecked(ctx, service, snapshotTasks, view.cache.healthChecked),
    elbHealth: await view.elbHealthOf(service, snapshotTasks),
    now,
    seed,
    daemon: service.schedulingStrategy === "DAEMON" ? await daemonContext(ctx, service, pool, view.tasks, view.daemonGroups, view.cache) : undefined,
    alarms: view.alarms,
  });
  if (!plan.service && plan.start.length === 0 && plan.stop.length === 0) return undefined;
  // Tasks are started for the deployments as this round leaves them.
  const { launches, networks } = await resolveLaunches(ctx, plan.service ?? service, plan);
  return { read, plan, launches, networks, now, seed };
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

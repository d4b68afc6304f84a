import { resolveTaskNetwork } from "./task-networks.js";
import {
  checkTagList,
  clusterArn,
  ConflictError,
  InvalidParameterException,
  serviceArn,
  ServiceNotActiveException,
  ServiceNotFoundException,
  type PropagateTags,
  type SchedulingStrategy,
  type ServiceLoadBalancer,
  type ServiceRecord,
  type Tag,
  type TaskDefinitionRecord,
} from "@berth/shared";
import { eligibleInstances, validatePlacement, type PlacementConstraint, type PlacementStrategy } from "../scheduler/index.js";
import { keys } from "../store/index.js";
import { activeCluster } from "./clusters.js";
import { resolveServiceLoadBalancers, type ServiceLoadBalancerInput } from "./elbv2/index.js";
import type { CoreContext } from "./context.js";
import { checkServiceQuota } from "./quotas.js";
import { forgetServiceHistory, mutateService, writeService } from "./service-history.js";
import { propagateTagsOf } from "./launch-options.js";
import { snapshotInstances } from "./run-tasks.js";
import {
  checkDesiredCount,
  checkGracePeriod,
  checkServiceName,
  daemonDeploymentConfiguration,
  defaultDeploymentConfiguration,
  mergeDeploymentConfiguration,
  newDeployment,
  randomDeploymentId,
  type DeploymentConfigurationInput,
} from "./service-rules.js";
import { resolveTaskDefinition, runnableDefinition } from "./taskdefs.js";
import { checkFargateLaunch, checkFargatePlacement, checkPlatformVersion, isFargateInstance, launchSettings, resolveLaunch, type LaunchType } from "./capacity-launch.js";
import { checkStrategy, type StrategyItem, type StrategyItemInput } from "./capacity-strategy.js";
import { checkStrategyLoadBalancers, shiftsTraffic } from "./deployment-strategy-rules.js";
import { initialShift, nextDeploymentGroups, pinDeploymentLoadBalancers } from "./deployment-groups.js";

/** A CreateService request after the API edge refused what berth does not support. */
export interface CreateServiceInput {
  cluster: string;
  serviceName: string;
  taskDefinition: string;
  /** Required for REPLICA; refused for DAEMON, whose count is its eligible instances'. */
  desiredCount?: number;
  /** REPLICA unless given. */
  schedulingStrategy?: SchedulingStrategy;
  /** As the request gave it; createService resolves it, with the strategy, against the cluster. */
  launchType?: string;
  capacityProviderStrategy?: StrategyItemInput[];
  platformVersion?: string;
  deploymentConfiguration?: DeploymentConfigurationInput;
  placementStrategy?: PlacementStrategy[];
  placementConstraints?: PlacementConstraint[];
  healthCheckGracePeriodSeconds?: number;
  tags?: Tag[];
  createdBy?: string;
  propagateTags?: PropagateTags;
  enableECSManagedTags?: boolean;
  enableExecuteCommand?: boolean;
  /** ECS defaults it to ENABLED for a new REPLICA service. */
  availabilityZoneRebalancing?: "ENABLED" | "DISABLED";
  /** Required when the definition is awsvpc, refused otherwise (see task-networks.ts). */
  networkConfiguration?: ServiceRecord["networkConfiguration"];
  /** Target groups its RUNNING tasks are registered with (checked against the task definition here). */
  loadBalancers?: ServiceLoadBalancerInput[];
}

/**
 * The record CreateService writes: ACTIVE with one PRIMARY deployment rolling out. Pure. A
 * DAEMON service's desired count is `daemonCount`, its eligible instances when created (the
 * service loop keeps it up to date).
 */
export function newServiceRecord(
  ctx: Pick<CoreContext, "scope">,
  input: CreateServiceInput,
  td: TaskDefinitionRecord,
  deploymentId: string,
  now: number,
  daemonCount = 0,
): ServiceRecord {
  const strategy = input.schedulingStrategy ?? "REPLICA";
  const desiredCount = strategy === "DAEMON" ? daemonCount : (input.desiredCount ?? 0);
  const base = strategy === "DAEMON" ? daemonDeploymentConfiguration : defaultDeploymentConfiguration;
  const launchType = (input.launchType ?? "EC2") as LaunchType;
  const capacity = {
    ...(input.capacityProviderStrategy?.length && { capacityProviderStrategy: checkStrategy(input.capacityProviderStrategy) }),
    // ECS shows LATEST on a Fargate service that named no version; its tasks show the one they run.
    ...(launchType === "FARGATE" && { platformVersion: input.platformVersion || "LATEST" }),
  };
  return {
    name: input.serviceName,
    arn: serviceArn(ctx.scope, input.cluster, input.serviceName),
    cluster: input.cluster,
    clusterArn: clusterArn(ctx.scope, input.cluster),
    status: "ACTIVE",
    desiredCount,
    launchType,
    ...capacity,
    taskDefinition: td.taskDefinitionArn,
    deploymentConfiguration: mergeDeploymentConfiguration(base, input.deploymentConfiguration, strategy),
    placementStrategy: input.placementStrategy ?? [],
    placementConstraints: input.placementConstraints ?? [],
    deployments: [{ ...newDeployment(deploymentId, td.taskDefinitionArn, desiredCount, launchType, now), ...capacity, ...(input.networkConfiguration && { networkConfiguration: input.networkConfiguration }) }],
    events: [],
    schedulingStrategy: strategy,
    healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds,
    availabilityZoneRebalancing: zoneRebalancingOf(strategy, input.availabilityZoneRebalancing ?? (strategy === "DAEMON" ? "DISABLED" : "ENABLED")),
    createdAtMs: now,
    createdBy: input.createdBy,
    tags: input.tags,
    propagateTags: propagateTagsOf(input.propagateTags),
    enableECSManagedTags: input.enableECSManagedTags || undefined,
    enableExecuteCommand: input.enableExecuteCommand || undefined,
    networkConfiguration: input.networkConfiguration,
    version: 1,
  };
}

/**
 * Creates a service. An ACTIVE or DRAINING one of the same name is refused as ECS refuses it,
 * unless the request repeats the existing one (same task definition and count): then that
 * service is returned, so a retried CreateService is harmless. An INACTIVE name is reused.
 */
export async function createService(ctx: CoreContext, input: CreateServiceInput): Promise<ServiceRecord> {
  checkServiceName(input.serviceName);
  checkStrategyFields(input.schedulingStrategy ?? "REPLICA", input);
  if (input.schedulingStrategy !== "DAEMON" && input.desiredCount === undefined) throw new InvalidParameterException("desiredCount: required for a REPLICA service");
  if (input.desiredCount !== undefined) checkDesiredCount(input.desiredCount);
  const plan = resolveLaunch(input, await activeCluster(ctx, input.cluster));
  const td = await runnableDefinition(ctx, input.taskDefinition, plan.launchType);
  const launch = launchSettings(plan, td, undefined, input.platformVersion);
  checkFargatePlacement(launch.launchType, input.placementStrategy, input.placementConstraints);
  if (input.schedulingStrategy === "DAEMON" && launch.launchType === "FARGATE") {
    throw new InvalidParameterException("schedulingStrategy: The daemon scheduling strategy is not supported with the FARGATE launch type or Fargate capacity providers.");
  }
  input = { ...input, launchType: launch.launchType, capacityProviderStrategy: launch.capacityProviderStrategy };
  await resolveTaskNetwork(ctx, td, input.networkConfiguration);
  validatePlacement(input.placementStrategy, input.placementConstraints);
  checkGracePeriod(input.healthCheckGracePeriodSeconds);
  const loadBalancers = input.loadBalancers?.length ? await resolveServiceLoadBalancers(ctx, input.loadBalancers, td) : undefined;
  const scheduling = input.schedulingStrategy ?? "REPLICA";
  checkStrategyLoadBalancers(mergeDeploymentConfiguration(scheduling === "DAEMON" ? daemonDeploymentConfiguration : defaultDeploymentConfiguration, input.deploymentConfiguration, scheduling), loadBalancers);
  if (input.tags !== undefined) input = { ...input, tags: checkTagList(input.tags, "tags") };
  const daemonCount = input.schedulingStrategy === "DAEMON" ? await eligibleCount(ctx, input, td) : 0;
  const deploymentId = randomDeploymentId();
  for (let attempt = 0; attempt < 5; attempt++) {
    const cur = await ctx.store.services.get(input.cluster, input.serviceName);
    if (cur && cur.value.status !== "INACTIVE") {
      const same =
        cur.value.status === "ACTIVE" &&
        cur.value.taskDefinition === td.taskDefinitionArn &&
        cur.value.schedulingStrategy === (input.schedulingStrategy ?? "REPLICA") &&
        (cur.value.schedulingStrategy === "DAEMON" || cur.value.desiredCount === input.desiredCount);
      if (same) return cur.value;
      throw new InvalidParameterException("Creation of service was not idempotent.");
    }
    if (attempt === 0) await checkServiceQuota(ctx, input.cluster);
    // A name reused after its service went INACTIVE starts with no history of the old one.
    if (cur) await forgetServiceHistory(ctx, input.cluster, input.serviceName);
    try {
      const rec = await writeService(ctx, { ...newServiceRecord(ctx, input, td, deploymentId, ctx.now(), daemonCount), ...(loadBalancers ? { loadBalancers } : {}) }, cur?.modRevision ?? "0");
      ctx.log.info("service created", { cluster: input.cluster, service: rec.name, taskDefinition: rec.taskDefinition, desiredCount: rec.desiredCount, deploymentId });
      return rec;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new ConflictError(`service ${input.serviceName} kept changing while being created`);
}

/** What UpdateService may change; absent fields stay as they are. */
export interface ServiceChange {
  desiredCount?: number;
  /** Already resolved and checked: the ARN of the definition to deploy. */
  taskDefinition?: string;
  deploymentConfiguration?: DeploymentConfigurationInput;
  placementStrategy?: PlacementStrategy[];
  placementConstraints?: PlacementConstraint[];
  healthCheckGracePeriodSeconds?: number;
  forceNewDeployment?: boolean;
  /** For tasks started from now on; none of the three starts a deployment, as on ECS. */
  propagateTags?: PropagateTags;
  enableECSManagedTags?: boolean;
  enableExecuteCommand?: boolean;
  /** Absent keeps the service's own value (ECS: DISABLED when it never had one). */
  availabilityZoneRebalancing?: "ENABLED" | "DISABLED";
  /** Checked against the cluster; a different one starts a deployment, as does a new platformVersion. */
  capacityProviderStrategy?: StrategyItem[];
  platformVersion?: string;
  /** Already checked against the definition (as at CreateService); a different one starts a deployment. */
  networkConfiguration?: ServiceRecord["networkConfiguration"];
  /** Already resolved against the definition; a different list (`[]`: none) starts a deployment. */
  loadBalancers?: ServiceLoadBalancer[];
}

/**
 * The service after an UpdateService, or undefined when nothing changes. Pure. A different task
 * definition, capacity, platform version or networkConfiguration, or `forceNewDeployment`, starts a new PRIMARY deployment (id `deploymentId`); the
 * previous PRIMARY becomes ACTIVE and keeps its tasks until the reconciler drains it. A new
 * desiredCount is also the PRIMARY deployment's.
 */
export function applyServiceChange(svc: ServiceRecord, change: ServiceChange, deploymentId: string, now: number): ServiceRecord | undefined {
  if (svc.status !== "ACTIVE") throw new ServiceNotActiveException("Service was not ACTIVE.");
  checkStrategyFields(svc.schedulingStrategy, change);
  const desiredCount = change.desiredCount ?? svc.desiredCount;
  const taskDefinition = change.taskDefinition ?? svc.taskDefinition;
  const deploymentConfiguration = mergeDeploymentConfiguration(svc.deploymentConfiguration, change.deploymentConfiguration, svc.schedulingStrategy);
  const loadBalancers = change.loadBalancers ?? svc.loadBalancers ?? [];
  const lbChanged = JSON.stringify(loadBalancers) !== JSON.stringify(svc.loadBalancers ?? []);
  // ECS changes a service's load balancers with rolling deployments; a traffic-shifting one moves
  // traffic between the groups it has, so a new list there would be a new service.
  if (lbChanged && (shiftsTraffic(deploymentConfiguration.strategy) || shiftsTraffic(svc.deploymentConfiguration.strategy))) {
    throw new InvalidParameterException(`loadBalancers: a ${deploymentConfiguration.strategy} service keeps the load balancers it was created with; berth changes them with ROLLING deployments only`);
  }
  checkStrategyLoadBalancers(deploymentConfiguration, loadBalancers);
  const capacityProviderStrategy = change.capacityProviderStrategy ?? svc.capacityProviderStrategy;
  const platformVersion = change.platformVersion ?? svc.platformVersion;
  const capacityChanged =
    JSON.stringify(capacityProviderStrategy) !== JSON.stringify(svc.capacityProviderStrategy) || platformVersion !== svc.platformVersion;
  const networkConfiguration = change.networkConfiguration ?? svc.networkConfiguration;
  const networkChanged = JSON.stringify(networkConfiguration) !== JSON.stringify(svc.networkConfiguration);
  const redeploy = taskDefinition !== svc.taskDefinition || change.forceNewDeployment === true || capacityChanged || networkChanged || lbChanged;
  let deployments = svc.deployments;
  if (redeploy) {
    // The tasks already running stay in the groups they registered with until they are replaced.
    const pinned = lbChanged ? pinDeploymentLoadBalancers(deployments, svc.loadBalancers) : deployments;
    const previous = pinned.map((d) => (d.status === "PRIMARY" ? { ...d, status: "ACTIVE" as const, updatedAtMs: now } : d));
    const capacity = {
      ...(capacityProviderStrategy && { capacityProviderStrategy }),
      ...(platformVersion && { platformVersion }),
      ...(networkConfiguration && { networkConfiguration }),
    };
    // A BLUE_GREEN, LINEAR or CANARY deployment serves from the groups its source does not and
    // moves through the lifecycle stages (reconcile/service/strategy); RECONCILE_SERVICE comes
    // first when more than one deployment still runs.
    const source = deployments.find((d) => d.status === "PRIMARY");
    const strategy = deploymentConfiguration.strategy;
    const shift =
      source && shiftsTraffic(strategy)
        ? { shift: initialShift({ strategy, sourceDeploymentId: source.id, ...nextDeploymentGroups(svc, source) }, deployments.length > 1, now) }
        : {};
    const ownGroups = previous.some((d) => d.loadBalancers) ? { loadBalancers } : {};
    deployments = [{ ...newDeployment(deploymentId, taskDefinition, desiredCount, svc.launchType, now), ...capacity, ...shift, ...ownGroups }, ...previous];
  } else if (desiredCount !== svc.desiredCount) {
    deployments = deployments.map((d) => (d.status === "PRIMARY" ? { ...d, desiredCount, updatedAtMs: now } : d));
  }
  const next: ServiceRecord = {
    ...svc,
    desiredCount,
    taskDefinition,
    deploymentConfiguration,
    deployments,
    ...(capacityProviderStrategy && { capacityProviderStrategy }),
    ...(platformVersion && { platformVersion }),
    ...(networkConfiguration && { networkConfiguration }),
    ...(loadBalancers.length > 0 ? { loadBalancers } : { loadBalancers: undefined }),
    placementStrategy: change.placementStrategy ?? svc.placementStrategy,
    placementConstraints: change.placementConstraints ?? svc.placementConstraints,
    healthCheckGracePeriodSeconds: change.healthCheckGracePeriodSeconds ?? svc.healthCheckGracePeriodSeconds,
    propagateTags: change.propagateTags === undefined ? svc.propagateTags : propagateTagsOf(change.propagateTags),
    enableECSManagedTags: change.enableECSManagedTags === undefined ? svc.enableECSManagedTags : change.enableECSManagedTags || undefined,
    enableExecuteCommand: change.enableExecuteCommand === undefined ? svc.enableExecuteCommand : change.enableExecuteCommand || undefined,
    availabilityZoneRebalancing: zoneRebalancingOf(svc.schedulingStrategy, change.availabilityZoneRebalancing ?? svc.availabilityZoneRebalancing ?? "DISABLED"),
  };
  if (JSON.stringify({ ...next, version: 0 }) === JSON.stringify({ ...svc, version: 0 })) return undefined;
  return { ...next, version: svc.version + 1 };
}

/** The request fields of UpdateService as the API edge received them. */
export interface UpdateServiceInput extends Omit<ServiceChange, "taskDefinition" | "capacityProviderStrategy" | "loadBalancers"> {
  /** A family, family:revision or ARN, resolved here. */
  taskDefinition?: string;
  capacityProviderStrategy?: StrategyItemInput[];
  /** Resolved here against the definition the service will run; `[]` removes them all. */
  loadBalancers?: ServiceLoadBalancerInput[];
}

/**
 * Applies an UpdateService to `cluster`/`name` with a guarded read-modify-write (retried on
 * conflicts). ServiceNotFoundException when there is no such service, ServiceNotActiveException
 * when it is DRAINING or INACTIVE.
 */
export async function updateService(ctx: CoreContext, cluster: string, name: string, input: UpdateServiceInput): Promise<ServiceRecord> {
  const clusterRecord = await activeCluster(ctx, cluster);
  if (input.desiredCount !== undefined) checkDesiredCount(input.desiredCount);
  validatePlacement(input.placementStrategy, input.placementConstraints);
  checkGracePeriod(input.healthCheckGracePeriodSeconds);
  const existing = await ctx.store.services.get(cluster, name);
  if (!existing) throw new ServiceNotFoundException("Service not found.");
  const td = input.taskDefinition === undefined ? undefined : await runnableDefinition(ctx, input.taskDefinition, existing.value.launchType);
  // A Fargate service's new definition must be one Fargate runs, as at CreateService.
  if (td && existing.value.launchType === "FARGATE") checkFargateLaunch(td, undefined);
  // The service's target groups must fit the new definition too (an instance group and an awsvpc one are refused).
  if (td && !input.loadBalancers && existing.value.loadBalancers?.length) await resolveServiceLoadBalancers(ctx, existing.value.loadBalancers, td);
  // New loadBalancers are checked as CreateService checks them, against the definition the service will run.
  const loadBalancers = input.loadBalancers && (input.loadBalancers.length > 0 ? await resolveServiceLoadBalancers(ctx, input.loadBalancers, td ?? (await resolveTaskDefinition(ctx, existing.value.taskDefinition))) : []);
  const change: ServiceChange = { ...input, taskDefinition: td?.taskDefinitionArn, capacityProviderStrategy: undefined, loadBalancers };
  if (input.capacityProviderStrategy?.length) {
    const plan = resolveLaunch({ capacityProviderStrategy: input.capacityProviderStrategy }, clusterRecord);
    // Fargate and EC2 capacity take different definitions and networking: a new service, not an update.
    if (plan.launchType !== existing.value.launchType) {
      throw new InvalidParameterException(`capacityProviderStrategy: the service runs on ${existing.value.launchType} capacity; its strategy can only name ${existing.value.launchType === "FARGATE" ? "Fargate" : "EC2"} capacity providers`);
    }
    change.capacityProviderStrategy = plan.strategy;
  }
  if (input.platformVersion) checkPlatformVersion(input.platformVersion, existing.value.launchType);
  // A new networkConfiguration is checked against the definition the service will run, with
  // CreateService's errors (unknown subnets or groups, limits, a mode that takes none); a new
  // awsvpc definition needs one, the service's own or the request's.
  if (input.networkConfiguration || td?.networkMode === "awsvpc") {
    const target = td ?? (await resolveTaskDefinition(ctx, existing.value.taskDefinition));
    await resolveTaskNetwork(ctx, target, input.networkConfiguration ?? existing.value.networkConfiguration);
  }
  const deploymentId = randomDeploymentId();
  let before: ServiceRecord | undefined;
  const rec = await mutateService(ctx, cluster, name, (cur) => {
    before = cur;
    return applyServiceChange(cur, change, deploymentId, ctx.now());
  });
  if (!rec) throw new ServiceNotFoundException("Service not found.");
  if (before && rec !== before) {
    const deployed = rec.deployments[0].id !== before.deployments[0]?.id;
    ctx.log.info("service updated", {
      cluster,
      service: name,
      desiredCount: rec.desiredCount,
      taskDefinition: rec.taskDefinition,
      ...(deployed ? { deploymentId: rec.deployments[0].id } : {}),
    });
  }
  return rec;
}

/**
 * The service as DeleteService leaves it: DRAINING with no tasks wanted, so the reconciler
 * stops its tasks and then marks it INACTIVE. Refused while scaled above 0 unless forced. Pure.
 */
export function drainService(svc: ServiceRecord, force: boolean, now: number): ServiceRecord {
  if (svc.status !== "ACTIVE") throw new ServiceNotActiveException("Service was not ACTIVE.");
  // A DAEMON service cannot be scaled to 0 first, so it needs no force (as on ECS).
  if (svc.schedulingStrategy !== "DAEMON" && svc.desiredCount > 0 && !force) throw new InvalidParameterException("The service cannot be stopped while it is scaled above 0.");
  return {
    ...svc,
    status: "DRAINING",
    desiredCount: 0,
    deletedAtMs: now,
    deployments: svc.deployments.map((d) => (d.desiredCount === 0 ? d : { ...d, desiredCount: 0, updatedAtMs: now })),
    version: svc.version + 1,
  };
}

/** DeleteService: {@link drainService} written with a guarded read-modify-write. */
export async function deleteService(ctx: CoreContext, cluster: string, name: string, force: boolean): Promise<ServiceRecord> {
  await activeCluster(ctx, cluster);
  const rec = await mutateService(ctx, cluster, name, (cur) => drainService(cur, force, ctx.now()));
  if (!rec) throw new ServiceNotFoundException("Service not found.");
  ctx.log.info("service deleted", { cluster, service: name, from: "ACTIVE", to: "DRAINING", force });
  return rec;
}

/**
 * What ECS refuses of a DAEMON service: it takes no desired count (its count is its eligible instances) and no placement strategy (it places
 * on every instance). ECS's messages, behind the field they concern.
 */
function checkStrategyFields(strategy: SchedulingStrategy, input: { desiredCount?: number; placementStrategy?: PlacementStrategy[] }): void {
  if (strategy !== "DAEMON") return;
  if (input.desiredCount !== undefined) {
    throw new InvalidParameterException("desiredCount: The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again");
  }
  if ((input.placementStrategy?.length ?? 0) > 0) {
    throw new InvalidParameterException("placementStrategy: The daemon scheduling strategy does not support placement strategies. Remove the placement strategy and try again");
  }
}

/** How many of the cluster's instances a new DAEMON service would run on. */
async function eligibleCount(ctx: CoreContext, input: CreateServiceInput, td: TaskDefinitionRecord): Promise<number> {
  // Fargate agents run no DAEMON tasks (a DAEMON service is never a Fargate one).
  const instances = (await ctx.store.instances.list(keys.instances(input.cluster))).items.map((i) => i.value).filter((i) => !isFargateInstance(i));
  const constraints = [...((td.placementConstraints ?? []) as PlacementConstraint[]), ...(input.placementConstraints ?? [])];
  return eligibleInstances(snapshotInstances(instances), constraints).length;
}

/** Availability Zone rebalancing moves replica tasks; a DAEMON service has one task per instance, so only DISABLED fits it. */
function zoneRebalancingOf(strategy: SchedulingStrategy, value: "ENABLED" | "DISABLED"): "ENABLED" | "DISABLED" {
  if (strategy === "DAEMON" && value === "ENABLED") {
    throw new InvalidParameterException("availabilityZoneRebalancing: ENABLED is only supported for the REPLICA scheduling strategy");
  }
  return value;
}

import type {
  CreateServiceRequest,
  DeleteServiceRequest,
  DescribeServicesRequest,
  ListServicesRequest,
  UpdateServiceRequest,
} from "@aws-sdk/client-ecs";
import {
  clusterNameOf,
  InvalidParameterException,
  serviceGroup,
  UnsupportedFeatureException,
  type ServiceRecord,
  type TaskRecord,
} from "@berth/shared";
import {
  activeCluster,
  checkLaunchOptions,
  clusterTasks,
  createService,
  listServicesPage,
  propagateTagsOf,
  deleteService,
  serviceNameOf,
  updateService,
  type CoreContext,
  type DeploymentConfigurationInput,
} from "../../../core/index.js";
import { nextTokenOf, pageRequest } from "../pagination.js";
import { serviceShape } from "../service-shapes.js";
import type { ActionTable } from "./types.js";

/** ECS's limit on services named in one DescribeServices. */
const maxDescribe = 10;

/** CreateService, UpdateService, DeleteService, DescribeServices, ListServices. */
export const serviceActions: ActionTable = {
  async CreateService(ctx, input: CreateServiceRequest) {
    checkLaunchOptions({ propagateTags: input.propagateTags }, "CreateService");
    refuseUnsupported(input, "CreateService");
    if (input.deploymentController && input.deploymentController.type !== "ECS") {
      throw new UnsupportedFeatureException(`deploymentController.type: only ECS (rolling update) deployments are supported, got ${input.deploymentController.type}`);
    }
    if (!input.taskDefinition) throw new InvalidParameterException("taskDefinition: a task definition is required for a service using the ECS deployment controller");
    const cluster = clusterNameOf(input.cluster);
    const rec = await createService(ctx, {
      cluster,
      serviceName: input.serviceName!,
      taskDefinition: input.taskDefinition,
      desiredCount: input.desiredCount,
      schedulingStrategy: input.schedulingStrategy === "DAEMON" ? "DAEMON" : "REPLICA",
      launchType: input.launchType,
      capacityProviderStrategy: input.capacityProviderStrategy,
      platformVersion: input.platformVersion,
      deploymentConfiguration: deploymentConfigurationOf(input.deploymentConfiguration),
      placementStrategy: input.placementStrategy as never,
      placementConstraints: input.placementConstraints as never,
      healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds,
      tags: input.tags,
      createdBy: `arn:aws:iam::${ctx.scope.account}:root`,
      propagateTags: propagateTagsOf(input.propagateTags),
      enableECSManagedTags: input.enableECSManagedTags,
      enableExecuteCommand: input.enableExecuteCommand,
      availabilityZoneRebalancing: input.availabilityZoneRebalancing,
      networkConfiguration: input.networkConfiguration,
      loadBalancers: input.loadBalancers,
    });
    return { service: serviceShape(rec, await serviceTasks(ctx, cluster, rec.name), true) };
  },

  async UpdateService(ctx, input: UpdateServiceRequest) {
    refuseUnsupported(input, "UpdateService");
    const cluster = clusterNameOf(input.cluster);
    const name = serviceNameOf(input.service!, cluster);
    const rec = await updateService(ctx, cluster, name, {
      desiredCount: input.desiredCount,
      taskDefinition: input.taskDefinition,
      deploymentConfiguration: deploymentConfigurationOf(input.deploymentConfiguration),
      placementStrategy: input.placementStrategy as never,
      placementConstraints: input.placementConstraints as never,
      healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds,
      forceNewDeployment: input.forceNewDeployment,
      // NONE is a value here (stop propagating), unlike an absent field (leave it as it is).
      propagateTags: input.propagateTags,
      enableECSManagedTags: input.enableECSManagedTags,
      enableExecuteCommand: input.enableExecuteCommand,
      availabilityZoneRebalancing: input.availabilityZoneRebalancing,
      capacityProviderStrategy: input.capacityProviderStrategy,
      platformVersion: input.platformVersion,
      networkConfiguration: input.networkConfiguration,
      // Absent keeps them; [] removes them all, as ECS reads it.
      loadBalancers: input.loadBalancers,
    });
    return { service: serviceShape(rec, await serviceTasks(ctx, cluster, name), true) };
  },

  async DeleteService(ctx, input: DeleteServiceRequest) {
    const cluster = clusterNameOf(input.cluster);
    const name = serviceNameOf(input.service!, cluster);
    const rec = await deleteService(ctx, cluster, name, input.force ?? false);
    return { service: serviceShape(rec, await serviceTasks(ctx, cluster, name), true) };
  },

  async DescribeServices(ctx, input: DescribeServicesRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const refs = input.services ?? [];
    if (refs.length < 1 || refs.length > maxDescribe) throw new InvalidParameterException(`services: between 1 and ${maxDescribe} services per call`);
    const names = refs.map((ref) => serviceNameOf(ref, cluster, "services"));
    const [records, tasks] = await Promise.all([
      Promise.all(names.map((n) => ctx.store.services.get(cluster, n))),
      clusterTasks(ctx, cluster),
    ]);
    const services = [];
    const failures = [];
    for (const [i, got] of records.entries()) {
      if (!got) {
        failures.push({ arn: refs[i], reason: "MISSING" });
        continue;
      }
      services.push(serviceShape(got.value, ofService(tasks, got.value.name), input.include?.includes("TAGS")));
    }
    return { services, failures };
  },

  async ListServices(ctx, input: ListServicesRequest) {
    const cluster = clusterNameOf(input.cluster);
    await activeCluster(ctx, cluster);
    const res = await listServicesPage(ctx, cluster, { launchType: input.launchType, schedulingStrategy: input.schedulingStrategy }, pageRequest(input, 10));
    return { serviceArns: res.items.map((s) => s.arn), nextToken: nextTokenOf(res.next) };
  },
};

/** Request fields that name features berth does not have: refused rather than silently ignored. */
function refuseUnsupported(input: CreateServiceRequest | UpdateServiceRequest, action: string): void {
  const unsupported: [string, boolean][] = [
    ["serviceRegistries", (input.serviceRegistries?.length ?? 0) > 0],
    ["serviceConnectConfiguration", input.serviceConnectConfiguration?.enabled === true],
  ];
  for (const [field, used] of unsupported) {
    if (used) throw new UnsupportedFeatureException(`${field}: not supported by berth's ${action} yet`);
  }
}

function deploymentConfigurationOf(c: CreateServiceRequest["deploymentConfiguration"]): DeploymentConfigurationInput | undefined {
  if (!c) return undefined;
  return {
    minimumHealthyPercent: c.minimumHealthyPercent,
    maximumPercent: c.maximumPercent,
    deploymentCircuitBreaker: c.deploymentCircuitBreaker,
    strategy: c.strategy,
    bakeTimeInMinutes: c.bakeTimeInMinutes,
    linearConfiguration: c.linearConfiguration,
    canaryConfiguration: c.canaryConfiguration,
    lifecycleHooks: c.lifecycleHooks,
    alarms: c.alarms,
  };
}


const ofService = (tasks: TaskRecord[], name: string) => tasks.filter((t) => t.group === serviceGroup(name));

/** A service's tasks (every status), for the counts DescribeServices shows. */
async function serviceTasks(ctx: CoreContext, cluster: string, name: ServiceRecord["name"]): Promise<TaskRecord[]> {
  return ofService(await clusterTasks(ctx, cluster), name);
}

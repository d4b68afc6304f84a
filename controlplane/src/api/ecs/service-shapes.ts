import type { Deployment, NetworkConfiguration, Service, ServiceEvent } from "@aws-sdk/client-ecs";
import type { DeploymentRecord, ServiceRecord, TaskRecord } from "@berth/shared";
import { serviceCounts, type TaskCounts } from "../../reconcile/service/counts.js";
import { currentRevisions } from "./service-history-shapes.js";

/** An SDK shape with its Date fields as the epoch seconds AWS JSON 1.1 sends. */
type Wire<T> = { [K in keyof T]: T[K] extends Date | undefined ? number | undefined : T[K] };

/** A Service as DescribeServices answers it, nested timestamps in epoch seconds too. */
export type ServiceShape = Omit<Wire<Service>, "deployments" | "events"> & {
  deployments: Wire<Deployment>[];
  events: Wire<ServiceEvent>[];
};

const seconds = (ms: number) => ms / 1000;
const none: TaskCounts = { running: 0, pending: 0 };

function deploymentShape(d: DeploymentRecord, counts: TaskCounts): Wire<Deployment> {
  return {
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinition,
    desiredCount: d.desiredCount,
    pendingCount: counts.pending,
    runningCount: counts.running,
    failedTasks: d.failedTasks,
    createdAt: seconds(d.createdAtMs),
    updatedAt: seconds(d.updatedAtMs),
    // ECS shows either a launch type or the capacity provider strategy that replaced it.
    ...(d.capacityProviderStrategy ? { capacityProviderStrategy: d.capacityProviderStrategy } : { launchType: d.launchType }),
    ...(d.platformVersion && { platformVersion: d.platformVersion, platformFamily: "Linux" }),
    networkConfiguration: networkConfigurationShape(d.networkConfiguration),
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
  };
}

/**
 * A service record as ECS shows it. Running and pending counts come from `tasks`, the service's
 * own tasks (group `service:NAME`), so they are never stale; tags only when asked for.
 */
export function serviceShape(s: ServiceRecord, tasks: TaskRecord[], includeTags = false): ServiceShape {
  const counts = serviceCounts(s, tasks);
  return {
    serviceArn: s.arn,
    serviceName: s.name,
    clusterArn: s.clusterArn,
    loadBalancers: (s.loadBalancers ?? []).map((lb) => ({ ...lb })),
    serviceRegistries: [],
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: counts.service.running,
    pendingCount: counts.service.pending,
    ...(s.capacityProviderStrategy ? { capacityProviderStrategy: s.capacityProviderStrategy } : { launchType: s.launchType }),
    ...(s.platformVersion && { platformVersion: s.platformVersion, platformFamily: "Linux" }),
    taskDefinition: s.taskDefinition,
    deploymentConfiguration: {
      deploymentCircuitBreaker: { ...s.deploymentConfiguration.deploymentCircuitBreaker },
      maximumPercent: s.deploymentConfiguration.maximumPercent,
      minimumHealthyPercent: s.deploymentConfiguration.minimumHealthyPercent,
      ...strategyShape(s.deploymentConfiguration),
    },
    deployments: s.deployments.map((d) => deploymentShape(d, counts.deployments.get(d.id) ?? none)),
    events: s.events.map((e) => ({ id: e.id, createdAt: seconds(e.createdAtMs), message: e.message })),
    createdAt: seconds(s.createdAtMs),
    placementConstraints: s.placementConstraints,
    placementStrategy: s.placementStrategy,
    healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
    schedulingStrategy: s.schedulingStrategy,
    deploymentController: { type: "ECS" },
    tags: includeTags ? (s.tags ?? []) : undefined,
    createdBy: s.createdBy,
    enableECSManagedTags: s.enableECSManagedTags ?? false,
    propagateTags: s.propagateTags ?? "NONE",
    enableExecuteCommand: s.enableExecuteCommand ?? false,
    networkConfiguration: networkConfigurationShape(s.networkConfiguration),
    currentServiceDeployment: s.deployments.find((d) => d.status === "PRIMARY")?.serviceDeploymentArn,
    currentServiceRevisions: currentRevisions(s, tasks),
    availabilityZoneRebalancing: s.availabilityZoneRebalancing ?? "DISABLED",
  };
}

/** The strategy fields of a deploymentConfiguration as ECS shows them (none for a service that never set a strategy). */
function strategyShape(c: ServiceRecord["deploymentConfiguration"]) {
  return {
    ...(c.strategy && { strategy: c.strategy }),
    ...(c.bakeTimeInMinutes !== undefined && { bakeTimeInMinutes: c.bakeTimeInMinutes }),
    ...(c.linearConfiguration && { linearConfiguration: { ...c.linearConfiguration } }),
    ...(c.canaryConfiguration && { canaryConfiguration: { ...c.canaryConfiguration } }),
    ...(c.alarms && { alarms: { alarmNames: [...c.alarms.alarmNames], enable: c.alarms.enable, rollback: c.alarms.rollback } }),
    ...(c.lifecycleHooks && {
      lifecycleHooks: c.lifecycleHooks.map((h) => ({
        targetType: "AWS_LAMBDA" as const,
        hookTargetArn: h.hookTargetArn,
        lifecycleStages: h.lifecycleStages,
        ...(h.roleArn && { roleArn: h.roleArn }),
        ...(h.hookDetails !== undefined && { hookDetails: h.hookDetails as never }),
        ...((h.timeoutInMinutes !== undefined || h.timeoutAction) && { timeoutConfiguration: { timeoutInMinutes: h.timeoutInMinutes, action: h.timeoutAction } }),
      })),
    }),
  };
}

/** A service's networkConfiguration as ECS shows it: `assignPublicIp` DISABLED unless given. */
function networkConfigurationShape(nc: ServiceRecord["networkConfiguration"]): NetworkConfiguration | undefined {
  const c = nc?.awsvpcConfiguration;
  if (!c) return undefined;
  return { awsvpcConfiguration: { subnets: c.subnets ?? [], securityGroups: c.securityGroups, assignPublicIp: c.assignPublicIp === "ENABLED" ? "ENABLED" : "DISABLED" } };
}

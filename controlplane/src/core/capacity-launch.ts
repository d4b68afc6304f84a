import {
  CAPACITY_PROVIDER_ATTRIBUTE,
  ephemeralStorageProblem,
  FARGATE_ATTRIBUTE,
  fargateProblem,
  fargateSizeProblem,
  InvalidParameterException,
  type ClusterRecord,
  type ContainerInstanceRecord,
  type TaskDefinitionRecord,
  type TaskOverride,
} from "@berth/shared";
import { checkStrategy, FARGATE_PROVIDERS, isFargateProvider, type StrategyItem, type StrategyItemInput } from "./capacity-strategy.js";

/**
 * Where a task runs, pure: a request's launch type or capacity provider strategy (or the
 * cluster's default strategy) resolved against the cluster, the Fargate rules a FARGATE launch
 * must meet, and which container instances serve which capacity.
 */

/** The launch types a task or service record holds. */
export type LaunchType = "EC2" | "EXTERNAL" | "FARGATE";

/** How a request's tasks are placed: by a launch type, or split over a strategy's providers. */
export type LaunchPlan = { launchType: LaunchType; strategy?: undefined } | { strategy: StrategyItem[]; launchType: LaunchType };

/** One pool of capacity a group of tasks is placed in. */
export interface CapacityTarget {
  launchType: LaunchType;
  /** Set when the tasks came through a capacity provider (shown as the task's capacityProviderName). */
  capacityProviderName?: string;
}

/** The platform versions berth accepts for Fargate tasks; LATEST is the newest. */
export const PLATFORM_VERSIONS = ["LATEST", "1.4.0", "1.3.0"] as const;

/** What LATEST resolves to on a task (DescribeTasks shows the version the task runs on). */
export const latestPlatformVersion = "1.4.0";

/** The providers a cluster has: what PutClusterCapacityProviders set, else FARGATE and FARGATE_SPOT. */
export function clusterProviders(cluster: Pick<ClusterRecord, "capacityProviders">): string[] {
  return cluster.capacityProviders ?? [...FARGATE_PROVIDERS];
}

/** What a RunTask or CreateService request says about capacity. */
export interface LaunchInput {
  launchType?: string;
  capacityProviderStrategy?: StrategyItemInput[];
}

/**
 * The launch plan for a request in `cluster`: its launch type; else its strategy, each provider
 * associated with the cluster; else the cluster's default strategy; else EC2, as ECS falls back
 * when a cluster has no default. Both a launch type and a strategy are refused, as ECS refuses them.
 */
export function resolveLaunch(input: LaunchInput, cluster: Pick<ClusterRecord, "capacityProviders" | "defaultCapacityProviderStrategy">): LaunchPlan {
  const given = input.capacityProviderStrategy ?? [];
  if (given.length > 0 && input.launchType !== undefined) {
    throw new InvalidParameterException("Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
  }
  if (input.launchType !== undefined) {
    if (input.launchType === "MANAGED_INSTANCES") {
      throw new InvalidParameterException("launchType: MANAGED_INSTANCES runs on Amazon ECS Managed Instances capacity providers, which berth does not have; use EC2, EXTERNAL or FARGATE");
    }
    return { launchType: input.launchType as LaunchType };
  }
  const strategy = given.length > 0 ? checkStrategy(given) : (cluster.defaultCapacityProviderStrategy ?? []);
  if (strategy.length === 0) return { launchType: "EC2" };
  const associated = new Set(clusterProviders(cluster));
  const missing = strategy.filter((s) => !associated.has(s.capacityProvider)).map((s) => s.capacityProvider);
  if (missing.length > 0) {
    throw new InvalidParameterException(
      `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again. (${missing.join(", ")})`,
    );
  }
  return { strategy, launchType: targetOf(strategy[0].capacityProvider).launchType };
}

/** The pool a capacity provider places into: the Fargate agents, or the instances carrying its name. */
export function targetOf(provider: string): CapacityTarget {
  return { launchType: isFargateProvider(provider) ? "FARGATE" : "EC2", capacityProviderName: provider };
}

/** Whether an instance is a Fargate agent (hidden from ListContainerInstances, serving FARGATE tasks only). */
export function isFargateInstance(i: Pick<ContainerInstanceRecord, "attributes">): boolean {
  return i.attributes.some((a) => a.name === FARGATE_ATTRIBUTE && a.value === "true");
}

/**
 * The instances `target` places on: the Fargate agents for FARGATE; otherwise the others, and
 * only those carrying `berth.capacity-provider=<name>` for an EC2 capacity provider.
 */
export function instancesForTarget<T extends Pick<ContainerInstanceRecord, "attributes">>(instances: readonly T[], target: CapacityTarget): T[] {
  return instances.filter((i) => servesTarget(i, target));
}

/** Whether one instance is in `target`'s pool (see instancesForTarget). */
export function servesTarget(i: Pick<ContainerInstanceRecord, "attributes">, target: CapacityTarget): boolean {
  if (target.launchType === "FARGATE") return isFargateInstance(i);
  const provider = target.capacityProviderName;
  return !isFargateInstance(i) && (provider === undefined || i.attributes.some((a) => a.name === CAPACITY_PROVIDER_ATTRIBUTE && a.value === provider));
}

/**
 * Refuses a platformVersion ECS refuses: one for a non-Fargate launch, or a version that does
 * not exist. Returns the version a Fargate task runs on (LATEST resolved), else undefined.
 */
export function checkPlatformVersion(platformVersion: string | undefined, launchType: LaunchType): string | undefined {
  const given = platformVersion === "" ? undefined : platformVersion;
  if (launchType !== "FARGATE") {
    if (given !== undefined) throw new InvalidParameterException(`The platform version must be null when specifying an ${launchType} launch type.`);
    return undefined;
  }
  if (given === undefined || given === "LATEST") return latestPlatformVersion;
  if (!(PLATFORM_VERSIONS as readonly string[]).includes(given)) {
    throw new InvalidParameterException(`The specified platform version does not exist. (platformVersion: ${given}; berth has ${PLATFORM_VERSIONS.join(", ")})`);
  }
  return given;
}

/**
 * Refuses a FARGATE launch of `td` as ECS does: the definition must be Fargate-compatible
 * (awsvpc, a Fargate size, no privileged containers, no host paths …; see fargateProblem), and
 * the overrides' task cpu/memory a Fargate size and their ephemeral storage 21-200 GiB.
 * Returns the task's ephemeral storage in GiB.
 */
export function checkFargateLaunch(td: TaskDefinitionRecord, overrides: TaskOverride | undefined): number {
  const problem = fargateProblem(td);
  if (problem) throw new InvalidParameterException(`Task definition does not support launch_type FARGATE. ${problem}`);
  if (overrides?.cpu !== undefined || overrides?.memory !== undefined) {
    const sized = fargateSizeProblem(overrides.cpu ?? td.cpu!, overrides.memory ?? td.memory!);
    if (sized) throw new InvalidParameterException(`overrides: ${sized}`);
  }
  const storage = ephemeralStorageProblem(overrides?.ephemeralStorage?.sizeInGiB);
  if (storage) throw new InvalidParameterException(`overrides.${storage}`);
  return overrides?.ephemeralStorage?.sizeInGiB ?? td.ephemeralStorage?.sizeInGiB ?? 20;
}

/** What the tasks of a request are started with, once its launch plan and definition are known. */
export interface LaunchSettings {
  launchType: LaunchType;
  capacityProviderStrategy?: StrategyItem[];
  /** Fargate only: the platform version the tasks run on (LATEST resolved). */
  platformVersion?: string;
  /** Fargate only: each task's ephemeral storage in GiB. */
  ephemeralStorageGiB?: number;
}

/**
 * The settings a request's tasks start with: the plan's launch type and strategy, and for a
 * Fargate plan the checked platform version and ephemeral storage. Refuses a platformVersion
 * off Fargate and a definition or overrides Fargate cannot run.
 */
export function launchSettings(plan: LaunchPlan, td: TaskDefinitionRecord, overrides: TaskOverride | undefined, platformVersion: string | undefined): LaunchSettings {
  const version = checkPlatformVersion(platformVersion, plan.launchType);
  const base: LaunchSettings = { launchType: plan.launchType, ...(plan.strategy && { capacityProviderStrategy: plan.strategy }) };
  if (plan.launchType !== "FARGATE") return base;
  return { ...base, platformVersion: version, ephemeralStorageGiB: checkFargateLaunch(td, overrides) };
}

/**
 * Refuses placement strategies and constraints on a Fargate launch, as ECS does: Fargate
 * chooses where a task runs (berth: by its size across the Fargate agents).
 */
export function checkFargatePlacement(launchType: LaunchType, placementStrategy: readonly unknown[] | undefined, placementConstraints: readonly unknown[] | undefined): void {
  if (launchType !== "FARGATE") return;
  if ((placementStrategy?.length ?? 0) > 0) throw new InvalidParameterException("placementStrategy: Task placement strategies are not supported for tasks hosted on Fargate.");
  if ((placementConstraints?.length ?? 0) > 0) throw new InvalidParameterException("placementConstraints: Task placement constraints are not supported for tasks hosted on Fargate.");
}

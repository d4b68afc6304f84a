import {
  ClientException,
  InvalidParameterException,
  ResourceInUseException,
  type CapacityProviderRecord,
  type CapacityProviderStrategyRecord,
  type ServiceRecord,
} from "@berth/shared";
import { checkStrategy, FARGATE_PROVIDERS, isFargateProvider, type StrategyItemInput } from "./capacity-strategy.js";

/**
 * The pure rules of capacity providers: names, the autoScalingGroupProvider berth keeps, and
 * what PutClusterCapacityProviders may set. berth has no Auto Scaling: an EC2 provider's
 * capacity is the container instances carrying `berth.capacity-provider=<name>`.
 */

const namePattern = /^[a-zA-Z0-9_-]{1,255}$/;

/** ECS's limit on providers associated with one cluster. */
export const maxClusterProviders = 20;

/** Refuses a name ECS refuses for a new capacity provider. */
export function checkProviderName(name: string): void {
  if (!namePattern.test(name)) {
    throw new InvalidParameterException("name: Up to 255 characters are allowed. They include letters (both upper and lowercase letters), numbers, underscores (_), and hyphens (-).");
  }
  if (/^(aws|ecs|fargate)/i.test(name)) {
    throw new InvalidParameterException(`name: The name can't be prefixed with "aws", "ecs", or "fargate". (${name})`);
  }
}

/** What CreateCapacityProvider carries of an Auto Scaling group. */
export interface AutoScalingGroupInput {
  autoScalingGroupArn?: string;
  managedScaling?: Record<string, unknown>;
  managedTerminationProtection?: string;
  managedDraining?: string;
}

/**
 * The autoScalingGroupProvider as stored: ECS requires the ARN, berth keeps it as a label (it
 * scales nothing); managed termination protection needs managed scaling, as on ECS.
 */
export function autoScalingGroupOf(input: AutoScalingGroupInput | undefined): CapacityProviderRecord["autoScalingGroupProvider"] {
  if (!input?.autoScalingGroupArn) {
    throw new InvalidParameterException(
      "autoScalingGroupProvider.autoScalingGroupArn: is required; berth has no Auto Scaling groups and keeps the ARN as given (the provider's capacity is the instances with the attribute berth.capacity-provider=<name>)",
    );
  }
  const managedScaling = input.managedScaling ?? { status: "DISABLED", targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupPeriod: 300 };
  const managedTerminationProtection = input.managedTerminationProtection ?? "DISABLED";
  if (managedTerminationProtection === "ENABLED" && managedScaling.status !== "ENABLED") {
    throw new InvalidParameterException("autoScalingGroupProvider.managedTerminationProtection: The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, the capacity provider must have managed scaling enabled.");
  }
  const min = managedScaling.minimumScalingStepSize;
  const max = managedScaling.maximumScalingStepSize;
  // Managed scaling reads the steps as bounds of one scale-out: a minimum above the maximum bounds nothing.
  if (typeof min === "number" && typeof max === "number" && min > max) {
    throw new InvalidParameterException(`autoScalingGroupProvider.managedScaling.minimumScalingStepSize: must not be greater than maximumScalingStepSize (${min} > ${max})`);
  }
  return {
    autoScalingGroupArn: input.autoScalingGroupArn,
    managedScaling,
    managedTerminationProtection,
    managedDraining: input.managedDraining ?? "ENABLED",
  };
}

/** The cluster's providers and default strategy after a PutClusterCapacityProviders. */
export interface ClusterCapacity {
  capacityProviders: string[];
  defaultCapacityProviderStrategy: CapacityProviderStrategyRecord[];
}

/**
 * Checks a PutClusterCapacityProviders (or CreateCluster) request: every provider exists
 * (FARGATE and FARGATE_SPOT always do; others must be ACTIVE in `known`), at most 20, the default
 * strategy names only listed providers, and no provider a service's strategy uses is dropped
 * (ResourceInUseException, as ECS).
 */
export function checkClusterCapacity(
  providers: readonly string[],
  strategy: readonly StrategyItemInput[],
  known: ReadonlyMap<string, CapacityProviderRecord>,
  services: readonly Pick<ServiceRecord, "name" | "status" | "capacityProviderStrategy">[] = [],
): ClusterCapacity {
  if (providers.length > maxClusterProviders) {
    throw new InvalidParameterException(`capacityProviders: at most ${maxClusterProviders} capacity providers can be associated with a cluster, got ${providers.length}`);
  }
  const unique = [...new Set(providers)];
  for (const p of unique) {
    if (isFargateProvider(p)) continue;
    if (known.get(p)?.status !== "ACTIVE") throw new ClientException(`capacityProviders: The specified capacity provider does not exist. (${p})`);
  }
  const checked = checkStrategy(strategy, "defaultCapacityProviderStrategy");
  const missing = checked.filter((s) => !unique.includes(s.capacityProvider)).map((s) => s.capacityProvider);
  if (missing.length > 0) {
    throw new InvalidParameterException(
      `defaultCapacityProviderStrategy: The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again. (${missing.join(", ")})`,
    );
  }
  for (const svc of services) {
    if (svc.status === "INACTIVE") continue;
    const dropped = (svc.capacityProviderStrategy ?? []).find((s) => !unique.includes(s.capacityProvider));
    if (dropped) {
      throw new ResourceInUseException(`The specified capacity provider is in use and cannot be removed. (${dropped.capacityProvider} is in the strategy of service ${svc.name})`);
    }
  }
  return { capacityProviders: unique, defaultCapacityProviderStrategy: checked };
}

/** The built-in providers as DescribeCapacityProviders shows them. */
export const builtInProviders: readonly string[] = FARGATE_PROVIDERS;

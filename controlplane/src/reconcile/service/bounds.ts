import type { DeploymentConfiguration } from "@berth/shared";

/** The breaker threshold lives in shared: service deployments report it too. */
export { circuitBreakerThreshold } from "@berth/shared";

/** The task-count bounds a rolling deployment keeps to. */
export interface DeploymentBounds {
  desired: number;
  /** Live tasks allowed, stopping ones included: floor(desired × maximumPercent / 100). */
  maxTotal: number;
  /** Healthy tasks the plan's own stops must leave: ceil(desired × minimumHealthyPercent / 100). */
  minHealthy: number;
}

/**
 * ECS's rounding: maximumPercent rounds down and minimumHealthyPercent rounds up, so both
 * bounds err on the side of availability and capacity the user did not allow is never used.
 */
export function deploymentBounds(desired: number, config: DeploymentConfiguration): DeploymentBounds {
  return {
    desired,
    maxTotal: Math.floor((desired * config.maximumPercent) / 100),
    minHealthy: Math.ceil((desired * config.minimumHealthyPercent) / 100),
  };
}


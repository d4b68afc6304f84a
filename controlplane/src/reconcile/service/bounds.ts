import type { DeploymentConfiguration } from "@berth/shared";

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

/**
 * Failed tasks that trip the deployment circuit breaker: 0.5 × desired count, at least 3 and at
 * most 200 (ECS's ServiceDeploymentCircuitBreaker.threshold). Half of an odd count rounds up, so
 * a deployment of 7 trips at 4 failures, never at 3.5.
 */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(Math.max(Math.ceil(desiredCount * 0.5), 3), 200);
}

import { randomInt } from "node:crypto";
import {
  InvalidParameterException,
  parseArn,
  type DeploymentConfiguration,
  type DeploymentRecord,
  type SchedulingStrategy,
} from "@berth/shared";
import { mergeStrategyFields, type StrategyConfigurationInput } from "./deployment-strategy-rules.js";
import { mergeDeploymentAlarms, type DeploymentAlarmsInput } from "./deployment-alarm-rules.js";

/**
 * The pure rules of services that CreateService, UpdateService and the rollback share: quotas,
 * names, deployment configurations and new deployment records.
 */

/** ECS's quota of tasks per service; a larger desiredCount is refused rather than attempted. */
export const maxServiceDesiredCount = 5000;

/** ECS's defaults: keep every task while deploying, allow twice as many, breaker off. */
export const defaultDeploymentConfiguration: DeploymentConfiguration = Object.freeze({
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  deploymentCircuitBreaker: Object.freeze({ enable: false, rollback: false }),
}) as DeploymentConfiguration;

/** ECS's defaults for a DAEMON service: stop a host's old task before starting its new one. */
export const daemonDeploymentConfiguration: DeploymentConfiguration = Object.freeze({
  minimumHealthyPercent: 0,
  maximumPercent: 100,
  deploymentCircuitBreaker: Object.freeze({ enable: false, rollback: false }),
}) as DeploymentConfiguration;

/** The deploymentConfiguration fields a request may carry, each optional (a partial update). */
export interface DeploymentConfigurationInput extends StrategyConfigurationInput {
  minimumHealthyPercent?: number;
  maximumPercent?: number;
  deploymentCircuitBreaker?: { enable?: boolean; rollback?: boolean };
  alarms?: DeploymentAlarmsInput;
}

/**
 * `base` with the fields `patch` sets, checked as ECS checks them: the minimum 0..100, the
 * maximum at least 100 (exactly 100 for a DAEMON service, which runs one task per instance),
 * and room between them so a rolling deployment can move.
 */
export function mergeDeploymentConfiguration(
  base: DeploymentConfiguration,
  patch?: DeploymentConfigurationInput,
  strategy: SchedulingStrategy = "REPLICA",
): DeploymentConfiguration {
  const merged: DeploymentConfiguration = {
    minimumHealthyPercent: patch?.minimumHealthyPercent ?? base.minimumHealthyPercent,
    maximumPercent: patch?.maximumPercent ?? base.maximumPercent,
    deploymentCircuitBreaker: {
      enable: patch?.deploymentCircuitBreaker?.enable ?? base.deploymentCircuitBreaker.enable,
      rollback: patch?.deploymentCircuitBreaker?.rollback ?? base.deploymentCircuitBreaker.rollback,
    },
    // strategy, bake times, linear/canary configuration and lifecycle hooks (absent for ROLLING records)
    ...mergeStrategyFields(base, patch, strategy),
  };
  const alarms = mergeDeploymentAlarms(base.alarms, patch?.alarms);
  if (alarms) merged.alarms = alarms;
  const { minimumHealthyPercent: min, maximumPercent: max } = merged;
  if (!Number.isInteger(min) || min < 0 || min > 100) {
    throw new InvalidParameterException(`deploymentConfiguration.minimumHealthyPercent: must be an integer from 0 to 100, got ${min}`);
  }
  if (strategy === "DAEMON" && max !== 100) {
    throw new InvalidParameterException(
      max > 100
        ? "deploymentConfiguration.maximumPercent: The daemon scheduling strategy does not support values above 100 for maximumPercent on a deployment configuration. Change the maximumPercent value to 100, and try again"
        : `deploymentConfiguration.maximumPercent: must be 100 for a DAEMON service, got ${max}`,
    );
  }
  if (!Number.isInteger(max) || max < 100) {
    throw new InvalidParameterException(`deploymentConfiguration.maximumPercent: must be an integer of at least 100 for a REPLICA service, got ${max}`);
  }
  // min == max (both 100) leaves no room to start a new task or stop an old one.
  if (min >= max) {
    throw new InvalidParameterException(
      `deploymentConfiguration: maximumPercent (${max}) must be greater than minimumHealthyPercent (${min}), or a deployment could never replace a task`,
    );
  }
  if (merged.deploymentCircuitBreaker.rollback && !merged.deploymentCircuitBreaker.enable) {
    throw new InvalidParameterException("deploymentConfiguration.deploymentCircuitBreaker: rollback requires enable");
  }
  return merged;
}

const serviceNamePattern = /^[a-zA-Z0-9_-]{1,255}$/;

/** Refuses service names ECS refuses. */
export function checkServiceName(name: string, field = "serviceName"): void {
  if (!serviceNamePattern.test(name)) {
    throw new InvalidParameterException(`${field}: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed`);
  }
}

/**
 * The service name a reference gives: a name, a `service/cluster/name` ARN (its cluster must be
 * `cluster`) or an old-format `service/name` ARN.
 */
export function serviceNameOf(ref: string, cluster: string, field = "service"): string {
  const arn = parseArn(ref);
  if (!arn) {
    checkServiceName(ref, field);
    return ref;
  }
  if (arn.kind !== "service" || arn.path.length > 2) throw new InvalidParameterException(`${field}: '${ref}' is not a service ARN`);
  if (arn.path.length === 2 && arn.path[0] !== cluster) {
    throw new InvalidParameterException(`${field}: '${ref}' belongs to cluster '${arn.path[0]}', not '${cluster}'`);
  }
  const name = arn.path[arn.path.length - 1];
  checkServiceName(name, field);
  return name;
}

/** Refuses a desiredCount ECS would refuse. */
export function checkDesiredCount(n: number, field = "desiredCount"): void {
  if (!Number.isInteger(n) || n < 0) throw new InvalidParameterException(`${field}: must be an integer of 0 or more, got ${n}`);
  if (n > maxServiceDesiredCount) throw new InvalidParameterException(`${field}: at most ${maxServiceDesiredCount} tasks per service, got ${n}`);
}

/**
 * A deployment id as ECS writes it: `ecs-svc/` and 19 digits (the first never 0), random. The
 * service planner makes its own from its round seed (reconcile/service/ids.ts); core cannot
 * import the reconciler (it imports core), and API calls have no seed to replay.
 */
export function randomDeploymentId(): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < 19) digits += String(randomInt(0, 10));
  return `ecs-svc/${digits}`;
}

/** A new PRIMARY deployment, rolling out. */
export function newDeployment(id: string, taskDefinition: string, desiredCount: number, launchType: DeploymentRecord["launchType"], now: number): DeploymentRecord {
  return {
    id,
    status: "PRIMARY",
    taskDefinition,
    desiredCount,
    failedTasks: 0,
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: `ECS deployment ${id} in progress.`,
    createdAtMs: now,
    updatedAtMs: now,
    launchType,
  };
}

/** Refuses a healthCheckGracePeriodSeconds ECS refuses (0..2147483647; without a load balancer it applies to container health checks). */
export function checkGracePeriod(seconds: number | undefined): void {
  if (seconds === undefined) return;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 2_147_483_647) {
    throw new InvalidParameterException(`healthCheckGracePeriodSeconds: must be an integer from 0 to 2147483647, got ${seconds}`);
  }
}

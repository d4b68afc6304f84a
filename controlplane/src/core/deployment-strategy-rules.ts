import {
  InvalidParameterException,
  UnsupportedFeatureException,
  type DeploymentConfiguration,
  type DeploymentStrategyName,
  type HookStage,
  type LifecycleHookRecord,
  type SchedulingStrategy,
  type ServiceLoadBalancer,
} from "@berth/shared";

/**
 * ECS's rules for deploymentConfiguration.strategy and what goes with it (bakeTimeInMinutes,
 * linearConfiguration, canaryConfiguration, lifecycleHooks), as the model's documentation
 * states them. Pure: a partial request over the stored configuration in, the merged fields or an
 * InvalidParameterException naming the field out.
 */

/** The strategy fields a CreateService or UpdateService request may carry (ECS's shapes). */
export interface StrategyConfigurationInput {
  strategy?: string;
  bakeTimeInMinutes?: number;
  linearConfiguration?: { stepPercent?: number; stepBakeTimeInMinutes?: number };
  canaryConfiguration?: { canaryPercent?: number; canaryBakeTimeInMinutes?: number };
  lifecycleHooks?: LifecycleHookInput[];
}

/** One lifecycle hook as a request gives it. */
export interface LifecycleHookInput {
  targetType?: string;
  hookTargetArn?: string;
  roleArn?: string;
  lifecycleStages?: string[];
  hookDetails?: unknown;
  timeoutConfiguration?: { timeoutInMinutes?: number; action?: string };
}

/** The strategy part of a DeploymentConfiguration. */
export type StrategyFields = Pick<DeploymentConfiguration, "strategy" | "bakeTimeInMinutes" | "linearConfiguration" | "canaryConfiguration" | "lifecycleHooks">;

const strategies: readonly DeploymentStrategyName[] = ["ROLLING", "BLUE_GREEN", "LINEAR", "CANARY"];
const hookStages: readonly HookStage[] = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRE_PRODUCTION_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
];
/** ECS's bounds on bake times: 0 to 1440 minutes (24 hours). */
const maxBakeMinutes = 1440;
/** ECS's bounds on a hook's timeoutInMinutes. */
const maxHookTimeoutMinutes = 20160;

/** ECS's documented defaults. */
export const strategyDefaults = {
  linear: { stepPercent: 10, stepBakeTimeInMinutes: 6 },
  canary: { canaryPercent: 5, canaryBakeTimeInMinutes: 10 },
} as const;

/** True for the strategies that shift traffic between target groups. */
export function shiftsTraffic(strategy: DeploymentStrategyName | undefined): strategy is "BLUE_GREEN" | "LINEAR" | "CANARY" {
  return strategy === "BLUE_GREEN" || strategy === "LINEAR" || strategy === "CANARY";
}

function minutes(n: unknown, field: string): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > maxBakeMinutes) {
    throw new InvalidParameterException(`${field}: must be an integer from 0 to ${maxBakeMinutes} minutes, got ${String(n)}`);
  }
  return n;
}

/** A percentage that is a multiple of 0.1 within [min, 100], as ECS documents step and canary percents. */
function tenths(n: unknown, min: number, field: string): number {
  const ok = typeof n === "number" && Number.isFinite(n) && n >= min - 1e-9 && n <= 100 + 1e-9 && Math.abs(n * 10 - Math.round(n * 10)) < 1e-6;
  if (!ok) throw new InvalidParameterException(`${field}: must be a multiple of 0.1 from ${min.toFixed(1)} to 100.0, got ${String(n)}`);
  return Math.round(n * 10) / 10;
}

/**
 * A lifecycle hook checked: berth calls an http(s) URL where ECS calls a Lambda function, so
 * hookTargetArn must be one (a Lambda ARN is refused rather than never called); PAUSE hooks
 * need ContinueServiceDeployment, which berth does not serve.
 */
export function checkLifecycleHook(h: LifecycleHookInput, field: string): LifecycleHookRecord {
  if (h.targetType !== undefined && h.targetType !== "AWS_LAMBDA") {
    if (h.targetType === "PAUSE") throw new UnsupportedFeatureException(`${field}.targetType: PAUSE hooks (ContinueServiceDeployment) are not supported by berth`);
    throw new InvalidParameterException(`${field}.targetType: must be AWS_LAMBDA or PAUSE, got ${h.targetType}`);
  }
  if (!h.hookTargetArn) throw new InvalidParameterException(`${field}.hookTargetArn: required for an AWS_LAMBDA lifecycle hook`);
  let url: URL | undefined;
  try {
    url = new URL(h.hookTargetArn);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new InvalidParameterException(`${field}.hookTargetArn: berth calls lifecycle hooks over HTTP; give an http:// or https:// URL in place of a Lambda function ARN, got ${h.hookTargetArn}`);
  }
  const stages = h.lifecycleStages ?? [];
  if (stages.length === 0) throw new InvalidParameterException(`${field}.lifecycleStages: at least one lifecycle stage is required`);
  for (const [i, s] of stages.entries()) {
    if (!hookStages.includes(s as HookStage)) throw new InvalidParameterException(`${field}.lifecycleStages[${i}]: '${s}' is not one of ${hookStages.join(", ")}`);
  }
  if (new Set(stages).size !== stages.length) throw new InvalidParameterException(`${field}.lifecycleStages: each stage may be named once`);
  const t = h.timeoutConfiguration;
  if (t?.timeoutInMinutes !== undefined && (!Number.isInteger(t.timeoutInMinutes) || t.timeoutInMinutes < 1 || t.timeoutInMinutes > maxHookTimeoutMinutes)) {
    throw new InvalidParameterException(`${field}.timeoutConfiguration.timeoutInMinutes: must be an integer from 1 to ${maxHookTimeoutMinutes}, got ${t.timeoutInMinutes}`);
  }
  if (t?.action !== undefined && t.action !== "ROLLBACK" && t.action !== "CONTINUE") {
    throw new InvalidParameterException(`${field}.timeoutConfiguration.action: must be ROLLBACK or CONTINUE, got ${t.action}`);
  }
  return {
    hookTargetArn: h.hookTargetArn,
    lifecycleStages: stages as HookStage[],
    ...(h.roleArn !== undefined && { roleArn: h.roleArn }),
    ...(h.hookDetails !== undefined && { hookDetails: h.hookDetails }),
    ...(t?.timeoutInMinutes !== undefined && { timeoutInMinutes: t.timeoutInMinutes }),
    ...(t?.action !== undefined && { timeoutAction: t.action as "ROLLBACK" | "CONTINUE" }),
  };
}

/**
 * The strategy fields after `patch` over `base` (absent fields keep the stored ones), checked as
 * ECS documents them: BLUE_GREEN needs bakeTimeInMinutes; linearConfiguration only with LINEAR
 * and canaryConfiguration only with CANARY (each filled with ECS's defaults); lifecycle hooks
 * only with a strategy that has lifecycle stages; no DAEMON service shifts traffic. Switching
 * strategy drops the other strategy's stored configuration.
 */
export function mergeStrategyFields(base: StrategyFields, patch: StrategyConfigurationInput | undefined, scheduling: SchedulingStrategy = "REPLICA"): StrategyFields {
  const field = "deploymentConfiguration";
  if (patch?.strategy !== undefined && !strategies.includes(patch.strategy as DeploymentStrategyName)) {
    throw new InvalidParameterException(`${field}.strategy: must be one of ${strategies.join(", ")}, got ${patch.strategy}`);
  }
  const strategy = (patch?.strategy as DeploymentStrategyName | undefined) ?? base.strategy ?? "ROLLING";
  if (scheduling === "DAEMON" && strategy !== "ROLLING") {
    throw new InvalidParameterException(`${field}.strategy: a DAEMON service deploys with ROLLING only, got ${strategy}`);
  }
  if (patch?.linearConfiguration !== undefined && strategy !== "LINEAR") {
    throw new InvalidParameterException(`${field}.linearConfiguration: only valid when the deployment strategy is LINEAR, not ${strategy}`);
  }
  if (patch?.canaryConfiguration !== undefined && strategy !== "CANARY") {
    throw new InvalidParameterException(`${field}.canaryConfiguration: only valid when the deployment strategy is CANARY, not ${strategy}`);
  }
  const bake = patch?.bakeTimeInMinutes ?? base.bakeTimeInMinutes;
  if (bake !== undefined) minutes(bake, `${field}.bakeTimeInMinutes`);
  if (strategy === "BLUE_GREEN" && bake === undefined) {
    throw new InvalidParameterException(`${field}.bakeTimeInMinutes: required when the deployment strategy is BLUE_GREEN`);
  }
  const out: StrategyFields = {};
  if (strategy !== "ROLLING" || base.strategy !== undefined || patch?.strategy !== undefined) out.strategy = strategy;
  if (bake !== undefined) out.bakeTimeInMinutes = bake;
  if (strategy === "LINEAR") {
    const l = { ...(base.linearConfiguration ?? strategyDefaults.linear), ...stripUndefined(patch?.linearConfiguration ?? {}) };
    out.linearConfiguration = {
      stepPercent: tenths(l.stepPercent, 3, `${field}.linearConfiguration.stepPercent`),
      stepBakeTimeInMinutes: minutes(l.stepBakeTimeInMinutes, `${field}.linearConfiguration.stepBakeTimeInMinutes`),
    };
  }
  if (strategy === "CANARY") {
    const c = { ...(base.canaryConfiguration ?? strategyDefaults.canary), ...stripUndefined(patch?.canaryConfiguration ?? {}) };
    out.canaryConfiguration = {
      canaryPercent: tenths(c.canaryPercent, 0.1, `${field}.canaryConfiguration.canaryPercent`),
      canaryBakeTimeInMinutes: minutes(c.canaryBakeTimeInMinutes, `${field}.canaryConfiguration.canaryBakeTimeInMinutes`),
    };
  }
  const hooks = patch?.lifecycleHooks !== undefined ? patch.lifecycleHooks.map((h, i) => checkLifecycleHook(h, `${field}.lifecycleHooks[${i}]`)) : base.lifecycleHooks;
  if (hooks && hooks.length > 0) {
    if (!shiftsTraffic(strategy)) throw new InvalidParameterException(`${field}.lifecycleHooks: lifecycle hooks run in BLUE_GREEN, LINEAR and CANARY deployments, not ${strategy}`);
    out.lifecycleHooks = hooks;
  }
  return out;
}

/**
 * A traffic-shifting strategy needs somewhere to shift: loadBalancers whose every entry has an
 * advancedConfiguration (alternate target group, production listener rule). ECS's blue/green
 * also works through Service Connect, which berth does not serve.
 */
export function checkStrategyLoadBalancers(c: StrategyFields, lbs: ServiceLoadBalancer[] | undefined): void {
  if (!shiftsTraffic(c.strategy)) return;
  if (!lbs?.length) {
    throw new InvalidParameterException(`deploymentConfiguration.strategy: ${c.strategy} shifts traffic between target groups; the service needs loadBalancers with an advancedConfiguration`);
  }
  for (const [i, lb] of lbs.entries()) {
    if (!lb.advancedConfiguration) {
      throw new InvalidParameterException(`loadBalancers[${i}].advancedConfiguration: required for a ${c.strategy} deployment (alternateTargetGroupArn, productionListenerRule)`);
    }
  }
}

/**
 * The production traffic percentages a strategy moves through, in order, each held for the
 * bake time {@link stepBakeMinutes} gives. BLUE_GREEN moves
 * all at once; CANARY sends canaryPercent first; LINEAR adds stepPercent per step. Pure.
 */
export function productionSteps(c: StrategyFields): number[] {
  switch (c.strategy) {
    case "CANARY": {
      const p = c.canaryConfiguration?.canaryPercent ?? strategyDefaults.canary.canaryPercent;
      return p >= 100 ? [100] : [p, 100];
    }
    case "LINEAR": {
      const step = c.linearConfiguration?.stepPercent ?? strategyDefaults.linear.stepPercent;
      const out: number[] = [];
      // Tenths as integers, so 3 × 33.3 does not drift past what the steps add up to.
      for (let t = Math.round(step * 10); t < 1000; t += Math.round(step * 10)) out.push(t / 10);
      return [...out, 100];
    }
    default:
      return [100];
  }
}

/**
 * Minutes to hold production step `i` of `steps` before the next: the canary's or the linear
 * step's bake time; none after the last step (100 %), which is followed by the BAKE_TIME stage's
 * bakeTimeInMinutes instead. Pure.
 */
export function stepBakeMinutes(c: StrategyFields, steps: number[], i: number): number {
  if (i >= steps.length - 1) return 0;
  if (c.strategy === "CANARY") return c.canaryConfiguration?.canaryBakeTimeInMinutes ?? strategyDefaults.canary.canaryBakeTimeInMinutes;
  if (c.strategy === "LINEAR") return c.linearConfiguration?.stepBakeTimeInMinutes ?? strategyDefaults.linear.stepBakeTimeInMinutes;
  return 0;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

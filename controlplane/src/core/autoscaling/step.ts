/** One StepAdjustment: bounds relative to the alarm threshold, and the adjustment. */
export interface StepAdjustment {
  MetricIntervalLowerBound?: number;
  MetricIntervalUpperBound?: number;
  ScalingAdjustment: number;
}

/** StepScalingPolicyConfiguration, as AWS names it. */
export interface StepScalingConfig {
  AdjustmentType?: "ChangeInCapacity" | "PercentChangeInCapacity" | "ExactCapacity";
  StepAdjustments?: StepAdjustment[];
  MinAdjustmentMagnitude?: number;
  Cooldown?: number;
  MetricAggregationType?: "Average" | "Minimum" | "Maximum";
}

/** AWS's default step scaling cooldown for ECS services, seconds. */
export const defaultStepCooldownSeconds = 300;

/** Everything one execution of a step policy depends on. */
export interface StepPlanInput {
  config: StepScalingConfig;
  nowMs: number;
  current: number;
  minCapacity: number;
  maxCapacity: number;
  /** The alarm's datapoints in its window; empty when its state was set by hand without any. */
  values: readonly number[];
  threshold: number;
  /** Whether the alarm breaches upwards (a GreaterThan… operator): decides the side of an exact threshold. */
  breachAbove: boolean;
  scaleInSuspended: boolean;
  scaleOutSuspended: boolean;
  lastScaleOutAtMs?: number;
  /** The desired count before the last scale-out: a scale-out in its cooldown counts from there. */
  lastScaleOutFrom?: number;
  lastScaleInAtMs?: number;
}

/** What a step policy execution does. */
export type StepPlan = { action: "none"; why: string } | { action: "scale"; direction: "out" | "in"; desired: number; adjustment: number; metricValue: number };

/** The metric value the policy acts on: MetricAggregationType (Average by default) over the values. Pure. */
export function aggregateMetric(kind: StepScalingConfig["MetricAggregationType"], values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  if (kind === "Minimum") return Math.min(...values);
  if (kind === "Maximum") return Math.max(...values);
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * The step whose interval holds `difference` (metric − threshold), AWS's bounds: above the
 * threshold the lower bound is inclusive and the upper exclusive, below it the other way round.
 * A difference of exactly 0 counts as above for an alarm that breaches upwards. Pure.
 */
export function matchStep(steps: readonly StepAdjustment[], difference: number, above: boolean): StepAdjustment | undefined {
  return steps.find((s) => {
    const lo = s.MetricIntervalLowerBound ?? -Infinity;
    const hi = s.MetricIntervalUpperBound ?? Infinity;
    return above ? difference >= lo && difference < hi : difference > lo && difference <= hi;
  });
}

/**
 * AWS's rounding of a percent change: above 1 down, between 0 and 1 up to 1, between −1 and 0
 * to −1, below −1 up (toward zero); then at least MinAdjustmentMagnitude in size. Pure.
 */
export function percentChange(current: number, percent: number, minMagnitude?: number): number {
  const raw = (current * percent) / 100;
  let change = raw > 1 ? Math.floor(raw) : raw > 0 ? 1 : raw < -1 ? Math.ceil(raw) : raw < 0 ? -1 : 0;
  if (minMagnitude !== undefined && change !== 0 && Math.abs(change) < minMagnitude) change = Math.sign(change) * minMagnitude;
  return change;
}

/**
 * One execution of a StepScaling policy, AWS's rules: the metric (aggregated over the alarm's
 * datapoints; the threshold itself when the state was set by hand without any) picks the step
 * whose interval holds its distance from the threshold; ChangeInCapacity adds the adjustment,
 * ExactCapacity sets it, PercentChangeInCapacity adds that percent of the current count (rounded
 * as AWS does, at least MinAdjustmentMagnitude); clamped to [min, max]. Within the Cooldown
 * after a scale-out, a further scale-out counts from the count before it and happens only when
 * larger; a scale-in waits for the cooldown after a scale-in. Suspended directions hold. Pure.
 */
export function planStep(input: StepPlanInput): StepPlan {
  const c = input.config;
  const steps = c.StepAdjustments ?? [];
  const metricValue = aggregateMetric(c.MetricAggregationType, input.values) ?? input.threshold;
  const difference = metricValue - input.threshold;
  const step = matchStep(steps, difference, difference > 0 || (difference === 0 && input.breachAbove));
  if (!step) return { action: "none", why: `no step adjustment holds the metric value ${metricValue} (threshold ${input.threshold})` };
  const cooldownMs = (c.Cooldown ?? defaultStepCooldownSeconds) * 1000;
  const inOutCooldown = input.lastScaleOutAtMs !== undefined && input.nowMs - input.lastScaleOutAtMs < cooldownMs;
  const clamp = (n: number) => Math.min(input.maxCapacity, Math.max(input.minCapacity, n));
  const desiredFrom = (base: number) => {
    switch (c.AdjustmentType ?? "ChangeInCapacity") {
      case "ExactCapacity":
        return clamp(step.ScalingAdjustment);
      case "PercentChangeInCapacity":
        return clamp(base + percentChange(base, step.ScalingAdjustment, c.MinAdjustmentMagnitude));
      default:
        return clamp(base + step.ScalingAdjustment);
    }
  };
  let desired = desiredFrom(input.current);
  if (desired > input.current && inOutCooldown && input.lastScaleOutFrom !== undefined) {
    // The scale-out that started the cooldown counts toward this one: only a larger one goes ahead.
    desired = Math.max(input.current, desiredFrom(input.lastScaleOutFrom));
    if (desired <= input.current) return { action: "none", why: "in scale-out cooldown" };
  }
  if (desired === input.current) return { action: "none", why: desired === input.maxCapacity && step.ScalingAdjustment > 0 ? `at maximum capacity ${input.maxCapacity}` : desired === input.minCapacity && step.ScalingAdjustment < 0 ? `at minimum capacity ${input.minCapacity}` : "no change in capacity" };
  const direction = desired > input.current ? "out" : "in";
  if (direction === "out" && input.scaleOutSuspended) return { action: "none", why: "dynamic scale-out is suspended" };
  if (direction === "in" && input.scaleInSuspended) return { action: "none", why: "dynamic scale-in is suspended" };
  if (direction === "in" && input.lastScaleInAtMs !== undefined && input.nowMs - input.lastScaleInAtMs < cooldownMs) return { action: "none", why: "in scale-in cooldown" };
  return { action: "scale", direction, desired, adjustment: step.ScalingAdjustment, metricValue };
}

/**
 * A StepScalingPolicyConfiguration AWS accepts, or the first problem, naming the member: an
 * AdjustmentType and at least one step; steps that neither overlap nor leave a gap, ordered by
 * their bounds; at most one open below and one open above, never both in one step; a negative
 * lower bound only with a step open below, a positive upper bound only with one open above;
 * MinAdjustmentMagnitude only for PercentChangeInCapacity. Pure.
 */
export function stepConfigProblem(c: StepScalingConfig): string | undefined {
  const at = "StepScalingPolicyConfiguration";
  if (c.AdjustmentType === undefined) return `${at}.AdjustmentType is required for a step scaling policy`;
  const steps = c.StepAdjustments ?? [];
  if (steps.length === 0) return `${at}.StepAdjustments: at least one step adjustment is required`;
  if (c.MinAdjustmentMagnitude !== undefined && c.AdjustmentType !== "PercentChangeInCapacity") {
    return `${at}.MinAdjustmentMagnitude is only supported with AdjustmentType PercentChangeInCapacity`;
  }
  const lo = (s: StepAdjustment) => s.MetricIntervalLowerBound ?? -Infinity;
  const hi = (s: StepAdjustment) => s.MetricIntervalUpperBound ?? Infinity;
  for (const [i, s] of steps.entries()) {
    if (s.MetricIntervalLowerBound === undefined && s.MetricIntervalUpperBound === undefined) return `${at}.StepAdjustments[${i}]: the upper and lower bound can't both be null`;
    if (!(lo(s) < hi(s))) return `${at}.StepAdjustments[${i}]: MetricIntervalLowerBound must be less than MetricIntervalUpperBound`;
  }
  const sorted = [...steps].sort((a, b) => lo(a) - lo(b));
  if (steps.filter((s) => s.MetricIntervalLowerBound === undefined).length > 1) return `${at}.StepAdjustments: at most one step adjustment can have a null lower bound`;
  if (steps.filter((s) => s.MetricIntervalUpperBound === undefined).length > 1) return `${at}.StepAdjustments: at most one step adjustment can have a null upper bound`;
  for (let i = 1; i < sorted.length; i++) {
    if (hi(sorted[i - 1]) !== lo(sorted[i])) return `${at}.StepAdjustments: the ranges of step adjustments can't overlap or have a gap (${hi(sorted[i - 1])} to ${lo(sorted[i])})`;
  }
  if (lo(sorted[0]) < 0 && lo(sorted[0]) !== -Infinity) return `${at}.StepAdjustments: a negative lower bound needs a step adjustment with a null lower bound`;
  const last = sorted[sorted.length - 1];
  if (hi(last) > 0 && hi(last) !== Infinity) return `${at}.StepAdjustments: a positive upper bound needs a step adjustment with a null upper bound`;
  return undefined;
}

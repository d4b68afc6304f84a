import { describe, expect, it } from "vitest";
import { matchStep, percentChange, planStep, stepConfigProblem, type StepPlanInput, type StepScalingConfig } from "./step.js";

// A scale-out policy on a threshold of 50: +1 from 50 to 70, +3 above 70.
const out: StepScalingConfig = {
  AdjustmentType: "ChangeInCapacity",
  StepAdjustments: [
    { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
    { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 },
  ],
  Cooldown: 60,
};
// A scale-in policy on a LessThan alarm at 50: −1 for anything below.
const inPolicy: StepScalingConfig = { AdjustmentType: "ChangeInCapacity", StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }], Cooldown: 60 };
const now = 1_000_000;
const base = (over: Partial<StepPlanInput>): StepPlanInput => ({
  config: out,
  nowMs: now,
  current: 2,
  minCapacity: 1,
  maxCapacity: 10,
  values: [60],
  threshold: 50,
  breachAbove: true,
  scaleInSuspended: false,
  scaleOutSuspended: false,
  ...over,
});

describe("planStep", () => {
  it.each<[string, Partial<StepPlanInput>, object]>([
    // 60 is 10 above: the first step, +1
    ["first step", {}, { action: "scale", direction: "out", desired: 3, adjustment: 1 }],
    // 75 is 25 above: the open-ended step, +3
    ["second step", { values: [75] }, { action: "scale", direction: "out", desired: 5, adjustment: 3 }],
    // exactly 20 above: lower bounds are inclusive above the threshold
    ["bound 20 goes up", { values: [70] }, { action: "scale", desired: 5 }],
    // Average (the default) of the window's datapoints: (60 + 80) / 2 = 70
    ["average of datapoints", { values: [60, 80] }, { action: "scale", desired: 5, metricValue: 70 }],
    // Maximum aggregation takes 80
    ["Maximum aggregation", { values: [55, 80], config: { ...out, MetricAggregationType: "Maximum" } }, { action: "scale", desired: 5, metricValue: 80 }],
    // Minimum aggregation takes 55
    ["Minimum aggregation", { values: [55, 80], config: { ...out, MetricAggregationType: "Minimum" } }, { action: "scale", desired: 3, metricValue: 55 }],
    // a state set by hand without datapoints: the threshold, on the breaching side
    ["no datapoints", { values: [] }, { action: "scale", desired: 3, metricValue: 50 }],
    // clamped to the maximum
    ["clamped to max", { current: 9, values: [90] }, { action: "scale", desired: 10 }],
    // already at the maximum
    ["at max", { current: 10, values: [90] }, { action: "none", why: "at maximum capacity 10" }],
    // ExactCapacity sets the count
    ["ExactCapacity", { config: { AdjustmentType: "ExactCapacity", StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 6 }] } }, { action: "scale", desired: 6 }],
    // PercentChangeInCapacity: 50 % of 4 is 2
    ["PercentChangeInCapacity", { current: 4, config: { AdjustmentType: "PercentChangeInCapacity", StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 50 }] } }, { action: "scale", desired: 6 }],
    // MinAdjustmentMagnitude lifts a 10 % change of 4 (0.4, rounded to 1) to 2
    ["MinAdjustmentMagnitude", { current: 4, config: { AdjustmentType: "PercentChangeInCapacity", StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 10 }], MinAdjustmentMagnitude: 2 } }, { action: "scale", desired: 6 }],
    // a scale-in step below the threshold
    ["scale in", { config: inPolicy, values: [30], breachAbove: false }, { action: "scale", direction: "in", desired: 1 }],
    // clamped to the minimum
    ["at min", { config: inPolicy, current: 1, values: [30], breachAbove: false }, { action: "none", why: "at minimum capacity 1" }],
    // no step holds a value below the threshold for a scale-out policy
    ["no step", { values: [40] }, { action: "none", why: "no step adjustment holds the metric value 40 (threshold 50)" }],
    // during the scale-out cooldown the same step counts from the count before: no change
    ["scale-out cooldown, same step", { current: 3, lastScaleOutAtMs: now - 30_000, lastScaleOutFrom: 2 }, { action: "none", why: "in scale-out cooldown" }],
    // during the scale-out cooldown a larger step goes ahead, from the count before
    ["scale-out cooldown, larger step", { current: 3, values: [90], lastScaleOutAtMs: now - 30_000, lastScaleOutFrom: 2 }, { action: "scale", desired: 5 }],
    // after the cooldown the step counts from the current count
    ["after the cooldown", { current: 3, lastScaleOutAtMs: now - 61_000, lastScaleOutFrom: 2 }, { action: "scale", desired: 4 }],
    // a scale-in waits for the cooldown after a scale-in
    ["scale-in cooldown", { config: inPolicy, current: 3, values: [30], breachAbove: false, lastScaleInAtMs: now - 10_000 }, { action: "none", why: "in scale-in cooldown" }],
    // a scale-in does not wait for a scale-out's cooldown
    ["scale-in after a scale-out", { config: inPolicy, current: 3, values: [30], breachAbove: false, lastScaleOutAtMs: now - 10_000, lastScaleOutFrom: 2 }, { action: "scale", desired: 2 }],
    // suspended scale-out holds
    ["suspended out", { scaleOutSuspended: true }, { action: "none", why: "dynamic scale-out is suspended" }],
    // suspended scale-in holds
    ["suspended in", { config: inPolicy, current: 3, values: [30], breachAbove: false, scaleInSuspended: true }, { action: "none", why: "dynamic scale-in is suspended" }],
  ])("%s", (_name, over, want) => {
    expect(planStep(base(over))).toMatchObject(want);
  });
});

describe("matchStep", () => {
  const steps = [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }, { MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }];
  it.each<[number, boolean, number]>([
    // a difference of 0 above the threshold: the lower bound 0 is inclusive
    [0, true, 1],
    // a difference of 0 below it: the upper bound 0 is inclusive
    [0, false, -1],
    // plainly above
    [5, true, 1],
    // plainly below
    [-5, false, -1],
  ])("difference %s (above %s)", (difference, above, adjustment) => {
    expect(matchStep(steps, difference, above)?.ScalingAdjustment).toBe(adjustment);
  });
});

describe("percentChange", () => {
  it.each<[number, number, number | undefined, number]>([
    // 12.7 rounds down
    [127, 10, undefined, 12],
    // 0.67 rounds up to 1
    [67, 1, undefined, 1],
    // −0.58 rounds to −1
    [58, -1, undefined, -1],
    // −6.67 rounds up, toward zero
    [667, -1, undefined, -6],
    // at least the minimum magnitude
    [4, 10, 3, 3],
    // no change stays no change
    [0, 50, 2, 0],
  ])("%s × %s %%", (current, percent, min, want) => {
    expect(percentChange(current, percent, min)).toBe(want);
  });
});

describe("stepConfigProblem", () => {
  const c = (steps: StepScalingConfig["StepAdjustments"], over: Partial<StepScalingConfig> = {}): StepScalingConfig => ({ AdjustmentType: "ChangeInCapacity", StepAdjustments: steps, ...over });
  it.each<[string, StepScalingConfig, RegExp | undefined]>([
    // one open-ended step above the threshold
    ["one step", c([{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }]), undefined],
    // contiguous steps in any order
    ["contiguous", c([{ MetricIntervalLowerBound: 20, ScalingAdjustment: 3 }, { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 }]), undefined],
    // a whole line: open below and above
    ["both sides", c([{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }, { MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }]), undefined],
    // no AdjustmentType
    ["no type", { StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] }, /AdjustmentType is required/],
    // no steps
    ["no steps", c([]), /at least one step adjustment is required/],
    // a gap between 10 and 20
    ["gap", c([{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 }]), /can't overlap or have a gap \(10 to 20\)/],
    // overlapping ranges
    ["overlap", c([{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 30, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 }]), /can't overlap or have a gap/],
    // both bounds null in one step
    ["unbounded step", c([{ ScalingAdjustment: 1 }]), /can't both be null/],
    // lower above upper
    ["inverted", c([{ MetricIntervalLowerBound: 10, MetricIntervalUpperBound: 5, ScalingAdjustment: 1 }]), /must be less than MetricIntervalUpperBound/],
    // a negative lower bound with nothing open below
    ["negative lower", c([{ MetricIntervalLowerBound: -10, ScalingAdjustment: 1 }]), /a negative lower bound needs a step adjustment with a null lower bound/],
    // a positive upper bound with nothing open above
    ["positive upper", c([{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 }]), /a positive upper bound needs a step adjustment with a null upper bound/],
    // MinAdjustmentMagnitude without a percent change
    ["magnitude", c([{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }], { MinAdjustmentMagnitude: 2 }), /only supported with AdjustmentType PercentChangeInCapacity/],
  ])("%s", (_name, cfg, want) => {
    const problem = stepConfigProblem(cfg);
    if (want === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(want);
  });
});

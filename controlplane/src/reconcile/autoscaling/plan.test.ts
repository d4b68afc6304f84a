import { describe, expect, it } from "vitest";
import { denseDatapoints, planScaling, type ScalePlan, type ScalePlanInput, type TrackingPolicy } from "./plan.js";

const cpu = (over: Partial<TrackingPolicy> = {}): TrackingPolicy => ({
  name: "cpu50",
  metric: "cpu",
  targetValue: 50,
  disableScaleIn: false,
  scaleOutCooldownMs: 60_000,
  scaleInCooldownMs: 60_000,
  highAlarm: "High",
  lowAlarm: "Low",
  ...over,
});
const mem = (over: Partial<TrackingPolicy> = {}) => cpu({ name: "mem70", metric: "memory", targetValue: 70, highAlarm: "MemHigh", lowAlarm: "MemLow", ...over });
const input = (over: Partial<ScalePlanInput>): ScalePlanInput => ({
  nowMs: 1_000_000,
  current: 2,
  minCapacity: 1,
  maxCapacity: 10,
  scaleInSuspended: false,
  scaleOutSuspended: false,
  policies: [cpu()],
  datapoints: {},
  scaleOutDatapoints: 3,
  scaleInDatapoints: 5,
  ...over,
});
const high = [90, 90, 100];
const low = [10, 10, 10, 10, 20];
const out = (desired: number, policy = "cpu50", alarm = "High", metricValue = 100): ScalePlan => ({ action: "scale", direction: "out", desired, policy, alarm, metricValue });
const scaleIn = (desired: number, policy = "cpu50", alarm = "Low", metricValue = 20): ScalePlan => ({ action: "scale", direction: "in", desired, policy, alarm, metricValue });
const none = (why: string): ScalePlan => ({ action: "none", why });

describe("planScaling", () => {
  it.each<[string, Partial<ScalePlanInput>, ScalePlan]>([
    // three datapoints over the target: ceil(2 × 100 / 50) = 4
    ["scale out", { datapoints: { cpu: high } }, out(4)],
    // one datapoint of the three under the target: AlarmHigh is not in ALARM
    ["two of three high", { datapoints: { cpu: [40, 90, 100] } }, none("no alarm in state ALARM")],
    // a missing datapoint is left out (CloudWatch's `missing`): the two present ones breach
    ["missing datapoint", { datapoints: { cpu: [90, undefined, 100] } }, out(4)],
    // the latest present datapoint sets the capacity
    ["latest present", { datapoints: { cpu: [90, 100, undefined] } }, out(4)],
    // under half the window present: no alarm
    ["mostly missing", { datapoints: { cpu: [undefined, undefined, 100] } }, none("no alarm in state ALARM")],
    // a present datapoint under the target among missing ones
    ["missing and one under", { datapoints: { cpu: [undefined, 40, 100] } }, none("no alarm in state ALARM")],
    // a short history counts as missing datapoints: two of three is enough
    ["short history", { datapoints: { cpu: [100, 100] } }, out(4)],
    // one datapoint is not
    ["one datapoint", { datapoints: { cpu: [100] } }, none("no alarm in state ALARM")],
    // clamped to the maximum
    ["max clamp", { maxCapacity: 3, datapoints: { cpu: high } }, out(3)],
    // already at the maximum
    ["at max", { current: 3, maxCapacity: 3, datapoints: { cpu: high } }, none("at maximum capacity 3")],
    // a scale-out 30 s ago holds a new one for the 60 s cooldown
    ["scale-out cooldown", { lastScaleOutAtMs: 970_000, datapoints: { cpu: high } }, none("in scale-out cooldown")],
    // the cooldown has run out
    ["after scale-out cooldown", { lastScaleOutAtMs: 900_000, datapoints: { cpu: high } }, out(4)],
    // a recent scale-in does not hold a scale-out
    ["scale-in cooldown does not hold out", { lastScaleInAtMs: 990_000, datapoints: { cpu: high } }, out(4)],
    // scale-out suspended
    ["out suspended", { scaleOutSuspended: true, datapoints: { cpu: high } }, none("dynamic scale-out is suspended")],
    // all five datapoints under 90 % of the target: ceil(2 × 20 / 50) = 1
    ["scale in", { datapoints: { cpu: low } }, scaleIn(1)],
    // under the target but not under 90 % of it: AlarmLow stays OK
    ["between 45 and 50", { datapoints: { cpu: [46, 46, 46, 46, 46] } }, none("no alarm in state ALARM")],
    // four of five low
    ["four of five low", { datapoints: { cpu: [60, 10, 10, 10, 10] } }, none("no alarm in state ALARM")],
    // clamped to the minimum
    ["min clamp", { current: 4, minCapacity: 3, datapoints: { cpu: [1, 1, 1, 1, 1] } }, scaleIn(3, "cpu50", "Low", 1)],
    // already at the minimum
    ["at min", { current: 1, datapoints: { cpu: low } }, none("at minimum capacity 1")],
    // scale-in cooldown
    ["scale-in cooldown", { lastScaleInAtMs: 950_000, datapoints: { cpu: low } }, none("in scale-in cooldown")],
    // DisableScaleIn: the policy never scales in
    ["disable scale-in", { policies: [cpu({ disableScaleIn: true })], datapoints: { cpu: low } }, none("no alarm in state ALARM")],
    // DisableScaleIn still scales out
    ["disable scale-in scales out", { policies: [cpu({ disableScaleIn: true })], datapoints: { cpu: high } }, out(4)],
    // scale-in suspended
    ["in suspended", { scaleInSuspended: true, datapoints: { cpu: low } }, none("dynamic scale-in is suspended")],
    // two policies: any scale-out wins, with the larger capacity (memory 175/70 × 2 = 5)
    ["largest scale-out", { policies: [cpu(), mem()], datapoints: { cpu: high, memory: [80, 90, 175] } }, out(5, "mem70", "MemHigh", 175)],
    // two policies: one wants out, one in: out
    ["out beats in", { policies: [cpu(), mem()], datapoints: { cpu: [10, 10, 10, 10, 10], memory: [10, 100, 100, 100, 100] } }, out(3, "mem70", "MemHigh", 100)],
    // two policies: scale in only when both are low
    ["in needs all", { policies: [cpu(), mem()], datapoints: { cpu: low, memory: [66, 66, 66, 66, 66] } }, none("no alarm in state ALARM")],
    // both low: the larger of the two capacities (memory ceil(4 × 50/70) = 3 over cpu ceil(4 × 20/50) = 2)
    ["in takes largest", { current: 4, policies: [cpu(), mem()], datapoints: { cpu: low, memory: [50, 50, 50, 50, 50] } }, scaleIn(3, "mem70", "MemLow", 50)],
    // a DisableScaleIn policy does not block the other from scaling in
    ["disabled one does not block", { policies: [cpu(), mem({ disableScaleIn: true })], datapoints: { cpu: low, memory: [60, 60, 60, 60, 60] } }, scaleIn(1)],
    // exact arithmetic: 2 × 75 / 50 = 3, not 4
    ["no rounding up past exact", { datapoints: { cpu: [75, 75, 75] } }, out(3, "cpu50", "High", 75)],
    // no policy
    ["no policies", { policies: [] }, none("no target tracking policy")],
  ])("%s", (_name, over, want) => {
    expect(planScaling(input(over))).toEqual(want);
  });
});

describe("denseDatapoints", () => {
  it("aligns periods to the last complete one and marks gaps", () => {
    const points = [{ startMs: 0, v: 1 }, { startMs: 2000, v: 3 }, { startMs: 3000, v: 4 }];
    expect(denseDatapoints(points, 3000, 1000, 4, (p) => p.v)).toEqual([1, undefined, 3, 4]);
    expect(denseDatapoints(points, 3000, 1000, 2, (p) => p.v)).toEqual([3, 4]);
  });
});

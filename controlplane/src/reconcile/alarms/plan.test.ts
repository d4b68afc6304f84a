import { describe, expect, it } from "vitest";
import type { MetricAlarmRecord } from "../../store/index.js";
import { dueActions } from "./plan.js";

const up = "arn:aws:autoscaling:us-east-1:1:scalingPolicy:a:resource/ecs/service/c/s:policyName/up";
const down = "arn:aws:autoscaling:us-east-1:1:scalingPolicy:b:resource/ecs/service/c/s:policyName/down";
type Alarm = Parameters<typeof dueActions>[0];
const alarm = (over: Partial<Alarm>): Alarm => ({
  config: { ActionsEnabled: true, AlarmActions: [up], OKActions: [down], InsufficientDataActions: [], Period: 10 } as unknown as MetricAlarmRecord["config"],
  stateValue: "ALARM",
  stateTransitionedMs: 1000,
  ...over,
});

describe("dueActions", () => {
  it.each<[string, Partial<Alarm>, number, string[]]>([
    // a new transition into ALARM: its actions
    ["into ALARM", {}, 1500, [up]],
    // acted on this transition just now: nothing
    ["acted", { actedTransitionMs: 1000, actedAtMs: 1500 }, 2000, []],
    // still in ALARM a period later: again (Application Auto Scaling re-invokes)
    ["repeat in ALARM", { actedTransitionMs: 1000, actedAtMs: 1500 }, 11_500, [up]],
    // a transition into OK: the OK actions, once
    ["into OK", { stateValue: "OK", actedTransitionMs: 500 }, 1500, [down]],
    // OK is not repeated
    ["OK not repeated", { stateValue: "OK", actedTransitionMs: 1000, actedAtMs: 1500 }, 99_000, []],
    // INSUFFICIENT_DATA without actions
    ["no actions for the state", { stateValue: "INSUFFICIENT_DATA" }, 1500, []],
    // actions disabled
    ["disabled", { config: { ...alarm({}).config, ActionsEnabled: false } }, 1500, []],
  ])("%s", (_name, over, now, want) => {
    expect(dueActions(alarm(over), now)).toEqual(want);
  });

  it("repeats at most a minute apart for long periods", () => {
    const a = alarm({ config: { ...alarm({}).config, Period: 300 }, actedTransitionMs: 1000, actedAtMs: 1000 });
    expect([dueActions(a, 60_999), dueActions(a, 61_000)]).toEqual([[], [up]]);
  });
});

import type { DeploymentConfiguration, LifecycleStage, TrafficShiftRecord } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { decideShift, nextTimedMove, type HookAnswer, type ShiftInput } from "./stages.js";

const minute = 1000;
const base: DeploymentConfiguration = { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false } };
const blueGreen: DeploymentConfiguration = { ...base, strategy: "BLUE_GREEN", bakeTimeInMinutes: 2 };
const canary: DeploymentConfiguration = { ...base, strategy: "CANARY", bakeTimeInMinutes: 0, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 3 } };
const linear: DeploymentConfiguration = { ...base, strategy: "LINEAR", bakeTimeInMinutes: 1, linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 } };
const hooked = (stages: string[], extra: object = {}): DeploymentConfiguration => ({
  ...blueGreen,
  lifecycleHooks: [{ hookTargetArn: "http://127.0.0.1:1/hook", lifecycleStages: stages as never, ...extra }],
});

function shift(over: Partial<TrafficShiftRecord> = {}): TrafficShiftRecord {
  return {
    strategy: "BLUE_GREEN",
    sourceDeploymentId: "ecs-svc/1",
    targetGroupArns: ["green"],
    sourceTargetGroupArns: ["blue"],
    stage: "PRE_SCALE_UP",
    stageStartedAtMs: 0,
    productionPercent: 0,
    step: -1,
    stepAtMs: 0,
    testRouted: false,
    hookResults: [],
    ...over,
  };
}

function input(over: Partial<ShiftInput>): ShiftInput {
  return { shift: shift(), config: blueGreen, now: 0, minuteMs: minute, hookRetryMs: 500, routeSettleMs: 200, greenReady: false, sourceGone: false, ...over };
}

const ok: HookAnswer = { hookStatus: "SUCCEEDED" };

/** Decides again and again (as rounds do) until nothing moves or a hook is to be called. */
function rounds(over: Partial<ShiftInput>): ReturnType<typeof decideShift> {
  let d = decideShift(input(over));
  for (let i = 0; i < 20 && !d.callHook && !d.rollback && !d.complete; i++) {
    const next = decideShift(input({ ...over, hookAnswer: undefined, shift: d.shift }));
    if (JSON.stringify(next) === JSON.stringify(d)) break;
    d = next;
  }
  return d;
}

describe("decideShift: stage transitions", () => {
  it.each<[string, Partial<ShiftInput>, { stage: LifecycleStage; percent: number; test?: boolean; call?: boolean; rollback?: boolean; complete?: boolean; done?: boolean }]>([
    // no hooks: PRE_SCALE_UP passes straight into SCALE_UP, which waits for the new tasks
    ["pre-scale-up without hooks waits in SCALE_UP", {}, { stage: "SCALE_UP", percent: 0 }],
    // RECONCILE_SERVICE without hooks is passed through too
    ["reconcile without hooks", { shift: shift({ stage: "RECONCILE_SERVICE" }) }, { stage: "SCALE_UP", percent: 0 }],
    // ready tasks: test traffic moves, production moves at once, then the bake holds
    ["blue/green ready shifts all and bakes", { shift: shift({ stage: "SCALE_UP" }), greenReady: true, now: 10 }, { stage: "BAKE_TIME", percent: 100, test: true }],
    // the bake ends after bakeTimeInMinutes: CLEAN_UP, done, waiting for the source to go
    ["bake over", { shift: shift({ stage: "BAKE_TIME", stageStartedAtMs: 0, productionPercent: 100, step: 0, testRouted: true }), now: 2 * minute }, { stage: "CLEAN_UP", percent: 100, test: true, done: true }],
    // the bake is over but the last rule change is still reaching the load balancers
    ["bake over, route settling", { shift: shift({ stage: "BAKE_TIME", stageStartedAtMs: 0, productionPercent: 100, step: 0, routedAtMs: 2 * minute - 100 }), now: 2 * minute }, { stage: "BAKE_TIME", percent: 100 }],
    // one ms before the bake ends nothing moves
    ["bake not over", { shift: shift({ stage: "BAKE_TIME", stageStartedAtMs: 0, productionPercent: 100, step: 0 }), now: 2 * minute - 1 }, { stage: "BAKE_TIME", percent: 100 }],
    // the source gone in CLEAN_UP: complete
    ["clean-up complete", { shift: shift({ stage: "CLEAN_UP", productionPercent: 100, done: true }), sourceGone: true }, { stage: "CLEAN_UP", percent: 100, complete: true, done: true }],
    // a hook at PRE_SCALE_UP is called before anything starts
    ["pre-scale-up hook called", { config: hooked(["PRE_SCALE_UP"]) }, { stage: "PRE_SCALE_UP", percent: 0, call: true }],
    // its SUCCEEDED answer lets the deployment scale up
    ["pre-scale-up hook succeeded", { config: hooked(["PRE_SCALE_UP"]), shift: shift({ hook: { hookIndex: 0, stage: "PRE_SCALE_UP", step: -1, status: "IN_PROGRESS", startedAtMs: 0, nextCallAtMs: 0 } }), hookAnswer: ok }, { stage: "SCALE_UP", percent: 0 }],
    // FAILED rolls back
    ["hook failed", { config: hooked(["POST_SCALE_UP"]), shift: shift({ stage: "POST_SCALE_UP", hook: { hookIndex: 0, stage: "POST_SCALE_UP", step: -1, status: "IN_PROGRESS", startedAtMs: 0, nextCallAtMs: 0 } }), hookAnswer: { hookStatus: "FAILED" } }, { stage: "POST_SCALE_UP", percent: 0, rollback: true }],
    // an unreachable hook counts as failed, as a failing Lambda does
    ["hook unreachable", { config: hooked(["POST_SCALE_UP"]), shift: shift({ stage: "POST_SCALE_UP", hook: { hookIndex: 0, stage: "POST_SCALE_UP", step: -1, status: "IN_PROGRESS", startedAtMs: 0, nextCallAtMs: 0 } }), hookAnswer: { error: "refused" } }, { stage: "POST_SCALE_UP", percent: 0, rollback: true }],
    // IN_PROGRESS waits for the retry delay, not called again at once
    ["hook in progress waits", { config: hooked(["POST_SCALE_UP"]), shift: shift({ stage: "POST_SCALE_UP", hook: { hookIndex: 0, stage: "POST_SCALE_UP", step: -1, status: "IN_PROGRESS", startedAtMs: 0, nextCallAtMs: 0 } }), hookAnswer: { hookStatus: "IN_PROGRESS" } }, { stage: "POST_SCALE_UP", percent: 0 }],
    // once the retry delay passed it is called again
    ["hook in progress called again", { config: hooked(["POST_SCALE_UP"]), now: 600, shift: shift({ stage: "POST_SCALE_UP", hook: { hookIndex: 0, stage: "POST_SCALE_UP", step: -1, status: "IN_PROGRESS", startedAtMs: 0, nextCallAtMs: 500 } }) }, { stage: "POST_SCALE_UP", percent: 0, call: true }],
    // past timeoutInMinutes with the default ROLLBACK action: rolled back
    ["hook timed out rolls back", { config: hooked(["POST_SCALE_UP"], { timeoutInMinutes: 1 }), now: minute, shift: shift({ stage: "POST_SCALE_UP", hook: { hookIndex: 0, stage: "POST_SCALE_UP", step: -1, status: "IN_PROGRESS", startedAtMs: 0, nextCallAtMs: 5000 } }) }, { stage: "POST_SCALE_UP", percent: 0, rollback: true }],
    // with CONTINUE the deployment goes on
    ["hook timed out continues", { config: hooked(["POST_SCALE_UP"], { timeoutInMinutes: 1, timeoutAction: "CONTINUE" }), now: minute, greenReady: true, shift: shift({ stage: "POST_SCALE_UP", hook: { hookIndex: 0, stage: "POST_SCALE_UP", step: -1, status: "IN_PROGRESS", startedAtMs: 0, nextCallAtMs: 5000 } }) }, { stage: "BAKE_TIME", percent: 100, test: true }],
    // PRE_PRODUCTION_TRAFFIC_SHIFT hooks run before any production traffic moves
    ["pre-production hook before the shift", { config: hooked(["PRE_PRODUCTION_TRAFFIC_SHIFT"]), shift: shift({ stage: "POST_TEST_TRAFFIC_SHIFT", testRouted: true }) }, { stage: "POST_TEST_TRAFFIC_SHIFT", percent: 0, test: true, call: true }],
    // PRODUCTION_TRAFFIC_SHIFT hooks run once the step's weights are applied
    ["production hook after the weights", { config: hooked(["PRODUCTION_TRAFFIC_SHIFT"]), shift: shift({ stage: "PRODUCTION_TRAFFIC_SHIFT", testRouted: true }) }, { stage: "PRODUCTION_TRAFFIC_SHIFT", percent: 100, test: true, call: true }],
    // a rolled-back shift decides nothing more
    ["rolled back stays", { shift: shift({ stage: "SCALE_UP", rollback: { reason: "x", startedAtMs: 0 } }), greenReady: true }, { stage: "SCALE_UP", percent: 0 }],
  ])("%s", (_name, over, want) => {
    const d = rounds(over);
    expect(d.shift.stage).toBe(want.stage);
    expect(d.shift.productionPercent).toBe(want.percent);
    expect(d.shift.testRouted).toBe(want.test ?? false);
    expect(d.callHook !== undefined).toBe(want.call ?? false);
    expect(d.rollback !== undefined).toBe(want.rollback ?? false);
    expect(d.complete ?? false).toBe(want.complete ?? false);
    expect(d.shift.done ?? false).toBe(want.done ?? false);
  });
});

describe("decideShift: production weights per step", () => {
  /** Runs decisions from SCALE_UP with ready tasks at the given times, recording the production percent after each. */
  const walk = (config: DeploymentConfiguration, times: number[]) => {
    let s = shift({ stage: "SCALE_UP", strategy: config.strategy as never });
    return times.map((now) => {
      s = rounds({ config, shift: s, now, greenReady: true }).shift;
      return [s.stage, s.productionPercent];
    });
  };

  it.each<[string, DeploymentConfiguration, number[], [LifecycleStage, number][]]>([
    // canary: 10 % for canaryBakeTimeInMinutes (3), then the rest at once, then bakeTimeInMinutes 0
    ["canary 10 %", canary, [0, 2999, 3000], [["PRODUCTION_TRAFFIC_SHIFT", 10], ["PRODUCTION_TRAFFIC_SHIFT", 10], ["CLEAN_UP", 100]]],
    // linear 25 %: 25, 50, 75, 100, a minute each, then a minute's bake
    ["linear 25 %", linear, [0, 1000, 2000, 2500, 3000, 3999, 4000], [["PRODUCTION_TRAFFIC_SHIFT", 25], ["PRODUCTION_TRAFFIC_SHIFT", 50], ["PRODUCTION_TRAFFIC_SHIFT", 75], ["PRODUCTION_TRAFFIC_SHIFT", 75], ["BAKE_TIME", 100], ["BAKE_TIME", 100], ["CLEAN_UP", 100]]],
    // blue/green: everything at once, then its bake of 2 minutes
    ["blue/green", blueGreen, [0, 1999, 2000], [["BAKE_TIME", 100], ["BAKE_TIME", 100], ["CLEAN_UP", 100]]],
  ])("%s", (_name, config, times, want) => {
    expect(walk(config, times)).toEqual(want);
  });
});

describe("decideShift: one stage per round", () => {
  it("shows every stage of a blue/green deployment without hooks in order", () => {
    let s = shift({ stage: "RECONCILE_SERVICE" });
    const seen: string[] = [s.stage];
    for (let now = 0; now < 10 * minute && !s.done; now += 500) {
      s = decideShift(input({ shift: s, now, greenReady: true })).shift;
      if (seen[seen.length - 1] !== s.stage) seen.push(s.stage);
    }
    expect(seen).toEqual(["RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"]);
  });
});

describe("nextTimedMove", () => {
  it.each<[string, TrafficShiftRecord, DeploymentConfiguration, number | undefined]>([
    // a canary step bakes canaryBakeTimeInMinutes from its weights
    ["canary step", shift({ stage: "PRODUCTION_TRAFFIC_SHIFT", step: 0, stepAtMs: 100, productionPercent: 10 }), canary, 100 + 3 * minute],
    // BAKE_TIME ends bakeTimeInMinutes after it began
    ["bake", shift({ stage: "BAKE_TIME", stageStartedAtMs: 50 }), blueGreen, 50 + 2 * minute],
    // a hook waiting to be asked again
    ["hook", shift({ hook: { hookIndex: 0, stage: "PRE_SCALE_UP", step: -1, status: "IN_PROGRESS", startedAtMs: 0, nextCallAtMs: 777 } }), blueGreen, 777],
    // SCALE_UP waits on tasks, not on the clock
    ["scale up", shift({ stage: "SCALE_UP" }), blueGreen, undefined],
  ])("%s", (_name, s, config, want) => {
    expect(nextTimedMove(s, config, minute)).toBe(want);
  });
});

import type { DeploymentConfiguration, HookStage, HookStatus, LifecycleStage, TrafficShiftRecord } from "@berth/shared";
import { productionSteps, stepBakeMinutes } from "../../../core/index.js";

/**
 * The pure decision step of BLUE_GREEN, LINEAR and CANARY deployments: a deployment's progress
 * (its TrafficShiftRecord), the clock and what was observed in, the next progress and what to
 * do out. The strategy runner (runner.ts) does the I/O: calls hooks, re-weights listener rules,
 * writes the record.
 *
 * ```
 * RECONCILE_SERVICE (only with more than one source deployment)        hooks
 * PRE_SCALE_UP               nothing started yet                         hooks
 * SCALE_UP                   the deployment's tasks start, in its own target groups,
 *                            until desired of them are healthy there
 * POST_SCALE_UP                                                          hooks
 * TEST_TRAFFIC_SHIFT         test listener rules forward to the new groups  hooks
 * POST_TEST_TRAFFIC_SHIFT                                                hooks + PRE_PRODUCTION_TRAFFIC_SHIFT's
 * PRODUCTION_TRAFFIC_SHIFT   per step (BLUE_GREEN 100; CANARY p, 100; LINEAR s, 2s, …, 100):
 *                            weights applied, hooks, the step's bake
 * POST_PRODUCTION_TRAFFIC_SHIFT                                          hooks
 * BAKE_TIME                  bakeTimeInMinutes with both revisions running
 * CLEAN_UP                   the source's tasks are stopped (done); complete once they are gone
 * ```
 * A hook answering FAILED (or anything but a hookStatus), or timing out with ROLLBACK, rolls
 * the deployment back; IN_PROGRESS is asked again after callBackDelay or the retry delay.
 */

/** What a hook call answered: ECS's Lambda answer, or why there is none. */
export type HookAnswer = { hookStatus: "SUCCEEDED" | "FAILED" | "IN_PROGRESS"; callBackDelay?: number; hookDetails?: unknown } | { error: string };

/** Everything one decision reads. */
export interface ShiftInput {
  shift: TrafficShiftRecord;
  config: DeploymentConfiguration;
  now: number;
  /** Milliseconds per minute of bake time (60 000; smaller in tests: BERTH_BAKE_MINUTE_MS). */
  minuteMs: number;
  /** Delay before an IN_PROGRESS hook is asked again when it gave no callBackDelay. */
  hookRetryMs: number;
  /** How long after a rule change the load balancers may still route by the old rule. */
  routeSettleMs: number;
  /** Desired of the deployment's tasks are RUNNING and healthy in each of its target groups. */
  greenReady: boolean;
  /** No task of the source deployment is left (CLEAN_UP finished). */
  sourceGone: boolean;
  /** The answer of the hook call {@link ShiftDecision.callHook} asked for, fed back in. */
  hookAnswer?: HookAnswer;
}

/** What the runner should do after one decision. */
export interface ShiftDecision {
  shift: TrafficShiftRecord;
  /** Call this hook now and decide again with its answer. */
  callHook?: { hookIndex: number; stage: HookStage };
  /** Roll the deployment back, for this reason (shift.rollback is set). */
  rollback?: string;
  /** The source is gone: the deployment may complete. */
  complete?: boolean;
}

/** How long a hook may answer IN_PROGRESS when its timeoutConfiguration names no time. */
export const defaultHookTimeoutMinutes = 60;

/** The lifecycle stages in order. */
export const stageOrder: readonly LifecycleStage[] = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
  "BAKE_TIME",
  "CLEAN_UP",
];

/** The hook stages whose hooks must succeed before a lifecycle stage is left. */
const hookStagesOf: Partial<Record<LifecycleStage, HookStage[]>> = {
  RECONCILE_SERVICE: ["RECONCILE_SERVICE"],
  PRE_SCALE_UP: ["PRE_SCALE_UP"],
  POST_SCALE_UP: ["POST_SCALE_UP"],
  TEST_TRAFFIC_SHIFT: ["TEST_TRAFFIC_SHIFT"],
  // PRE_PRODUCTION_TRAFFIC_SHIFT is a hook stage with no lifecycle stage of its own: it runs last before the shift.
  POST_TEST_TRAFFIC_SHIFT: ["POST_TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT"],
  PRODUCTION_TRAFFIC_SHIFT: ["PRODUCTION_TRAFFIC_SHIFT"],
  POST_PRODUCTION_TRAFFIC_SHIFT: ["POST_PRODUCTION_TRAFFIC_SHIFT"],
};

/** The hook run the current position still needs, in hook-stage then list order; undefined when none. */
function pendingHook(s: TrafficShiftRecord, config: DeploymentConfiguration): { hookIndex: number; stage: HookStage } | undefined {
  // PRODUCTION_TRAFFIC_SHIFT hooks run at each step once its weights are applied.
  if (s.stage === "PRODUCTION_TRAFFIC_SHIFT" && s.step < 0) return undefined;
  const step = s.stage === "PRODUCTION_TRAFFIC_SHIFT" ? s.step : -1;
  for (const stage of hookStagesOf[s.stage] ?? []) {
    for (const [hookIndex, h] of (config.lifecycleHooks ?? []).entries()) {
      if (!h.lifecycleStages.includes(stage)) continue;
      const ran = s.hookResults.some((r) => r.hookIndex === hookIndex && r.stage === stage && r.step === step);
      if (!ran) return { hookIndex, stage };
    }
  }
  return undefined;
}

const enter = (s: TrafficShiftRecord, stage: LifecycleStage, now: number): TrafficShiftRecord => ({
  ...s,
  stage,
  stageStartedAtMs: now,
  // Test traffic moves to the new groups as TEST_TRAFFIC_SHIFT begins and stays there.
  testRouted: s.testRouted || stage === "TEST_TRAFFIC_SHIFT",
  ...(stage === "CLEAN_UP" && { done: true }),
});

const settle = (s: TrafficShiftRecord, status: HookStatus): TrafficShiftRecord => ({
  ...s,
  hook: undefined,
  hookResults: [...s.hookResults, { hookIndex: s.hook!.hookIndex, stage: s.hook!.stage, step: s.hook!.step, status, startedAtMs: s.hook!.startedAtMs }],
});

/** One decision (see the module comment). Same input, same output. */
export function decideShift(input: ShiftInput): ShiftDecision {
  const { config, now, minuteMs } = input;
  let s = input.shift;
  if (s.rollback) return { shift: s };
  const rollback = (reason: string): ShiftDecision => ({ shift: { ...s, rollback: { reason, startedAtMs: now } }, rollback: reason });
  const steps = productionSteps(config);
  let answer = input.hookAnswer;
  // Bounded: every pass either returns or moves forward (a hook settled, a production step).
  for (let pass = 0; pass < 64; pass++) {
    if (s.hook) {
      const hook = config.lifecycleHooks?.[s.hook.hookIndex];
      if (answer) {
        const a = answer;
        answer = undefined;
        if ("error" in a || a.hookStatus === "FAILED") {
          s = settle(s, "FAILED");
          return rollback(`lifecycle hook ${hook?.hookTargetArn ?? "(removed)"} failed at ${s.hookResults[s.hookResults.length - 1].stage}${"error" in a ? `: ${a.error}` : ""}`);
        }
        if (a.hookStatus === "SUCCEEDED") {
          s = settle(s, "SUCCEEDED");
          continue;
        }
        const delay = a.callBackDelay !== undefined && a.callBackDelay >= 0 ? a.callBackDelay * 1000 : input.hookRetryMs;
        s = { ...s, hook: { ...s.hook!, nextCallAtMs: now + delay, ...(a.hookDetails !== undefined && { hookDetails: a.hookDetails }) } };
      }
      const h = s.hook!;
      // ECS's timeout: a hook still IN_PROGRESS when its time is up takes its timeout action
      // (berth's default: 60 minutes, then ROLLBACK).
      const timeoutMs = (hook?.timeoutInMinutes ?? defaultHookTimeoutMinutes) * minuteMs;
      if (now >= h.startedAtMs + timeoutMs) {
        s = settle(s, "TIMED_OUT");
        if ((hook?.timeoutAction ?? "ROLLBACK") === "ROLLBACK") return rollback(`lifecycle hook ${hook?.hookTargetArn} timed out at ${h.stage}`);
        continue;
      }
      if (now >= h.nextCallAtMs) return { shift: s, callHook: { hookIndex: h.hookIndex, stage: h.stage } };
      return { shift: s };
    }
    const next = pendingHook(s, config);
    if (next) {
      s = { ...s, hook: { ...next, step: s.stage === "PRODUCTION_TRAFFIC_SHIFT" ? s.step : -1, status: "IN_PROGRESS", startedAtMs: now, nextCallAtMs: now } };
      return { shift: s, callHook: next };
    }
    // The stage's own work; `return` waits for the next round, falling through leaves the stage.
    switch (s.stage) {
      case "SCALE_UP":
        if (!input.greenReady) return { shift: s };
        break;
      case "PRODUCTION_TRAFFIC_SHIFT": {
        const bakeOver = s.step >= 0 && now >= s.stepAtMs + stepBakeMinutes(config, steps, s.step) * minuteMs;
        if (s.step < 0 || (s.step < steps.length - 1 && bakeOver)) {
          s = { ...s, step: s.step + 1, productionPercent: steps[s.step + 1], stepAtMs: now };
          continue;
        }
        if (s.step < steps.length - 1) return { shift: s };
        break;
      }
      case "BAKE_TIME":
        // The source goes only once the bake is over and the last rule change has reached the
        // load balancers, so no request is still sent to it (a bake of 0 included).
        if (now < s.stageStartedAtMs + (config.bakeTimeInMinutes ?? 0) * minuteMs) return { shift: s };
        if (now < (s.routedAtMs ?? 0) + input.routeSettleMs) return { shift: s };
        break;
      case "CLEAN_UP":
        return input.sourceGone ? { shift: s, complete: true } : { shift: s };
      default:
        break;
    }
    // One stage per decision: each is written and shown (DescribeServiceDeployments) before the
    // next begins, and the rules it implies are applied in between.
    return { shift: enter(s, stageOrder[stageOrder.indexOf(s.stage) + 1], now) };
  }
  return { shift: s };
}

/** When the current stage or step may next move on by the clock alone (for the runner's wake-up); undefined when it waits on something else. */
export function nextTimedMove(shift: TrafficShiftRecord, config: DeploymentConfiguration, minuteMs: number): number | undefined {
  if (shift.rollback || shift.done) return undefined;
  if (shift.hook) return shift.hook.nextCallAtMs;
  if (shift.stage === "BAKE_TIME") return shift.stageStartedAtMs + (config.bakeTimeInMinutes ?? 0) * minuteMs;
  if (shift.stage === "PRODUCTION_TRAFFIC_SHIFT" && shift.step >= 0) {
    return shift.stepAtMs + stepBakeMinutes(config, productionSteps(config), shift.step) * minuteMs;
  }
  return undefined;
}

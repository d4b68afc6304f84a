import type { LifecycleStage, TrafficShiftRecord } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { planService } from "../plan.js";
import { NEW, OLD, TD1, dep, snap, svc, tasks } from "../testing.js";

const shift = (stage: LifecycleStage, over: Partial<TrafficShiftRecord> = {}): TrafficShiftRecord => ({
  strategy: "BLUE_GREEN",
  sourceDeploymentId: OLD,
  targetGroupArns: ["tg-b"],
  sourceTargetGroupArns: ["tg-a"],
  stage,
  stageStartedAtMs: 0,
  productionPercent: 0,
  step: -1,
  stepAtMs: 0,
  testRouted: false,
  hookResults: [],
  ...(stage === "CLEAN_UP" && { done: true }),
  ...over,
});

/** A blue/green service of 3 (100/200) with the old deployment's healthy tasks and `green` new ones. */
function shifted(stage: LifecycleStage, green: number, over: { breaker?: boolean; failed?: number; rollback?: boolean } = {}) {
  const newDep = dep(NEW, {
    rolloutState: "IN_PROGRESS",
    shift: shift(stage, over.rollback ? { rollback: { reason: "hook failed", startedAtMs: 0 } } : {}),
    failedTasks: over.failed ?? 0,
    ...(over.rollback && { status: "ACTIVE" as const, rolloutState: "FAILED" as const }),
  });
  const oldDep = dep(OLD, { status: over.rollback ? "PRIMARY" : "ACTIVE", taskDefinition: TD1 });
  const service = svc({ deployments: over.rollback ? [oldDep, newDep] : [newDep, oldDep], breaker: over.breaker ? { enable: true, rollback: true } : undefined });
  return snap({ ...service, deploymentConfiguration: { ...service.deploymentConfiguration, strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 } }, [...tasks(3, OLD, "healthy"), ...tasks(green, NEW, "healthy")]);
}

describe("planService with a traffic-shifting PRIMARY", () => {
  it.each<[string, ReturnType<typeof shifted>, { start: number; stop: number; primary?: string }]>([
    // PRE_SCALE_UP: its hooks run before anything starts
    ["pre scale-up starts nothing", shifted("PRE_SCALE_UP", 0), { start: 0, stop: 0 }],
    // SCALE_UP: the full count starts beside the old tasks (200 % would allow only 3 more anyway; here none is stopped)
    ["scale up starts all, keeps old", shifted("SCALE_UP", 0), { start: 3, stop: 0 }],
    // BAKE_TIME: both revisions run; nothing stops
    ["bake keeps both", shifted("BAKE_TIME", 3), { start: 0, stop: 0 }],
    // CLEAN_UP: the old tasks go
    ["clean up stops the old", shifted("CLEAN_UP", 3), { start: 0, stop: 3 }],
    // a rollback whose traffic is still on its way back keeps the failed deployment's tasks
    ["rolling back holds the new tasks", shifted("BAKE_TIME", 3, { rollback: true }), { start: 0, stop: 0, primary: OLD }],
    // the breaker trips (3 failures): the source is PRIMARY again, nothing of the failed one starts
    ["breaker rolls back to the source", shifted("SCALE_UP", 0, { breaker: true, failed: 3 }), { start: 0, stop: 0, primary: OLD }],
  ])("%s", (_name, s, want) => {
    const plan = planService(s);
    expect(plan.start.reduce((n, x) => n + x.count, 0)).toBe(want.start);
    expect(plan.stop.length).toBe(want.stop);
    const after = plan.service ?? s.service;
    expect(after.deployments.find((d) => d.status === "PRIMARY")!.id).toBe(want.primary ?? NEW);
  });
});

import { describe, expect, it } from "vitest";
import type { DeploymentRecord, TaskRecord } from "@berth/shared";
import { seededRandom } from "../../scheduler/seed.js";
import { deploymentBounds } from "./bounds.js";
import { planService } from "./plan.js";
import { NEW, NOW, OLD, TD1, TD2, applyPlan, dep, snap, svc, tasks, type TaskState } from "./testing.js";
import type { ServiceSnapshot } from "./types.js";

const CASES = 500;
const STATES: TaskState[] = ["healthy", "healthy", "running", "unknown", "unhealthy", "pending", "stopping", "stopped", "failed"];

/** A random but reproducible service round: case `n` is the same on every run. */
function randomSnapshot(n: number): ServiceSnapshot {
  const rnd = seededRandom(`service-case-${n}`);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[int(0, xs.length - 1)]!;
  const desiredCount = int(0, 8);
  const min = pick([0, 50, 100]);
  const max = pick([100, 150, 200]);
  const withOld = rnd() < 0.6;
  const deployments: DeploymentRecord[] = [
    dep(NEW, { desiredCount: pick([desiredCount, int(0, 8)]), rolloutState: pick(["IN_PROGRESS", "IN_PROGRESS", "COMPLETED", "FAILED"] as const), failedTasks: int(0, 4) }),
    ...(withOld ? [dep(OLD, { status: "ACTIVE", taskDefinition: TD1, desiredCount: int(0, 8), rolloutState: pick(["COMPLETED", "FAILED"] as const) })] : []),
  ];
  const taskList: TaskRecord[] = [];
  for (const owner of [NEW, ...(withOld ? [OLD] : []), "ecs-svc/9999999999999999999"]) {
    for (let i = int(0, owner === NEW ? 8 : 5); i > 0; i--) {
      // A third of the tasks carry scale-in protection, some of it already lapsed.
      const protection = rnd() < 0.33 ? { expiresAtMs: NOW + pick([-1000, 0, 60_000]) } : undefined;
      taskList.push(...tasks(1, owner, pick(STATES), { containerInstanceId: pick(["i1", "i2"]), startedAtMs: 1_000 + int(0, 100), protection }));
    }
  }
  return snap(
    svc({
      desiredCount,
      min,
      max,
      status: rnd() < 0.1 ? "DRAINING" : "ACTIVE",
      breaker: { enable: rnd() < 0.5, rollback: rnd() < 0.5 },
      deployments,
    }),
    taskList,
    {
      instances: [
        { id: "i1", status: "ACTIVE", agentConnected: true },
        { id: "i2", status: rnd() < 0.3 ? "DRAINING" : "ACTIVE", agentConnected: true },
      ],
      healthCheckedDefinitions: [TD1, TD2].filter(() => rnd() < 0.5),
      seed: `seed-${n}`,
    },
  );
}

// Judged here without the planner's classifier, so a classifier bug cannot hide itself.
const isLive = (t: TaskRecord) => t.desiredStatus === "RUNNING" && t.lastStatus !== "STOPPED";
function isHealthy(t: TaskRecord, s: ServiceSnapshot): boolean {
  if (!isLive(t) || t.lastStatus !== "RUNNING") return false;
  if (t.containers.some((c) => c.healthStatus === "UNHEALTHY")) return false;
  if (!s.healthCheckedDefinitions.includes(t.taskDefinitionArn)) return true;
  const checked = t.containers.filter((c) => c.healthStatus !== undefined);
  return checked.length > 0 && checked.every((c) => c.healthStatus === "HEALTHY");
}

const cases = Array.from({ length: CASES }, (_, n) => n);

describe("planService: properties", () => {
  it("planService: never starts past maxTotal, counting stopping tasks", () => {
    let exercised = 0;
    for (const n of cases) {
      const s = randomSnapshot(n);
      const plan = planService(s);
      const started = plan.start.reduce((k, x) => k + x.count, 0);
      if (started === 0) continue;
      const b = deploymentBounds(s.service.desiredCount, s.service.deploymentConfiguration);
      const occupied = s.tasks.filter((t) => t.lastStatus !== "STOPPED").length;
      expect(occupied + started, `case ${n}`).toBeLessThanOrEqual(b.maxTotal);
      expect(s.service.status, `case ${n}`).toBe("ACTIVE");
      exercised++;
    }
    // The generator must reach the interesting cases, or the property says nothing.
    expect(exercised).toBeGreaterThan(CASES / 10);
  });

  it("planService: its own stops never take healthy below minHealthy (except when deleting)", () => {
    let exercised = 0;
    for (const n of cases) {
      const s = randomSnapshot(n);
      if (s.service.status !== "ACTIVE") continue;
      const plan = planService(s);
      const b = deploymentBounds(s.service.desiredCount, s.service.deploymentConfiguration);
      const stopped = new Set(plan.stop.map((x) => x.taskId));
      const before = s.tasks.filter((t) => isHealthy(t, s)).length;
      const after = s.tasks.filter((t) => isHealthy(t, s) && !stopped.has(t.id)).length;
      if (after < before) expect(after, `case ${n}`).toBeGreaterThanOrEqual(b.minHealthy);
      if (after < before) exercised++;
    }
    expect(exercised).toBeGreaterThan(CASES / 10);
  });

  it("planService: never stops a protected task for scale-in or a deployment", () => {
    let exercised = 0;
    for (const n of cases) {
      const s = randomSnapshot(n);
      if (s.service.status !== "ACTIVE") continue;
      const plan = planService(s);
      const guarded = new Map(s.tasks.filter((t) => t.protection !== undefined && s.now < t.protection.expiresAtMs).map((t) => [t.id, t]));
      for (const x of plan.stop) {
        const t = guarded.get(x.taskId);
        if (!t) continue;
        // Only the stops protection does not cover may touch it: a failed health check, a DRAINING instance.
        const draining = s.instances.some((i) => i.id === t.containerInstanceId && i.status === "DRAINING");
        const unhealthy = t.containers.some((c) => c.healthStatus === "UNHEALTHY");
        expect(draining || unhealthy, `case ${n} ${x.taskId}`).toBe(true);
        expect(x.spareProtected, `case ${n} ${x.taskId}`).toBe(false);
      }
      // Cases where a protected task was live beside stops of other tasks: where it mattered.
      if (plan.stop.some((x) => !guarded.has(x.taskId)) && [...guarded.values()].some(isLive)) exercised++;
    }
    expect(exercised).toBeGreaterThan(CASES / 10);
  });

  it("planService: stops only live tasks, each once", () => {
    for (const n of cases) {
      const s = randomSnapshot(n);
      const plan = planService(s);
      const ids = plan.stop.map((x) => x.taskId);
      expect(new Set(ids).size, `case ${n}`).toBe(ids.length);
      const live = new Set(s.tasks.filter(isLive).map((t) => t.id));
      for (const id of ids) expect(live.has(id), `case ${n} ${id}`).toBe(true);
    }
  });

  it("planService: same snapshot, same plan, whatever the task order", () => {
    for (const n of cases) {
      const s = randomSnapshot(n);
      const plan = planService(s);
      expect(planService(structuredClone(s)), `case ${n}`).toEqual(plan);
      expect(planService({ ...s, tasks: [...s.tasks].reverse() }), `case ${n}`).toEqual(plan);
    }
  });

  it("planService: applying a plan then planning again starts and stops nothing more, and writes settle", () => {
    for (const n of cases) {
      const s = randomSnapshot(n);
      const once = applyPlan(s, planService(s), 0);
      const again = planService(once);
      expect(again.start, `case ${n}`).toEqual([]);
      expect(again.stop, `case ${n}`).toEqual([]);
      expect(planService(applyPlan(once, again, 1)).service, `case ${n}`).toBeUndefined();
    }
  });
});

import { describe, expect, it } from "vitest";
import type { DeploymentRecord, TaskRecord } from "@berth/shared";
import { seededRandom } from "../../scheduler/seed.js";
import type { InstanceSnapshot } from "../../scheduler/index.js";
import { deploymentBounds } from "./bounds.js";
import { applyDaemonPlan, daemonSnap, daemonSvc, instance, on } from "./daemon-testing.js";
import { planService } from "./plan.js";
import { NEW, OLD, TD1, TD2, dep, tasks, type TaskState } from "./testing.js";
import type { ServiceSnapshot } from "./types.js";

const CASES = 500;
const STATES: TaskState[] = ["healthy", "healthy", "running", "unknown", "unhealthy", "pending", "stopping", "stopped", "failed"];
const prod = [{ type: "memberOf" as const, expression: "attribute:stack == prod" }];

/** A random but reproducible daemon round on up to five instances: case `n` is the same on every run. */
function randomSnapshot(n: number): ServiceSnapshot {
  const rnd = seededRandom(`daemon-case-${n}`);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[int(0, xs.length - 1)]!;
  const instances: InstanceSnapshot[] = Array.from({ length: int(0, 5) }, (_, i) =>
    instance(`i${i + 1}`, {
      status: pick(["ACTIVE", "ACTIVE", "ACTIVE", "DRAINING", "INACTIVE"] as const),
      agentConnected: rnd() < 0.85,
      attrs: rnd() < 0.7 ? { stack: "prod" } : {},
    }),
  );
  const withOld = rnd() < 0.6;
  const deployments: DeploymentRecord[] = [
    dep(NEW, { desiredCount: int(0, 5), rolloutState: pick(["IN_PROGRESS", "IN_PROGRESS", "COMPLETED", "FAILED"] as const), failedTasks: int(0, 4) }),
    ...(withOld ? [dep(OLD, { status: "ACTIVE", taskDefinition: TD1, desiredCount: int(0, 5), rolloutState: pick(["COMPLETED", "FAILED"] as const) })] : []),
  ];
  const hostIds = [...instances.map((i) => i.id), "gone"];
  const taskList: TaskRecord[] = [];
  for (const host of hostIds) {
    // Mostly one task per host, sometimes none or a second (a race, or an old beside a new).
    for (let k = pick([0, 1, 1, 1, 2]); k > 0; k--) {
      const owner = pick([NEW, NEW, ...(withOld ? [OLD, OLD] : []), "ecs-svc/9999999999999999999"]);
      taskList.push(...tasks(1, owner, pick(STATES), on(host, { startedAtMs: 1_000 + int(0, 100) })));
    }
  }
  const otherTasks = Object.fromEntries(instances.filter(() => rnd() < 0.4).map((i) => [i.id, int(1, 3)]));
  return daemonSnap(
    daemonSvc({
      desiredCount: int(0, 5),
      min: pick([0, 0, 50, 75]),
      status: rnd() < 0.1 ? "DRAINING" : "ACTIVE",
      breaker: { enable: rnd() < 0.3, rollback: rnd() < 0.5 },
      deployments,
    }),
    taskList,
    { instances, constraints: rnd() < 0.4 ? prod : [], otherTasks },
    { healthCheckedDefinitions: [TD1, TD2].filter(() => rnd() < 0.5), seed: `seed-${n}` },
  );
}

// Judged here without the planner's code, so a bug there cannot hide itself.
const isLive = (t: TaskRecord) => t.desiredStatus === "RUNNING" && t.lastStatus !== "STOPPED";
const eligible = (s: ServiceSnapshot) =>
  new Set(
    s.daemon!.instances.filter((i) => i.status === "ACTIVE" && (s.daemon!.constraints.length === 0 || i.attributes.some((a) => a.name === "stack" && a.value === "prod"))).map((i) => i.id),
  );
function isHealthy(t: TaskRecord, s: ServiceSnapshot): boolean {
  if (!isLive(t) || t.lastStatus !== "RUNNING") return false;
  if (t.containers.some((c) => c.healthStatus === "UNHEALTHY")) return false;
  if (!s.healthCheckedDefinitions.includes(t.taskDefinitionArn)) return true;
  const checked = t.containers.filter((c) => c.healthStatus !== undefined);
  return checked.length > 0 && checked.every((c) => c.healthStatus === "HEALTHY");
}
const livePrimaryOn = (s: ServiceSnapshot, host: string) => s.tasks.filter((t) => isLive(t) && t.startedBy === NEW && t.containerInstanceId === host).length;

const cases = Array.from({ length: CASES }, (_, n) => n);

describe("planService: DAEMON properties", () => {
  it("planService: starts only on eligible, connected instances holding no unstopped task of the service", () => {
    let exercised = 0;
    for (const n of cases) {
      const s = randomSnapshot(n);
      const ok = eligible(s);
      for (const host of planService(s).start.flatMap((x) => x.instanceIds ?? [])) {
        expect(ok.has(host), `case ${n} ${host} eligible`).toBe(true);
        expect(s.daemon!.instances.find((i) => i.id === host)?.agentConnected, `case ${n} ${host} connected`).toBe(true);
        expect(s.tasks.some((t) => t.containerInstanceId === host && t.lastStatus !== "STOPPED"), `case ${n} ${host} empty`).toBe(false);
        exercised++;
      }
    }
    expect(exercised).toBeGreaterThan(CASES / 10);
  });

  it("planService: after a round no eligible instance holds two live primary tasks, and none gains a second", () => {
    for (const n of cases) {
      const s = randomSnapshot(n);
      const after = applyDaemonPlan(s, planService(s), 0);
      for (const i of s.daemon!.instances) {
        const count = livePrimaryOn(after, i.id);
        if (eligible(s).has(i.id)) expect(count, `case ${n} ${i.id}`).toBeLessThanOrEqual(1);
        else expect(count, `case ${n} ${i.id}`).toBeLessThanOrEqual(livePrimaryOn(s, i.id));
      }
    }
  });

  it("planService: desiredCount is the eligible instances, and nothing stays live on an ineligible ACTIVE one", () => {
    for (const n of cases) {
      const s = randomSnapshot(n);
      if (s.service.status !== "ACTIVE") continue;
      const plan = planService(s);
      expect((plan.service ?? s.service).desiredCount, `case ${n}`).toBe(eligible(s).size);
      const after = applyDaemonPlan(s, plan, 0);
      const ok = eligible(s);
      const active = new Set(s.daemon!.instances.filter((i) => i.status === "ACTIVE").map((i) => i.id));
      for (const t of after.tasks.filter(isLive)) if (active.has(t.containerInstanceId)) expect(ok.has(t.containerInstanceId), `case ${n} ${t.id}`).toBe(true);
    }
  });

  it("planService: its own stops never take healthy tasks on eligible instances below minHealthy", () => {
    let exercised = 0;
    for (const n of cases) {
      const s = randomSnapshot(n);
      if (s.service.status !== "ACTIVE") continue;
      const ok = eligible(s);
      const plan = planService(s);
      const b = deploymentBounds(ok.size, s.service.deploymentConfiguration);
      const stopped = new Set(plan.stop.map((x) => x.taskId));
      const counted = s.tasks.filter((t) => ok.has(t.containerInstanceId) && isHealthy(t, s));
      const after = counted.filter((t) => !stopped.has(t.id)).length;
      // Only stops a rollout chooses are bound: unhealthy ones and duplicates are not healthy coverage.
      const rolled = counted.filter((t) => stopped.has(t.id) && t.startedBy !== NEW).length;
      if (rolled > 0) {
        expect(after, `case ${n}`).toBeGreaterThanOrEqual(b.minHealthy);
        exercised++;
      }
    }
    expect(exercised).toBeGreaterThan(CASES / 20);
  });

  it("planService: same snapshot, same plan, whatever the task order; a re-plan after applying does nothing more", () => {
    for (const n of cases) {
      const s = randomSnapshot(n);
      const plan = planService(s);
      expect(planService(structuredClone(s)), `case ${n}`).toEqual(plan);
      expect(planService({ ...s, tasks: [...s.tasks].reverse() }), `case ${n}`).toEqual(plan);
      const again = planService(applyDaemonPlan(s, plan, 0));
      expect(again.start, `case ${n}`).toEqual([]);
      expect(again.stop, `case ${n}`).toEqual([]);
    }
  });
});

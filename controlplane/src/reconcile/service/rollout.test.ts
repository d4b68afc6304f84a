import { describe, expect, it } from "vitest";
import { planService } from "./plan.js";
import { deploymentBounds } from "./bounds.js";
import { serviceMessages } from "./events.js";
import { NEW, NOW, OLD, TD1, TD2, applyPlan, dep, snap, svc, tasks, tick } from "./testing.js";
import type { ServiceSnapshot } from "./types.js";

/** Live tasks (not yet STOPPED) and healthy ones, counted independently of the planner. */
const occupied = (s: ServiceSnapshot) => s.tasks.filter((t) => t.lastStatus !== "STOPPED").length;
const healthy = (s: ServiceSnapshot) =>
  s.tasks.filter((t) => t.desiredStatus === "RUNNING" && t.lastStatus === "RUNNING" && t.containers.every((c) => c.healthStatus === "HEALTHY")).length;

/**
 * Runs plan → apply → time passing until a round neither starts, stops nor writes, checking
 * the bounds after every apply; returns the end state and the (start, stop) of each round.
 */
function run(s: ServiceSnapshot, failing: string[] = [], rounds = 30): { end: ServiceSnapshot; steps: [number, number][] } {
  const steps: [number, number][] = [];
  for (let i = 0; i < rounds; i++) {
    const plan = planService(s);
    if (plan.start.length === 0 && plan.stop.length === 0 && !plan.service) return { end: s, steps };
    // A service being deleted wants nothing: its bounds are those of desired 0.
    const b = deploymentBounds(s.service.status === "ACTIVE" ? s.service.desiredCount : 0, s.service.deploymentConfiguration);
    const before = healthy(s);
    s = applyPlan(s, plan, i);
    steps.push([plan.summary.start, plan.summary.stop]);
    if (plan.summary.start > 0) expect(occupied(s)).toBeLessThanOrEqual(b.maxTotal);
    expect(healthy(s)).toBeGreaterThanOrEqual(Math.min(before, b.minHealthy));
    s = tick(s, failing);
  }
  throw new Error("did not converge");
}

const update = (o: Parameters<typeof svc>[0] = {}) =>
  svc({ deployments: [dep(NEW, { rolloutState: "IN_PROGRESS", createdAtMs: NOW - 1000 }), dep(OLD, { status: "ACTIVE", taskDefinition: TD1 })], ...o });

describe("planService: whole rollouts", () => {
  it.each<[string, Parameters<typeof svc>[0], [number, number][]]>([
    // 100/200: start 3, (they turn healthy) stop 3 old, (they stop) complete.
    ["rollout: 100/200", {}, [[3, 0], [0, 3], [0, 0]]],
    // 50/100 with 4: stop 2, start 2, stop 2, start 2, complete.
    ["rollout: 50/100", { desiredCount: 4, min: 50, max: 100 }, [[0, 2], [2, 0], [0, 2], [2, 0], [0, 0]]],
    // 0/100: stop all, start all, complete.
    ["rollout: 0/100", { min: 0, max: 100 }, [[0, 3], [3, 0], [0, 0]]],
    // 100/150 with 4: room for 2 above, so it goes two at a time.
    ["rollout: 100/150", { desiredCount: 4, max: 150 }, [[2, 0], [0, 2], [2, 0], [0, 2], [0, 0]]],
  ])("%s", (_name, o, steps) => {
    const d = o?.desiredCount ?? 3;
    const s = snap(update({ ...o, deployments: [dep(NEW, { rolloutState: "IN_PROGRESS", desiredCount: d }), dep(OLD, { status: "ACTIVE", taskDefinition: TD1, desiredCount: d })] }), tasks(d, OLD, "healthy"));
    const { end, steps: got } = run(s);
    expect(got).toEqual(steps);
    expect(end.service.deployments.map((x) => [x.id, x.status, x.rolloutState])).toEqual([[NEW, "PRIMARY", "COMPLETED"]]);
    expect(end.service.events.slice(0, 2).map((e) => e.message)).toEqual([serviceMessages.steadyState("web"), serviceMessages.deploymentCompleted("web", NEW)]);
    expect(end.tasks.filter((t) => t.lastStatus === "RUNNING").every((t) => t.taskDefinitionArn === TD2)).toBe(true);
  });

  it("rollout: a failing task definition trips the breaker, rolls back and completes on the old one", () => {
    const s = snap(update({ breaker: { enable: true, rollback: true } }), tasks(3, OLD, "healthy"));
    const { end } = run(s, [TD2]);
    const [primary, ...rest] = end.service.deployments;
    expect(rest).toEqual([]);
    expect(primary).toMatchObject({ status: "PRIMARY", taskDefinition: TD1, rolloutState: "COMPLETED" });
    expect(primary!.id).not.toBe(NEW);
    expect(end.service.taskDefinition).toBe(TD1);
    const messages = end.service.events.map((e) => e.message);
    expect(messages).toContain(serviceMessages.deploymentFailed("web", NEW));
    expect(messages).toContain(serviceMessages.rollingBack("web", OLD));
    expect(messages[0]).toBe(serviceMessages.steadyState("web"));
    expect(healthy(end)).toBe(3);
  });

  it("rollout: rollback after a 0/100 drain still finds the completed deployment", () => {
    const s = snap(update({ min: 0, max: 100, breaker: { enable: true, rollback: true } }), tasks(3, OLD, "healthy"));
    const { end } = run(s, [TD2]);
    expect(end.service.deployments).toHaveLength(1);
    expect(end.service.deployments[0]).toMatchObject({ taskDefinition: TD1, rolloutState: "COMPLETED" });
  });

  it("rollout: without rollback the failed deployment stops launching and old tasks stay", () => {
    const s = snap(update({ breaker: { enable: true, rollback: false } }), tasks(3, OLD, "healthy"));
    const { end } = run(s, [TD2]);
    expect(end.service.deployments.map((d) => [d.id, d.rolloutState])).toEqual([[NEW, "FAILED"], [OLD, "COMPLETED"]]);
    expect(healthy(end)).toBe(3);
  });

  it("rollout: a DRAINING service stops everything and ends INACTIVE", () => {
    const s = snap(svc({ status: "DRAINING" }), [...tasks(2, NEW, "healthy"), ...tasks(1, NEW, "pending")]);
    const { end } = run(s);
    expect(end.service.status).toBe("INACTIVE");
    expect(end.tasks.every((t) => t.lastStatus === "STOPPED" && t.stopCode === "ServiceSchedulerInitiated")).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import type { RolloutState, ServiceRecord } from "@berth/shared";
import { planService } from "./plan.js";
import { serviceMessages, stopReasons } from "./events.js";
import { NEW, NOW, OLD, TD1, TD2, dep, snap, svc, tasks } from "./testing.js";
import type { ServicePlan, ServiceSnapshot } from "./types.js";

/** What a round should decide, as counts (nomad's resultExpectation). */
interface Expect {
  start: number;
  stop: number;
  /** Stops per stoppedReason. */
  stopReasons?: Record<string, number>;
  /** Ids of the tasks stopped, in any order. */
  stopIds?: string[];
  /** The PRIMARY deployment's rolloutState after the round. */
  rollout?: RolloutState;
  /** How many deployments the service lists after the round. */
  deployments?: number;
  /** Whether the plan writes the service record. */
  write?: boolean;
  status?: ServiceRecord["status"];
  /** Messages of the events this round adds, newest first. */
  events?: string[];
  /** How many stops are scale-in or deployment stops that protection set later still prevents. */
  spareProtected?: number;
}

/** The one assert helper: every field of `exp` that is set must match the plan. */
function assertPlan(s: ServiceSnapshot, plan: ServicePlan, exp: Expect): void {
  const after = plan.service ?? s.service;
  const reasons: Record<string, number> = {};
  for (const x of plan.stop) reasons[x.reason] = (reasons[x.reason] ?? 0) + 1;
  const added = after.events.slice(0, after.events.length - s.service.events.length).map((e) => e.message);
  const got: Expect = {
    start: plan.start.reduce((n, x) => n + x.count, 0),
    stop: plan.stop.length,
    ...(exp.stopReasons && { stopReasons: reasons }),
    ...(exp.stopIds && { stopIds: plan.stop.map((x) => x.taskId).sort() }),
    ...(exp.rollout && { rollout: after.deployments.find((d) => d.status === "PRIMARY")?.rolloutState }),
    ...(exp.deployments !== undefined && { deployments: after.deployments.length }),
    ...(exp.write !== undefined && { write: plan.service !== undefined }),
    ...(exp.status && { status: after.status }),
    ...(exp.events && { events: added }),
    ...(exp.spareProtected !== undefined && { spareProtected: plan.stop.filter((x) => x.spareProtected).length }),
  };
  expect(got).toEqual({ ...exp, ...(exp.stopIds && { stopIds: [...exp.stopIds].sort() }) });
  // Whatever the case, the summary agrees with the buckets.
  expect(plan.summary.start).toBe(got.start);
  expect(plan.summary.stop).toBe(got.stop);
}

const web = "web";
const scaleNew = stopReasons.scaling(NEW);
const rollingSvc = (o: Parameters<typeof svc>[0] = {}) =>
  svc({
    deployments: [dep(NEW, { rolloutState: "IN_PROGRESS", createdAtMs: NOW - 60_000 }), dep(OLD, { status: "ACTIVE", taskDefinition: TD1 })],
    ...o,
  });
// Task scale-in protection that holds for another minute, and one that lapsed at this instant.
const guard = { protection: { expiresAtMs: NOW + 60_000 } };
const lapsed = { protection: { expiresAtMs: NOW } };
const draining2 = { instances: [{ id: "i1", status: "ACTIVE" as const, agentConnected: true }, { id: "i2", status: "DRAINING" as const, agentConnected: true }] };
const zones2 = {
  instances: [
    { id: "i1", status: "ACTIVE" as const, agentConnected: true, zone: "z1" },
    { id: "i2", status: "ACTIVE" as const, agentConnected: true, zone: "z2" },
  ],
};
const steadyEvent = [{ id: "e0", createdAtMs: NOW - 1000, message: serviceMessages.steadyState(web) }];

describe("planService: one round", () => {
  it.each<[string, ServiceSnapshot, Expect]>([
    // A fresh service: nothing runs, desired 3, so 3 start; nothing else to write.
    ["fresh service", snap(svc({ deployments: [dep(NEW, { rolloutState: "IN_PROGRESS" })] })), { start: 3, stop: 0, rollout: "IN_PROGRESS", write: false }],
    // One of three stopped after running: it is simply not live, so one more starts.
    ["replace a stopped task", snap(svc({ events: steadyEvent }), [...tasks(2, NEW, "healthy"), ...tasks(1, NEW, "stopped")]), { start: 1, stop: 0, write: false }],
    // desiredCount 3 → 5: two more start, and the primary's desiredCount follows.
    ["scale out", snap(svc({ desiredCount: 5, deployments: [dep(NEW)] }), tasks(3, NEW, "healthy")), { start: 2, stop: 0, write: true }],
    // desiredCount 4 → 2: two go, newest-started first (t0 and t1 are the oldest).
    ["scale in", snap(svc({ desiredCount: 2 }), tasks(4, NEW, "healthy")), { start: 0, stop: 2, stopIds: ["t2", "t3"], stopReasons: { [scaleNew]: 2 } }],
    // Extras that are still pending go before any running one.
    ["scale in stops pending first", snap(svc(), [...tasks(3, NEW, "healthy"), ...tasks(2, NEW, "pending")]), { start: 0, stop: 2, stopIds: ["t3", "t4"] }],
    // Availability Zone rebalancing: a steady service with every task in z1 while z2 has an
    // instance starts one there (maximumPercent leaves room); the scale-in then takes z1's.
    ["rebalance: surge into the empty zone", snap(svc({ availabilityZoneRebalancing: "ENABLED", desiredCount: 2, events: steadyEvent }), tasks(2, NEW, "healthy", { availabilityZone: "z1" }), zones2), { start: 1, stop: 0, events: [serviceMessages.rebalancing(web, "z2", "start")] }],
    // The surge's task in z2 is healthy: one of z1's goes (the newest), not the new one.
    ["rebalance: scale-in takes the fuller zone", snap(svc({ availabilityZoneRebalancing: "ENABLED", desiredCount: 2 }), [...tasks(2, NEW, "healthy", { availabilityZone: "z1" }), { ...tasks(3, NEW, "healthy", { availabilityZone: "z2" })[2] }], zones2), { start: 0, stop: 1, stopIds: ["t1"] }],
    // Without rebalancing (or while a deployment rolls) an uneven service is left as it is.
    ["rebalance: off", snap(svc({ desiredCount: 2, events: steadyEvent }), tasks(2, NEW, "healthy", { availabilityZone: "z1" }), zones2), { start: 0, stop: 0 }],
    // Scale to zero with 100% minimum healthy: minHealthy of 0 tasks is 0, so all go.
    ["scale to zero", snap(svc({ desiredCount: 0 }), tasks(2, NEW, "healthy")), { start: 0, stop: 2 }],

    // 100/200 phase 1: a new deployment beside 3 old healthy tasks: start 3 (up to 6 in all).
    ["100/200 starts all new", snap(rollingSvc(), tasks(3, OLD, "healthy")), { start: 3, stop: 0, deployments: 2, rollout: "IN_PROGRESS" }],
    // Phase 2: the new ones are pending: nothing may stop (healthy is exactly 3).
    ["100/200 waits for health", snap(rollingSvc(), [...tasks(3, OLD, "healthy"), ...tasks(3, NEW, "pending")]), { start: 0, stop: 0, write: false }],
    // Phase 2b: one new is healthy: exactly one old may go.
    ["100/200 one healthy, one old goes", snap(rollingSvc(), [...tasks(3, OLD, "healthy"), ...tasks(1, NEW, "healthy"), ...tasks(2, NEW, "unknown")]), { start: 0, stop: 1, stopReasons: { [scaleNew]: 1 } }],
    // A deployment right after another: the old tasks run but have not passed a health check
    // yet (UNKNOWN) and nothing is healthy: none of them may go, only new ones start.
    ["100/200 keeps unknown old tasks", snap(rollingSvc(), tasks(3, OLD, "unknown")), { start: 3, stop: 0, deployments: 2 }],
    // Old tasks still UNKNOWN, but the new ones are healthy (min met without the old): they go.
    ["100/200 unknown old go once new are healthy", snap(rollingSvc(), [...tasks(3, OLD, "unknown"), ...tasks(3, NEW, "healthy")]), { start: 0, stop: 3 }],
    // Old tasks that never ran cost nothing: they go at once.
    ["100/200 pending old go at once", snap(rollingSvc(), tasks(3, OLD, "pending")), { start: 3, stop: 3 }],
    // Phase 3: all new healthy: all old go; the old deployment still holds them so stays listed.
    ["100/200 stops old", snap(rollingSvc(), [...tasks(3, OLD, "healthy"), ...tasks(3, NEW, "healthy")]), { start: 0, stop: 3, deployments: 2, rollout: "IN_PROGRESS", events: [serviceMessages.stoppedTasks(web, ["t2", "t1", "t0"])] }],
    // Phase 4: old ones still stopping: they hold their deployment; nothing to do or write.
    ["100/200 old stopping", snap(rollingSvc({ deployments: [dep(NEW, { rolloutState: "IN_PROGRESS" }), dep(OLD, { status: "ACTIVE", taskDefinition: TD1, desiredCount: 0 })] }), [...tasks(3, OLD, "stopping"), ...tasks(3, NEW, "healthy")]), { start: 0, stop: 0, write: false, deployments: 2 }],
    // Phase 5: old all STOPPED: the old deployment is dropped, the primary COMPLETED, steady.
    ["100/200 completes", snap(rollingSvc(), [...tasks(3, OLD, "stopped"), ...tasks(3, NEW, "healthy")]), { start: 0, stop: 0, deployments: 1, rollout: "COMPLETED", events: [serviceMessages.steadyState(web), serviceMessages.deploymentCompleted(web, NEW)] }],

    // 50/100, desired 4: no room to start (max 4), so 2 old stop first (min healthy 2).
    ["50/100 stops half first", snap(rollingSvc({ desiredCount: 4, min: 50, max: 100 }), tasks(4, OLD, "healthy")), { start: 0, stop: 2, write: true }],
    // 50/100: the two still stopping hold their places under maxTotal: nothing starts yet.
    ["50/100 waits for stops", snap(rollingSvc({ desiredCount: 4, min: 50, max: 100 }), [...tasks(2, OLD, "healthy"), ...tasks(2, OLD, "stopping")]), { start: 0, stop: 0 }],
    // 50/100: once they stopped, two new start.
    ["50/100 starts into the room", snap(rollingSvc({ desiredCount: 4, min: 50, max: 100 }), [...tasks(2, OLD, "healthy"), ...tasks(2, OLD, "stopped")]), { start: 2, stop: 0 }],
    // 50/100: two new healthy: the last two old go (healthy stays at 2).
    ["50/100 drains the rest", snap(rollingSvc({ desiredCount: 4, min: 50, max: 100 }), [...tasks(2, OLD, "healthy"), ...tasks(2, NEW, "healthy")]), { start: 0, stop: 2 }],
    // 0/100: everything old stops at once, nothing starts until they are gone.
    ["0/100 stops first", snap(rollingSvc({ min: 0, max: 100 }), tasks(3, OLD, "healthy")), { start: 0, stop: 3 }],
    // 0/100: old all STOPPED: three new start.
    ["0/100 then starts", snap(rollingSvc({ min: 0, max: 100 }), tasks(3, OLD, "stopped")), { start: 3, stop: 0 }],
    // 100/100 cannot move (no room above, no slack below); it must not break either bound.
    ["100/100 is stuck", snap(rollingSvc({ min: 100, max: 100 }), tasks(3, OLD, "healthy")), { start: 0, stop: 0, write: false }],
    // Old tasks that never got healthy cost nothing: they go even at 100/100.
    ["pending old tasks always go", snap(rollingSvc({ min: 100, max: 100 }), [...tasks(2, OLD, "healthy"), ...tasks(1, OLD, "pending")]), { start: 0, stop: 1, stopIds: ["t2"] }],

    // An unhealthy task is stopped (it is not healthy, so no bound is at stake) and replaced.
    ["unhealthy task", snap(svc({ events: steadyEvent }), [...tasks(2, NEW, "healthy"), ...tasks(1, NEW, "unhealthy")]), { start: 1, stop: 1, stopReasons: { [stopReasons.unhealthy]: 1 }, events: [serviceMessages.stoppedTasks(web, ["t2"]), serviceMessages.taskUnhealthy(web, "t2")] }],
    // At 100/100 the replacement waits until the unhealthy one has stopped.
    ["unhealthy at 100/100", snap(svc({ min: 100, max: 100 }), [...tasks(2, NEW, "healthy"), ...tasks(1, NEW, "unhealthy")]), { start: 0, stop: 1 }],
    // Within healthCheckGracePeriodSeconds an UNHEALTHY report is ignored (the task is pending).
    ["unhealthy within grace", snap(svc({ healthCheckGracePeriodSeconds: 300 }), [...tasks(2, NEW, "healthy"), ...tasks(1, NEW, "unhealthy")]), { start: 0, stop: 0, write: false }],

    // A healthy task on a DRAINING instance: its replacement starts first, nothing stops.
    ["draining: replace first", snap(svc(), [...tasks(2, NEW, "healthy"), ...tasks(1, NEW, "healthy", { containerInstanceId: "i2" })], { instances: [{ id: "i1", status: "ACTIVE", agentConnected: true }, { id: "i2", status: "DRAINING", agentConnected: true }] }), { start: 1, stop: 0 }],
    // The replacement is healthy: the draining one goes.
    ["draining: then stop", snap(svc(), [...tasks(3, NEW, "healthy"), ...tasks(1, NEW, "healthy", { containerInstanceId: "i2" })], { instances: [{ id: "i1", status: "ACTIVE", agentConnected: true }, { id: "i2", status: "DRAINING", agentConnected: true }] }), { start: 0, stop: 1, stopIds: ["t3"], stopReasons: { [stopReasons.draining]: 1 } }],
    // A pending task on a DRAINING instance is stopped at once (ECS's draining rule) and replaced.
    ["draining: pending goes at once", snap(svc(), [...tasks(2, NEW, "healthy"), ...tasks(1, NEW, "pending", { containerInstanceId: "i2" })], { instances: [{ id: "i1", status: "ACTIVE", agentConnected: true }, { id: "i2", status: "DRAINING", agentConnected: true }] }), { start: 1, stop: 1 }],
    // A task of a deployment the service no longer lists is drained like an old one.
    ["orphaned task", snap(svc({ events: steadyEvent }), [...tasks(3, NEW, "healthy"), ...tasks(1, "ecs-svc/9999999999999999999", "healthy")]), { start: 0, stop: 1, stopIds: ["t3"] }],

    // Breaker on, 2 failures of 3 (threshold 3): not yet; the deployment keeps trying.
    ["breaker below threshold", snap(rollingSvc({ breaker: { enable: true, rollback: true } }), [...tasks(3, OLD, "healthy"), ...tasks(2, NEW, "failed")]), { start: 3, stop: 0, rollout: "IN_PROGRESS", deployments: 2 }],
    // Breaker without rollback at 3 failures: FAILED, nothing more starts, old tasks kept.
    ["breaker trips, no rollback", snap(rollingSvc({ breaker: { enable: true, rollback: false } }), [...tasks(3, OLD, "healthy"), ...tasks(3, NEW, "failed")]), { start: 0, stop: 0, rollout: "FAILED", deployments: 2, events: [serviceMessages.deploymentFailed(web, NEW)] }],
    // A stored failure count trips it too (stopped tasks may have been cleaned away).
    ["breaker trips on the stored count", snap(rollingSvc({ breaker: { enable: true, rollback: false }, deployments: [dep(NEW, { rolloutState: "IN_PROGRESS", failedTasks: 3 }), dep(OLD, { status: "ACTIVE", taskDefinition: TD1 })] }), tasks(3, OLD, "healthy")), { start: 0, stop: 0, rollout: "FAILED" }],
    // With rollback: a new primary on the old task definition starts; the failed one (no tasks left) is dropped.
    ["breaker trips, rollback", snap(rollingSvc({ breaker: { enable: true, rollback: true } }), [...tasks(3, OLD, "healthy"), ...tasks(3, NEW, "failed")]), { start: 3, stop: 0, rollout: "IN_PROGRESS", deployments: 2, events: [serviceMessages.rollingBack(web, OLD), serviceMessages.deploymentFailed(web, NEW)] }],
    // A COMPLETED deployment never trips, whatever its failure count.
    ["breaker ignores COMPLETED", snap(svc({ breaker: { enable: true, rollback: true }, events: steadyEvent }), [...tasks(3, NEW, "healthy"), ...tasks(5, NEW, "failed")]), { start: 0, stop: 0, rollout: "COMPLETED", write: true }],

    // Deleting: every live task stops, whatever its state; the service stays DRAINING.
    ["DRAINING service stops all", snap(svc({ status: "DRAINING" }), [...tasks(2, NEW, "healthy"), ...tasks(1, NEW, "pending"), ...tasks(1, NEW, "stopping")]), { start: 0, stop: 3, status: "DRAINING", stopReasons: { [scaleNew]: 3 } }],
    // Deleting, all stopping: nothing to do yet.
    ["DRAINING service waits", snap(svc({ status: "DRAINING" }), tasks(3, NEW, "stopping")), { start: 0, stop: 0, write: false }],
    // Deleting, all STOPPED: the service is INACTIVE.
    ["DRAINING service ends INACTIVE", snap(svc({ status: "DRAINING" }), tasks(3, NEW, "stopped")), { start: 0, stop: 0, status: "INACTIVE", write: true }],

    // Protection: desired 4 → 2 with the newest (t3) protected: the next two unprotected go instead.
    ["protection: scale in spares a protected task", snap(svc({ desiredCount: 2 }), [...tasks(3, NEW, "healthy"), ...tasks(1, NEW, "healthy", { ...guard, startedAtMs: NOW - 1000 })]), { start: 0, stop: 2, stopIds: ["t1", "t2"], spareProtected: 2 }],
    // 3 → 1 with t1 and t2 protected: only t0 can go; the service stays at 2, above desired.
    ["protection: scale in stops above desired", snap(svc({ desiredCount: 1 }), [...tasks(1, NEW, "healthy"), ...tasks(2, NEW, "healthy", guard)]), { start: 0, stop: 1, stopIds: ["t0"] }],
    // Every extra protected: nothing stops, nothing starts, nothing to write.
    ["protection: all protected, nothing stops", snap(svc({ desiredCount: 1, events: steadyEvent }), tasks(3, NEW, "healthy", guard)), { start: 0, stop: 0, write: false }],
    // A protected task still pending is not a scale-in victim either: the unprotected pending one
    // goes, and the next extra would be healthy t1, which minHealthy (2 of desired 2) keeps.
    ["protection: pending protected kept", snap(svc({ desiredCount: 2 }), [...tasks(2, NEW, "healthy"), ...tasks(1, NEW, "pending", guard), ...tasks(1, NEW, "pending")]), { start: 0, stop: 1, stopIds: ["t3"] }],
    // Protection that expired at `now` no longer holds: the newest goes as usual.
    ["protection: expired protection", snap(svc({ desiredCount: 2 }), [...tasks(3, NEW, "healthy"), ...tasks(1, NEW, "healthy", { ...lapsed, startedAtMs: NOW - 1000 })]), { start: 0, stop: 2, stopIds: ["t2", "t3"] }],
    // 100/200 phase 3 with old t0 protected: the other two old ones go, t0 stays.
    ["protection: deployment keeps a protected old task", snap(rollingSvc(), [...tasks(1, OLD, "healthy", guard), ...tasks(2, OLD, "healthy"), ...tasks(3, NEW, "healthy")]), { start: 0, stop: 2, stopIds: ["t1", "t2"], deployments: 2, rollout: "IN_PROGRESS" }],
    // Only the protected old task is left: the deployment waits (IN_PROGRESS, old one listed).
    ["protection: deployment waits for it", snap(rollingSvc(), [...tasks(1, OLD, "healthy", guard), ...tasks(2, OLD, "stopped"), ...tasks(3, NEW, "healthy")]), { start: 0, stop: 0, deployments: 2, rollout: "IN_PROGRESS" }],
    // A protected old task that never started is kept too, even where unprotected ones go at once.
    ["protection: pending old task kept", snap(rollingSvc({ min: 100, max: 100 }), [...tasks(2, OLD, "healthy"), ...tasks(1, OLD, "pending", guard)]), { start: 0, stop: 0, write: false }],
    // Its protection lapsed: the deployment goes on and stops it.
    ["protection: deployment resumes on expiry", snap(rollingSvc(), [...tasks(1, OLD, "healthy", lapsed), ...tasks(2, OLD, "stopped"), ...tasks(3, NEW, "healthy")]), { start: 0, stop: 1, stopIds: ["t0"], spareProtected: 1 }],
    // Protection does not cover failed health checks: the unhealthy task is replaced.
    ["protection: unhealthy still replaced", snap(svc(), [...tasks(2, NEW, "healthy"), ...tasks(1, NEW, "unhealthy", guard)]), { start: 1, stop: 1, stopReasons: { [stopReasons.unhealthy]: 1 }, spareProtected: 0 }],
    // Nor draining: the replacement is healthy, so the protected task on the DRAINING instance goes.
    ["protection: draining still moves it", snap(svc(), [...tasks(3, NEW, "healthy"), ...tasks(1, NEW, "healthy", { ...guard, containerInstanceId: "i2" })], draining2), { start: 0, stop: 1, stopIds: ["t3"], stopReasons: { [stopReasons.draining]: 1 } }],
    // Nor deletion: a DRAINING service stops its protected tasks with the rest.
    ["protection: deletion stops protected tasks", snap(svc({ status: "DRAINING" }), tasks(2, NEW, "healthy", guard)), { start: 0, stop: 2, spareProtected: 0 }],

    // Converged, steady state already the newest event: an empty plan and no write.
    ["converged: no write", snap(svc({ events: steadyEvent }), tasks(3, NEW, "healthy")), { start: 0, stop: 0, write: false }],
    // Converged after tasks started: the steady-state event is added once.
    ["converged: steady state once", snap(svc({ events: [{ id: "e1", createdAtMs: NOW, message: serviceMessages.startedTasks(web, ["t2"]) }, ...steadyEvent] }), tasks(3, NEW, "healthy")), { start: 0, stop: 0, write: true, events: [serviceMessages.steadyState(web)] }],
  ])("planService: %s", (_name, s, exp) => {
    assertPlan(s, planService(s), exp);
  });
});

describe("planService: Availability Zone rebalancing", () => {
  it("places the surge task on the emptiest zone's instances only", () => {
    const s = snap(svc({ availabilityZoneRebalancing: "ENABLED", desiredCount: 2, events: steadyEvent }), tasks(2, NEW, "healthy", { availabilityZone: "z1" }), zones2);
    expect(planService(s).start).toEqual([{ deploymentId: NEW, taskDefinition: TD2, count: 1, amongInstanceIds: ["i2"] }]);
  });

  it("waits while a task is protected", () => {
    const s = snap(svc({ availabilityZoneRebalancing: "ENABLED", desiredCount: 2, events: steadyEvent }), tasks(2, NEW, "healthy", { availabilityZone: "z1", ...guard }), zones2);
    expect(planService(s).start).toEqual([]);
  });
});

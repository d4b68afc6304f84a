import { describe, expect, it } from "vitest";
import type { RolloutState, TaskRecord } from "@berth/shared";
import { unplacedMessage } from "./place.js";
import { daemonSnap, daemonSvc, instance, on } from "./daemon-testing.js";
import { serviceMessages, stopReasons } from "./events.js";
import { planService } from "./plan.js";
import { NEW, NOW, OLD, TD1, dep, tasks, type TaskState } from "./testing.js";
import type { ServicePlan, ServiceSnapshot } from "./types.js";

/** What a daemon round should decide, as counts and the instances it starts on. */
interface Expect {
  /** Instances a task is started on, in order. */
  startOn: string[];
  stop: number;
  stopReasons?: Record<string, number>;
  stopIds?: string[];
  /** The service's desiredCount after the round (the eligible instances). */
  desired?: number;
  rollout?: RolloutState;
  write?: boolean;
}

/** The one assert helper: every field of `exp` that is set must match the plan. */
function assertPlan(s: ServiceSnapshot, plan: ServicePlan, exp: Expect): void {
  const after = plan.service ?? s.service;
  const reasons: Record<string, number> = {};
  for (const x of plan.stop) reasons[x.reason] = (reasons[x.reason] ?? 0) + 1;
  const got: Expect = {
    startOn: plan.start.flatMap((x) => x.instanceIds ?? []),
    stop: plan.stop.length,
    ...(exp.stopReasons && { stopReasons: reasons }),
    ...(exp.stopIds && { stopIds: plan.stop.map((x) => x.taskId).sort() }),
    ...(exp.desired !== undefined && { desired: after.desiredCount }),
    ...(exp.rollout && { rollout: after.deployments.find((d) => d.status === "PRIMARY")?.rolloutState }),
    ...(exp.write !== undefined && { write: plan.service !== undefined }),
  };
  expect(got).toEqual({ ...exp, ...(exp.stopIds && { stopIds: [...exp.stopIds].sort() }) });
  // Every start names its instances, one task each, and the summary agrees.
  for (const x of plan.start) expect(x.count).toBe(x.instanceIds?.length);
  expect(plan.summary.start).toBe(got.startOn.length);
  expect(plan.summary.stop).toBe(got.stop);
}

/** One task of `startedBy` in `state` on each of `hosts`. */
const perHost = (hosts: string[], startedBy: string, state: TaskState, over: Partial<TaskRecord> = {}) =>
  hosts.flatMap((h) => tasks(1, startedBy, state, on(h, over)));

const steady = [{ id: "e0", createdAtMs: NOW - 1000, message: serviceMessages.steadyState("web") }];
const scaleNew = stopReasons.scaling(NEW);
const four = ["i1", "i2", "i3", "i4"];
const hosts = (ids: string[]) => ids.map((id) => instance(id));
const rolling = (o: Parameters<typeof daemonSvc>[0] = {}) =>
  daemonSvc({
    deployments: [dep(NEW, { rolloutState: "IN_PROGRESS", createdAtMs: NOW - 60_000 }), dep(OLD, { status: "ACTIVE", taskDefinition: TD1 })],
    ...o,
  });
const draining = (id: string) => instance(id, { status: "DRAINING" });
const prod = [{ type: "memberOf" as const, expression: "attribute:stack == prod" }];

describe("planService: DAEMON rounds", () => {
  it.each<[string, ServiceSnapshot, Expect]>([
    // A fresh daemon service on two instances: one task on each, named; desired follows.
    ["fresh service", daemonSnap(daemonSvc({ desiredCount: 0 })), { startOn: ["i1", "i2"], stop: 0, desired: 2, write: true }],
    // One healthy task per instance, steady already said: nothing to do or write.
    ["converged", daemonSnap(daemonSvc({ events: steady }), perHost(["i1", "i2"], NEW, "healthy")), { startOn: [], stop: 0, desired: 2, write: false }],
    // An instance joins: it alone gets a task, and the desired count becomes 3.
    ["instance joins", daemonSnap(daemonSvc({ events: steady }), perHost(["i1", "i2"], NEW, "healthy"), { instances: hosts(["i1", "i2", "i3"]) }), { startOn: ["i3"], stop: 0, desired: 3, write: true }],
    // A task that stopped (or was never placed: no room last round) is started again on its instance.
    ["restart on the same instance", daemonSnap(daemonSvc(), [...perHost(["i1"], NEW, "healthy"), ...perHost(["i2"], NEW, "stopped")]), { startOn: ["i2"], stop: 0 }],
    // memberOf excludes i2 (no stack=prod): only i1 takes a task; desired 1.
    ["constraint excludes an instance", daemonSnap(daemonSvc(), [], { instances: [instance("i1", { attrs: { stack: "prod" } }), instance("i2")], constraints: prod }), { startOn: ["i1"], stop: 0, desired: 1 }],
    // The constraint no longer admits i2: its running task goes; i1's stays.
    ["constraint stops a running task", daemonSnap(daemonSvc({ events: steady }), perHost(["i1", "i2"], NEW, "healthy"), { instances: [instance("i1", { attrs: { stack: "prod" } }), instance("i2")], constraints: prod }), { startOn: [], stop: 1, stopIds: ["t1"], stopReasons: { [scaleNew]: 1 }, desired: 1 }],
    // A task:group constraint does not see the service's own tasks (it would exclude itself).
    ["own tasks do not count for task:group", daemonSnap(daemonSvc(), [], { instances: [instance("i1", { tasks: [{ family: "web", group: "service:web", taskDefinitionArn: TD1 }] })], constraints: [{ type: "memberOf", expression: "not(task:group == service:web)" }] }), { startOn: ["i1"], stop: 0, desired: 1 }],
    // DRAINING i2 still runs another task: the daemon task waits (drained last); no start there.
    ["draining: waits for the other tasks", daemonSnap(daemonSvc(), perHost(["i1", "i2"], NEW, "healthy"), { instances: [instance("i1"), draining("i2")], otherTasks: { i2: 1 } }), { startOn: [], stop: 0, desired: 1 }],
    // The other tasks are gone: the daemon task stops, reason draining.
    ["draining: then the daemon task stops", daemonSnap(daemonSvc(), perHost(["i1", "i2"], NEW, "healthy"), { instances: [instance("i1"), draining("i2")], otherTasks: { i1: 3 } }), { startOn: [], stop: 1, stopIds: ["t1"], stopReasons: { [stopReasons.draining]: 1 } }],
    // A daemon task that never ran on a DRAINING instance goes at once, whatever else runs there.
    ["draining: pending goes at once", daemonSnap(daemonSvc(), [...perHost(["i1"], NEW, "healthy"), ...perHost(["i2"], NEW, "pending")], { instances: [instance("i1"), draining("i2")], otherTasks: { i2: 2 } }), { startOn: [], stop: 1, stopIds: ["t1"] }],
    // i2's agent is lost and its task was marked STOPPED: nothing starts there or elsewhere.
    ["lost agent: not replaced elsewhere", daemonSnap(daemonSvc(), [...perHost(["i1"], NEW, "healthy"), ...perHost(["i2"], NEW, "stopped")], { instances: [instance("i1"), instance("i2", { agentConnected: false })] }), { startOn: [], stop: 0, desired: 2 }],
    // Lost agent, task still RUNNING by its record (within the grace): left alone.
    ["lost agent: task left alone", daemonSnap(daemonSvc({ events: steady }), perHost(["i1", "i2"], NEW, "healthy"), { instances: [instance("i1"), instance("i2", { agentConnected: false })] }), { startOn: [], stop: 0, write: false }],
    // An unhealthy task is stopped; its replacement waits until it is STOPPED (same instance).
    ["unhealthy: stop, no start yet", daemonSnap(daemonSvc(), [...perHost(["i1"], NEW, "healthy"), ...perHost(["i2"], NEW, "unhealthy")]), { startOn: [], stop: 1, stopReasons: { [stopReasons.unhealthy]: 1 } }],
    // Two primary tasks on one instance (a race): the newer goes.
    ["duplicate on one instance", daemonSnap(daemonSvc(), [...tasks(2, NEW, "healthy", on("i1")).map((t, i) => ({ ...t, startedAtMs: NOW - 10_000 + i })), ...perHost(["i2"], NEW, "healthy")]), { startOn: [], stop: 1, stopIds: ["t1"] }],
    // No instance at all: nothing to do, desired 0.
    ["no instances", daemonSnap(daemonSvc(), [], { instances: [] }), { startOn: [], stop: 0, desired: 0 }],

    // 0/100 (ECS's daemon default): every old task stops at once, nothing starts yet.
    ["0/100 rollout stops the old tasks", daemonSnap(rolling(), perHost(["i1", "i2"], OLD, "healthy")), { startOn: [], stop: 2, rollout: "IN_PROGRESS" }],
    // Old tasks still stopping hold their instances: nothing starts.
    ["0/100 waits for the stops", daemonSnap(rolling(), perHost(["i1", "i2"], OLD, "stopping")), { startOn: [], stop: 0 }],
    // Old tasks STOPPED: the new revision starts on each instance.
    ["0/100 then starts", daemonSnap(rolling(), perHost(["i1", "i2"], OLD, "stopped")), { startOn: ["i1", "i2"], stop: 0 }],
    // 50/100 on four hosts (min healthy 2): host by host, i1 and i2 first.
    ["50/100 stops half the hosts", daemonSnap(rolling({ min: 50, desiredCount: 4 }), perHost(four, OLD, "healthy"), { instances: hosts(four) }), { startOn: [], stop: 2, stopIds: ["t0", "t1"] }],
    // i1 and i2 emptied: the new revision starts there; i3 and i4 keep the old one.
    ["50/100 starts on the emptied hosts", daemonSnap(rolling({ min: 50, desiredCount: 4 }), [...perHost(["i1", "i2"], OLD, "stopped"), ...perHost(["i3", "i4"], OLD, "healthy")], { instances: hosts(four) }), { startOn: ["i1", "i2"], stop: 0 }],
    // New ones still pending: the healthy count is 2, so no old task may go yet.
    ["50/100 waits for health", daemonSnap(rolling({ min: 50, desiredCount: 4 }), [...perHost(["i1", "i2"], NEW, "pending"), ...perHost(["i3", "i4"], OLD, "healthy")], { instances: hosts(four) }), { startOn: [], stop: 0 }],
    // New ones healthy: the last two hosts roll.
    ["50/100 rolls the rest", daemonSnap(rolling({ min: 50, desiredCount: 4 }), [...perHost(["i1", "i2"], NEW, "healthy"), ...perHost(["i3", "i4"], OLD, "healthy")], { instances: hosts(four) }), { startOn: [], stop: 2, stopIds: ["t2", "t3"] }],
    // Everything new and healthy, old STOPPED: the deployment completes.
    ["rollout completes", daemonSnap(rolling(), [...perHost(["i1", "i2"], OLD, "stopped"), ...perHost(["i1", "i2"], NEW, "healthy")]), { startOn: [], stop: 0, rollout: "COMPLETED", write: true }],
    // A duplicate is not coverage: at 75% of 2 hosts (2 healthy kept) i1's duplicate goes and
    // i2's old task must wait, since only i1's one task would be left healthy.
    ["a duplicate does not count toward minHealthy", daemonSnap(rolling({ min: 75 }), [...tasks(2, NEW, "healthy", on("i1")), ...perHost(["i2"], OLD, "healthy")]), { startOn: [], stop: 1, stopIds: ["t1"] }],
    // Breaker tripped without rollback: FAILED, nothing starts, old tasks are kept.
    ["breaker without rollback holds", daemonSnap(rolling({ breaker: { enable: true, rollback: false } }), [...perHost(["i1"], OLD, "healthy"), ...tasks(3, NEW, "failed", on("i2"))]), { startOn: [], stop: 0, rollout: "FAILED" }],
    // Deleting: every live task stops, no matter the instance.
    ["DRAINING service stops all", daemonSnap(daemonSvc({ status: "DRAINING", desiredCount: 0 }), perHost(["i1", "i2"], NEW, "healthy")), { startOn: [], stop: 2, desired: 0 }],
  ])("planService: %s", (_name, s, exp) => {
    assertPlan(s, planService(s), exp);
  });

  it("unplacedMessage: a daemon task that does not fit its instance names that instance", () => {
    const arn = "arn:aws:ecs:us-east-1:000000000000:container-instance/default/i2";
    expect(unplacedMessage("agent", [{ arn, reason: "RESOURCE:MEMORY" }])).toBe(
      "(service agent) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance i2) has insufficient memory available.",
    );
  });
});

import { describe, expect, it } from "vitest";
import { classifyInstance, lostTaskReason, planLiveness, runtimeLostTaskReason, type LivenessInstance, type LivenessSnapshot, type LivenessTask } from "./plan.js";

const now = 1_000_000;
const grace = 5000;

const inst = (id: string, over: Partial<LivenessInstance> = {}): LivenessInstance => ({ id, cluster: "c", status: "ACTIVE", agentConnected: true, ...over });
const task = (id: string, on: string, over: Partial<LivenessTask> = {}): LivenessTask => ({
  id,
  cluster: "c",
  containerInstanceId: on,
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  ...over,
});
const snap = (instances: LivenessInstance[], sessions: string[], tasks: LivenessTask[]): LivenessSnapshot => ({
  instances,
  sessions: new Set(sessions),
  tasks,
  now,
  graceMs: grace,
});

interface Expect {
  disconnect: string[];
  lost: string[];
  next?: number;
}

function assertPlan(s: LivenessSnapshot, want: Expect) {
  const plan = planLiveness(s);
  expect(plan.markDisconnected.map((d) => d.instanceId)).toEqual(want.disconnect);
  expect(plan.markLost.map((l) => l.taskId)).toEqual(want.lost);
  expect(plan.nextDeadlineMs).toBe(want.next);
  expect(plan.summary.markDisconnected).toBe(want.disconnect.length);
  expect(plan.summary.markLost).toBe(want.lost.length);
}

describe("planLiveness", () => {
  it.each<[string, LivenessSnapshot, Expect]>([
    // connected with a session key: nothing to do
    ["connected and held", snap([inst("a")], ["a"], [task("t1", "a")]), { disconnect: [], lost: [] }],
    // connected, but its Docker engine has been unreachable for 2 s: wait out the grace
    ["runtime down within grace", snap([inst("a", { runtimeUnhealthySinceMs: now - 2000 })], ["a"], [task("t1", "a")]), { disconnect: [], lost: [], next: now + 3000 }],
    // connected, runtime unreachable past the grace: its tasks are lost although the agent talks
    ["runtime down past grace", snap([inst("a", { runtimeUnhealthySinceMs: now - grace })], ["a"], [task("t1", "a")]), { disconnect: [], lost: ["t1"] }],
    // runtime down with nothing on it: nothing to do, no wake-up
    ["runtime down, no tasks", snap([inst("a", { runtimeUnhealthySinceMs: now - 60_000 })], ["a"], []), { disconnect: [], lost: [] }],
    // connected by the record, no key: its replica died; marked disconnected, grace starts now
    ["vanished session", snap([inst("a")], [], [task("t1", "a")]), { disconnect: ["a"], lost: [], next: now + grace }],
    // vanished with no tasks: still marked (users see agentConnected false), no deadline
    ["vanished, no tasks", snap([inst("a")], [], []), { disconnect: ["a"], lost: [] }],
    // a key but not yet connected: a session is opening, hands off
    ["session opening", snap([inst("a", { agentConnected: false, disconnectedAtMs: now - 60_000 })], ["a"], [task("t1", "a")]), { disconnect: [], lost: [] }],
    // disconnected within the grace: wait, and wake when it ends
    ["within grace", snap([inst("a", { agentConnected: false, disconnectedAtMs: now - 2000 })], [], [task("t1", "a")]), { disconnect: [], lost: [], next: now + 3000 }],
    // disconnected exactly the grace: lost
    ["grace just over", snap([inst("a", { agentConnected: false, disconnectedAtMs: now - grace })], [], [task("t1", "a")]), { disconnect: [], lost: ["t1"] }],
    // lost: every task not STOPPED goes, stopping ones and pending ones too; stopped ones stay
    [
      "lost with mixed tasks",
      snap(
        [inst("a", { agentConnected: false, disconnectedAtMs: now - 9000 })],
        [],
        [
          task("run", "a"),
          task("pend", "a", { lastStatus: "PENDING" }),
          task("stopping", "a", { desiredStatus: "STOPPED", lastStatus: "STOPPING" }),
          task("done", "a", { desiredStatus: "STOPPED", lastStatus: "STOPPED" }),
        ],
      ),
      { disconnect: [], lost: ["run", "pend", "stopping"] },
    ],
    // lost but nothing left on it: nothing to write
    ["lost, only stopped tasks", snap([inst("a", { agentConnected: false, disconnectedAtMs: now - 9000 })], [], [task("done", "a", { lastStatus: "STOPPED" })]), { disconnect: [], lost: [] }],
    // DRAINING instances are watched like ACTIVE ones
    ["draining lost", snap([inst("a", { status: "DRAINING", agentConnected: false, disconnectedAtMs: now - 9000 })], [], [task("t1", "a")]), { disconnect: [], lost: ["t1"] }],
    // INACTIVE: deregistration handled its tasks
    ["inactive ignored", snap([inst("a", { status: "INACTIVE", agentConnected: false, disconnectedAtMs: now - 9000 })], [], [task("t1", "a")]), { disconnect: [], lost: [] }],
    // INACTIVE though still flagged connected without key: not touched either
    ["inactive vanished ignored", snap([inst("a", { status: "INACTIVE" })], [], []), { disconnect: [], lost: [] }],
    // disconnected with no time recorded and tasks: the clock starts now
    ["unstamped with tasks", snap([inst("a", { agentConnected: false })], [], [task("t1", "a")]), { disconnect: ["a"], lost: [], next: now + grace }],
    // disconnected with no time recorded and no tasks (registered, never connected): no write
    ["unstamped idle", snap([inst("a", { agentConnected: false })], [], []), { disconnect: [], lost: [] }],
    // tasks of other instances are never touched; the earliest deadline wins
    [
      "several instances",
      snap(
        [
          inst("a"),
          inst("b", { agentConnected: false, disconnectedAtMs: now - 1000 }),
          inst("c", { agentConnected: false, disconnectedAtMs: now - 4000 }),
          inst("d", { agentConnected: false, disconnectedAtMs: now - 7000 }),
        ],
        ["a"],
        [task("ta", "a"), task("tb", "b"), task("tc", "c"), task("td", "d")],
      ),
      { disconnect: [], lost: ["td"], next: now + 1000 },
    ],
  ])("%s", (_name, s, want) => assertPlan(s, want));

  it("gives lost tasks a reason naming how long the agent was away", () => {
    const plan = planLiveness(snap([inst("a", { agentConnected: false, disconnectedAtMs: now - 6400 })], [], [task("t1", "a")]));
    expect(plan.markLost).toEqual([{ taskId: "t1", cluster: "c", instanceId: "a", reason: "Task stopped because its container instance was lost (agent disconnected for 6 s)" }]);
    expect(lostTaskReason(11_600)).toBe("Task stopped because its container instance was lost (agent disconnected for 12 s)");
    expect(runtimeLostTaskReason(5_200)).toBe("Task stopped because its container instance's container runtime was unreachable for 5 s");
  });

  it.each<[string, LivenessInstance, string[], ReturnType<typeof classifyInstance>]>([
    // the first matching rule wins: INACTIVE beats everything
    ["inactive first", inst("a", { status: "INACTIVE" }), ["a"], "ignore"],
    // a held key beats a stale disconnected time
    ["opening beats lost", inst("a", { agentConnected: false, disconnectedAtMs: 0 }), ["a"], "opening"],
    // connected without key is vanished whatever the disconnected time says
    ["vanished", inst("a", { disconnectedAtMs: 0 }), [], "vanished"],
    // a held session whose runtime is down is judged by the runtime rule, not as connected
    ["runtime beats connected", inst("a", { runtimeUnhealthySinceMs: 0 }), ["a"], "runtime-lost"],
    // a vanished session is vanished whatever the runtime said last
    ["vanished beats runtime", inst("a", { runtimeUnhealthySinceMs: 0 }), [], "vanished"],
  ])("classifyInstance: %s", (_name, i, sessions, verdict) => {
    expect(classifyInstance(i, snap([i], sessions, []))).toBe(verdict);
  });
});

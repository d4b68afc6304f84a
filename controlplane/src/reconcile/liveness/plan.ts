import type { ContainerInstanceRecord, StopCode, TaskRecord } from "@berth/shared";

/** How long an instance may stay disconnected before its tasks are marked lost (docs/LIVENESS.md). */
export const defaultLostInstanceGraceMs = 5000;

/**
 * The ECS stop code given to tasks of a lost instance. ECS has no code for "the host vanished";
 * TerminationNotice is the one ECS uses when the infrastructure under a task goes away (host
 * terminated or retired), which is what a lost instance is from the task's point of view. The
 * others claim something berth does not know (EssentialContainerExited, TaskFailedToStart) or
 * name the wrong actor (UserInitiated, ServiceSchedulerInitiated, SpotInterruption).
 */
export const lostTaskStopCode: StopCode = "TerminationNotice";

/** The stoppedReason of a task whose instance was lost. */
export function lostTaskReason(disconnectedForMs: number): string {
  return `Task stopped because its container instance was lost (agent disconnected for ${Math.round(disconnectedForMs / 1000)} s)`;
}

/** The stoppedReason of a task whose instance's agent could not reach its container runtime. */
export function runtimeLostTaskReason(unhealthyForMs: number): string {
  return `Task stopped because its container instance's container runtime was unreachable for ${Math.round(unhealthyForMs / 1000)} s`;
}

/** What the liveness planner reads about an instance. */
export type LivenessInstance = Pick<
  ContainerInstanceRecord,
  "id" | "cluster" | "status" | "agentConnected" | "disconnectedAtMs" | "runtimeUnhealthySinceMs"
>;

/** What the liveness planner reads about a task. */
export type LivenessTask = Pick<TaskRecord, "id" | "cluster" | "containerInstanceId" | "lastStatus" | "desiredStatus">;

/** Everything one liveness round decides from: plain data, no store, no clock. */
export interface LivenessSnapshot {
  instances: LivenessInstance[];
  /** Ids of the instances that have a session key (a session is held by some replica). */
  sessions: ReadonlySet<string>;
  /** Tasks of the instances that may be lost (others may be left out). */
  tasks: LivenessTask[];
  now: number;
  graceMs: number;
}

/** A task to mark STOPPED because its instance is lost. */
export interface LostTask {
  taskId: string;
  cluster: string;
  instanceId: string;
  reason: string;
}

/** An instance to mark disconnected from `now`, starting its grace period. */
export interface DisconnectRequest {
  cluster: string;
  instanceId: string;
}

/** What one liveness round should do; applying it twice changes nothing more. */
export interface LivenessPlan {
  markDisconnected: DisconnectRequest[];
  markLost: LostTask[];
  /** When the earliest pending grace period ends: the loop looks again then. */
  nextDeadlineMs?: number;
  summary: LivenessSummary;
}

/** Counts for the round's log line. */
export interface LivenessSummary {
  connected: number;
  waiting: number;
  lostInstances: number;
  markDisconnected: number;
  markLost: number;
}

/** How an instance stands this round; the first rule that matches wins. */
export type InstanceVerdict =
  | "ignore"
  | "connected"
  | "runtime-waiting"
  | "runtime-lost"
  | "vanished"
  | "opening"
  | "unstamped"
  | "waiting"
  | "lost";

const rules: { verdict: InstanceVerdict; when: (i: LivenessInstance, s: LivenessSnapshot) => boolean }[] = [
  // Deregistered: deregistration already stopped its tasks (or was refused while it had some).
  { verdict: "ignore", when: (i) => i.status === "INACTIVE" },
  // Connected, but the agent reports its Docker engine unreachable: what runs there is out of
  // anyone's control, so after the same grace as a lost agent its tasks are lost.
  {
    verdict: "runtime-waiting",
    when: (i, s) => i.agentConnected && s.sessions.has(i.id) && i.runtimeUnhealthySinceMs !== undefined && s.now - i.runtimeUnhealthySinceMs < s.graceMs,
  },
  { verdict: "runtime-lost", when: (i, s) => i.agentConnected && s.sessions.has(i.id) && i.runtimeUnhealthySinceMs !== undefined },
  // Connected and some replica holds its session key: alive.
  { verdict: "connected", when: (i, s) => i.agentConnected && s.sessions.has(i.id) },
  // Connected by its record, but the key is gone: the replica serving it died and its lease
  // expired, so nobody was left to record the disconnect.
  { verdict: "vanished", when: (i) => i.agentConnected },
  // A key but not yet connected: a session is opening (the key is written first); it is the
  // session's to mark connected, and its tasks must not be touched meanwhile.
  { verdict: "opening", when: (i, s) => s.sessions.has(i.id) },
  // Disconnected with no time recorded (never connected, or from before the time was kept):
  // the grace period starts now.
  { verdict: "unstamped", when: (i) => i.disconnectedAtMs === undefined },
  { verdict: "waiting", when: (i, s) => s.now - (i.disconnectedAtMs ?? s.now) < s.graceMs },
  { verdict: "lost", when: () => true },
];

/** The verdict on one instance (exported for tests and the log). */
export function classifyInstance(i: LivenessInstance, s: LivenessSnapshot): InstanceVerdict {
  return rules.find((r) => r.when(i, s))!.verdict;
}

/**
 * Plans one liveness round: instances whose session vanished are marked disconnected; every
 * task not yet STOPPED on an instance disconnected for longer than the grace period is marked
 * lost (those already asked to stop too: their agent is not there to stop them).
 */
export function planLiveness(s: LivenessSnapshot): LivenessPlan {
  const live = (t: LivenessTask) => t.lastStatus !== "STOPPED";
  const tasksOn = new Map<string, LivenessTask[]>();
  for (const t of s.tasks) {
    if (!live(t)) continue;
    const list = tasksOn.get(t.containerInstanceId) ?? [];
    list.push(t);
    tasksOn.set(t.containerInstanceId, list);
  }

  const plan: LivenessPlan = { markDisconnected: [], markLost: [], summary: { connected: 0, waiting: 0, lostInstances: 0, markDisconnected: 0, markLost: 0 } };
  const deadline = (ms: number) => {
    plan.nextDeadlineMs = plan.nextDeadlineMs === undefined ? ms : Math.min(plan.nextDeadlineMs, ms);
  };
  for (const i of s.instances) {
    const tasks = tasksOn.get(i.id) ?? [];
    switch (classifyInstance(i, s)) {
      case "ignore":
      case "opening":
        break;
      case "connected":
        plan.summary.connected++;
        break;
      case "runtime-waiting":
        plan.summary.waiting++;
        if (tasks.length > 0) deadline(i.runtimeUnhealthySinceMs! + s.graceMs);
        break;
      case "runtime-lost":
        if (tasks.length === 0) break;
        plan.summary.lostInstances++;
        for (const t of tasks) {
          plan.markLost.push({ taskId: t.id, cluster: t.cluster, instanceId: i.id, reason: runtimeLostTaskReason(s.now - i.runtimeUnhealthySinceMs!) });
        }
        break;
      case "vanished":
        plan.markDisconnected.push({ cluster: i.cluster, instanceId: i.id });
        if (tasks.length > 0) deadline(s.now + s.graceMs);
        break;
      case "unstamped":
        // Only worth a write when there is something to mark lost later.
        if (tasks.length === 0) break;
        plan.markDisconnected.push({ cluster: i.cluster, instanceId: i.id });
        deadline(s.now + s.graceMs);
        break;
      case "waiting":
        plan.summary.waiting++;
        if (tasks.length > 0) deadline(i.disconnectedAtMs! + s.graceMs);
        break;
      case "lost":
        if (tasks.length === 0) break;
        plan.summary.lostInstances++;
        for (const t of tasks) {
          plan.markLost.push({ taskId: t.id, cluster: t.cluster, instanceId: i.id, reason: lostTaskReason(s.now - i.disconnectedAtMs!) });
        }
        break;
    }
  }
  plan.summary.markDisconnected = plan.markDisconnected.length;
  plan.summary.markLost = plan.markLost.length;
  return plan;
}

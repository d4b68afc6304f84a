import { describe, expect, it } from "vitest";
import { dispatchedDesiredStatus, type TaskRecord } from "@berth/shared";
import type { TaskStateChange } from "@berth/proto";
import { agentStopOf, applyChange, stoppedWithoutAgent, stoppingTask, type AgentStop } from "./task-state.js";
import type { TargetGroupRecord } from "./elbv2/index.js";

const now = 1_700_000_000_000;

function task(over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id: "t1",
    arn: "arn:aws:ecs:us-east-1:000000000000:task/c/t1",
    cluster: "c",
    clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/c",
    taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/f:1",
    family: "f",
    revision: 1,
    containerInstanceId: "i1",
    containerInstanceArn: "arn:aws:ecs:us-east-1:000000000000:container-instance/c/i1",
    launchType: "EC2",
    desiredStatus: "RUNNING",
    lastStatus: "PENDING",
    reserved: { cpu: 0, memory: 8, ports: [], portsUdp: [] },
    released: false,
    containers: [{ name: "main", containerArn: "", image: "x", lastStatus: "PENDING", networkBindings: [] }],
    createdAtMs: now - 10_000,
    version: 1,
    ...over,
  };
}

function change(status: string, container: Partial<TaskStateChange["containers"][number]> = {}, over: Partial<TaskStateChange> = {}): TaskStateChange {
  return {
    seq: 1,
    taskArn: "arn:aws:ecs:us-east-1:000000000000:task/c/t1",
    status,
    reason: "",
    containers: [{ name: "main", runtimeId: "abc", status, reason: "", networkBindings: [], healthStatus: "", imageDigest: "", startedAtMs: 0, ...container }],
    pullStartedAtMs: 0,
    pullStoppedAtMs: 0,
    startedAtMs: 0,
    stoppedAtMs: 0,
    executionStoppedAtMs: 0,
    ...over,
  };
}

describe("applyChange", () => {
  it.each<[string, TaskRecord, TaskStateChange, Partial<TaskRecord>, string]>([
    // the agent reports the container running: the task runs
    ["pending to running", task(), change("RUNNING", {}, { startedAtMs: now - 1000 }), { lastStatus: "RUNNING", startedAtMs: now - 1000 }, "RUNNING"],
    // a late PENDING report after RUNNING does not move the task back
    ["no going back", task({ lastStatus: "RUNNING" }), change("CREATED"), { lastStatus: "RUNNING" }, "PENDING"],
    // the essential container exits: STOPPED, desired follows, the agent's reason kept
    [
      "stopped by the agent",
      task({ lastStatus: "RUNNING", startedAtMs: now - 5000 }),
      change("STOPPED", { exitCode: 3 }, { reason: "Essential container in task exited", stoppedAtMs: now - 10 }),
      { lastStatus: "STOPPED", desiredStatus: "STOPPED", stoppedReason: "Essential container in task exited", stopCode: "EssentialContainerExited", stoppedAtMs: now - 10 },
      "STOPPED",
    ],
    // a task marked lost, then the agent comes back and re-sends RUNNING: it stays STOPPED,
    // containers included, with its first stop time
    [
      "lost task, late running report",
      task({ lastStatus: "STOPPED", desiredStatus: "STOPPED", stoppedAtMs: now - 3000, containers: [{ name: "main", containerArn: "", image: "x", lastStatus: "STOPPED", networkBindings: [] }] }),
      change("RUNNING", {}, { stoppedAtMs: now }),
      { lastStatus: "STOPPED", stoppedAtMs: now - 3000 },
      "STOPPED",
    ],
    // a stop held while its targets drain: a report of the still-running task keeps it DEACTIVATING
    [
      "draining, running report",
      task({ lastStatus: "DEACTIVATING", desiredStatus: "STOPPED", drain: { sinceMs: now - 1000, targetGroupArns: ["tg"], untilMs: now + 60_000 } }),
      change("RUNNING", { healthStatus: "HEALTHY" }),
      { lastStatus: "DEACTIVATING", desiredStatus: "STOPPED" },
      "RUNNING",
    ],
    // the same task's essential container exits while it drains: STOPPED all the same
    [
      "draining, stopped report",
      task({ lastStatus: "DEACTIVATING", desiredStatus: "STOPPED", drain: { sinceMs: now - 1000, targetGroupArns: ["tg"], untilMs: now + 60_000 } }),
      change("STOPPED", { exitCode: 0 }),
      { lastStatus: "STOPPED" },
      "STOPPED",
    ],
  ])("%s", (_name, before, ch, want, container) => {
    const after = applyChange(before, ch, now);
    expect(after).toMatchObject(want);
    expect(after.containers[0].lastStatus).toBe(container);
    expect(after.version).toBe(before.version + 1);
  });

  it("records the exit code of a stopped container", () => {
    const after = applyChange(task({ lastStatus: "RUNNING", startedAtMs: now - 5000 }), change("STOPPED", { exitCode: 137 }), now);
    expect(after.containers[0].exitCode).toBe(137);
  });
});

type Ct = Parameters<typeof agentStopOf>[2][number];
const ran = (over: Partial<Ct> = {}): Ct => ({ essential: true, lastStatus: "STOPPED", startedAtMs: now - 1000, ...over });
const never = (over: Partial<Ct> = {}): Ct => ({ essential: true, lastStatus: "STOPPED", ...over });
const up = (over: Partial<Ct> = {}): Ct => ({ essential: true, lastStatus: "RUNNING", startedAtMs: now - 1000, ...over });
const exited: AgentStop = { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" };

describe("agentStopOf", () => {
  it.each<[string, string, string, Ct[], number | undefined, AgentStop | undefined]>([
    // everything runs: nothing to decide
    ["running", "RUNNING", "", [up()], now - 1000, undefined],
    // a non-essential container exited: the task runs on
    ["non-essential exit", "RUNNING", "", [up(), ran({ essential: false })], now - 1000, undefined],
    // still pulling: nothing stopped yet
    ["pending", "PULLED", "", [{ essential: true, lastStatus: "PENDING" }], undefined, undefined],
    // the essential container ran and exited, the agent says so
    ["essential exit", "STOPPED", "Essential container in task exited", [ran()], now - 1000, exited],
    // ran and exited before berth saw the task RUNNING: Docker's start time says it ran
    ["exited before seen running", "STOPPED", "Essential container in task exited", [ran()], undefined, exited],
    // an essential container exited while a sidecar still runs: stopping, same cause
    ["sidecar still up", "RUNNING", "Essential container in task exited", [ran(), up({ essential: false })], now - 1000, exited],
    // an old agent that gives no reason: ECS's words all the same
    ["no reason given", "STOPPED", "", [ran()], now - 1000, exited],
    // records from before `essential` existed count as essential (ECS's default)
    ["essential unknown", "STOPPED", "", [ran({ essential: undefined })], now - 1000, exited],
    // the task ran, then its container vanished (no start time kept): it did not fail to start
    ["ran, then vanished", "STOPPED", "Essential container in task exited", [never({ reason: "ContainerVanished: x" })], now - 5000, exited],
    // the image could not be pulled: the agent's reason is the container's
    [
      "pull failed",
      "STOPPED",
      "CannotPullContainerError: no such image",
      [never({ reason: "CannotPullContainerError: no such image" })],
      undefined,
      { stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: no such image" },
    ],
    // Docker could not start the command
    [
      "start failed",
      "STOPPED",
      "CannotStartContainerError: exec: not found",
      [never({ reason: "CannotStartContainerError: exec: not found" })],
      undefined,
      { stopCode: "TaskFailedToStart", stoppedReason: "CannotStartContainerError: exec: not found" },
    ],
    // one essential container failed to start while the other already ran: nothing essential that stopped ran
    [
      "one failed, sibling running",
      "RUNNING",
      "CannotStartContainerError: boom",
      [up(), never({ reason: "CannotStartContainerError: boom" })],
      undefined,
      { stopCode: "TaskFailedToStart", stoppedReason: "CannotStartContainerError: boom" },
    ],
    // the agent refused the task before anything (volumes it cannot provide)
    [
      "refused before pull",
      "NONE",
      "CannotCreateVolumeError: volume 'x'",
      [{ essential: true, lastStatus: "PENDING" }],
      undefined,
      { stopCode: "TaskFailedToStart", stoppedReason: "CannotCreateVolumeError: volume 'x'" },
    ],
    // no reason anywhere: the container's reason, else a plain one
    ["failed, reason on the container only", "STOPPED", "", [never({ reason: "CannotCreateContainerError: x" })], undefined, { stopCode: "TaskFailedToStart", stoppedReason: "CannotCreateContainerError: x" }],
    ["failed, no reason at all", "STOPPED", "", [never()], undefined, { stopCode: "TaskFailedToStart", stoppedReason: "Task failed to start" }],
  ])("%s", (_name, known, reason, containers, startedAtMs, want) => {
    expect(agentStopOf(known, reason, containers, startedAtMs)).toEqual(want);
  });
});

describe("applyChange: the agent stops a task on its own", () => {
  it.each<[string, TaskRecord, TaskStateChange, Partial<TaskRecord>]>([
    // one report carries the exit and the stop: stoppingAt is the agent's stop time, not later
    [
      "exit and stop in one report",
      task({ lastStatus: "RUNNING", startedAtMs: now - 5000 }),
      change("STOPPED", { exitCode: 3, startedAtMs: now - 5000 }, { reason: "Essential container in task exited", stoppedAtMs: now - 10 }),
      { desiredStatus: "STOPPED", lastStatus: "STOPPED", stoppingAtMs: now - 10, stoppedAtMs: now - 10, stopCode: "EssentialContainerExited" },
    ],
    // the essential container exited, a sidecar is still being stopped: STOPPING from now
    [
      "sidecar still stopping",
      task({
        lastStatus: "RUNNING",
        startedAtMs: now - 5000,
        containers: [
          { name: "main", containerArn: "", image: "x", lastStatus: "RUNNING", networkBindings: [], essential: true },
          { name: "side", containerArn: "", image: "x", lastStatus: "RUNNING", networkBindings: [], essential: false },
        ],
      }),
      {
        ...change("RUNNING", {}, { reason: "Essential container in task exited" }),
        containers: [
          { ...change("STOPPED", { exitCode: 3, startedAtMs: now - 5000 }).containers[0] },
          { ...change("RUNNING", { name: "side", startedAtMs: now - 5000 }).containers[0] },
        ],
      },
      { desiredStatus: "STOPPED", lastStatus: "STOPPING", stoppingAtMs: now, stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" },
    ],
    // exited before berth saw it running (no task start time): it ran, Docker says when
    [
      "quick exit",
      task(),
      change("STOPPED", { exitCode: 3, startedAtMs: now - 20 }, { reason: "Essential container in task exited", stoppedAtMs: now - 5 }),
      { stopCode: "EssentialContainerExited", containers: [expect.objectContaining({ startedAtMs: now - 20, exitCode: 3 })] as never, stoppingAtMs: now - 5 },
    ],
    // the image could not be pulled
    [
      "pull failure",
      task(),
      change("STOPPED", { reason: "CannotPullContainerError: nope" }, { reason: "CannotPullContainerError: nope", stoppedAtMs: now - 5 }),
      { stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: nope", stoppingAtMs: now - 5, stoppedAtMs: now - 5 },
    ],
    // the user stopped it first: their code, reason and stoppingAt stay
    [
      "user stop kept",
      task({ lastStatus: "STOPPING", desiredStatus: "STOPPED", startedAtMs: now - 5000, stoppingAtMs: now - 3000, stopCode: "UserInitiated", stoppedReason: "bye" }),
      change("STOPPED", { exitCode: 137, startedAtMs: now - 5000 }, { reason: "bye", stoppedAtMs: now - 100 }),
      { stopCode: "UserInitiated", stoppedReason: "bye", stoppingAtMs: now - 3000, stoppedAtMs: now - 100 },
    ],
    // an agent clock behind this one: stoppedAt is never before stoppingAt
    [
      "skewed clocks",
      task({ lastStatus: "STOPPING", desiredStatus: "STOPPED", startedAtMs: now - 5000, stoppingAtMs: now - 1000, stopCode: "UserInitiated", stoppedReason: "bye" }),
      change("STOPPED", { startedAtMs: now - 5000 }, { stoppedAtMs: now - 2000 }),
      { stoppingAtMs: now - 1000, stoppedAtMs: now - 1000 },
    ],
  ])("%s", (_name, before, ch, want) => {
    expect(applyChange(before, ch, now)).toMatchObject(want);
  });

  it("a report that stops nothing leaves stoppingAt, stopCode and desiredStatus alone", () => {
    const after = applyChange(task(), change("RUNNING", { startedAtMs: now - 10 }, { startedAtMs: now - 10 }), now);
    expect(after).toMatchObject({ desiredStatus: "RUNNING", lastStatus: "RUNNING" });
    expect(after.stoppingAtMs).toBeUndefined();
    expect(after.stopCode).toBeUndefined();
  });

  it("the first report marks the task CONNECTED, and later ones keep that time", () => {
    const first = applyChange(task(), change("NONE"), now - 50);
    expect(first.connectivityAtMs).toBe(now - 50);
    expect(applyChange(first, change("RUNNING"), now).connectivityAtMs).toBe(now - 50);
  });
});

describe("stoppedWithoutAgent", () => {
  it.each<[string, TaskRecord, Partial<TaskRecord> | undefined]>([
    // a running task on a lost instance: stopping and stopped at once, with the given cause
    ["running", task({ lastStatus: "RUNNING", startedAtMs: now - 5000 }), { lastStatus: "STOPPED", desiredStatus: "STOPPED", stoppingAtMs: now, stoppedAtMs: now, stopCode: "TerminationNotice", stoppedReason: "lost" }],
    // a StopTask came first: its reason, code and stoppingAt stay
    [
      "already stopping",
      task({ lastStatus: "STOPPING", desiredStatus: "STOPPED", stoppingAtMs: now - 100, stopCode: "UserInitiated", stoppedReason: "bye" }),
      { stoppingAtMs: now - 100, stoppedAtMs: now, stopCode: "UserInitiated", stoppedReason: "bye" },
    ],
    // already STOPPED: nothing to write
    ["already stopped", task({ lastStatus: "STOPPED", desiredStatus: "STOPPED" }), undefined],
  ])("%s", (_name, before, want) => {
    const after = stoppedWithoutAgent(before, "lost", "TerminationNotice", now);
    if (want === undefined) expect(after).toBeUndefined();
    else expect(after).toMatchObject(want);
  });
});

describe("dispatchedDesiredStatus", () => {
  it.each<[string, Pick<TaskRecord, "desiredStatus" | "drain">, "RUNNING" | "STOPPED"]>([
    // to run: run
    ["running", { desiredStatus: "RUNNING" }, "RUNNING"],
    // stopped, no gate: the agent is told to stop
    ["stopped", { desiredStatus: "STOPPED" }, "STOPPED"],
    // stopped but held while its targets drain: the agent runs it on
    ["draining", { desiredStatus: "STOPPED", drain: { sinceMs: 0, targetGroupArns: ["tg"], untilMs: 1 } }, "RUNNING"],
  ])("%s", (_name, t, want) => {
    expect(dispatchedDesiredStatus(t)).toBe(want);
  });
});

describe("stoppingTask: a stop as StopTask and a service round write it", () => {
  // A group holding t1's target, with ECS's default 300 s deregistration delay.
  const group = { arn: "tg", attributes: {}, targets: [{ id: "10.0.0.1", port: 80, taskArn: task().arn }] } as unknown as TargetGroupRecord;
  const reason = "Scaling activity initiated by (deployment ecs-svc/1)";
  it.each<[string, Partial<TaskRecord>, TargetGroupRecord[], boolean, Partial<TaskRecord> | undefined]>([
    // a running task goes STOPPING with the reason and code
    ["a running task", { lastStatus: "RUNNING" }, [], false, { desiredStatus: "STOPPED", lastStatus: "STOPPING", stoppedReason: reason, stopCode: "ServiceSchedulerInitiated", stoppingAtMs: now, version: 2 }],
    // a task not yet running keeps its last status; the agent stops it where it is
    ["a pending task", {}, [], false, { desiredStatus: "STOPPED", lastStatus: "PENDING" }],
    // registered in a target group: the drain gate holds it (DEACTIVATING) until its targets drained
    ["a running task registered in a target group", { lastStatus: "RUNNING" }, [group], false, { lastStatus: "DEACTIVATING", drain: { sinceMs: now, targetGroupArns: ["tg"], untilMs: now + 300_000 + 30_000 } }],
    // already asked to stop: nothing to write
    ["a task stopping already", { lastStatus: "RUNNING", desiredStatus: "STOPPED" }, [], false, undefined],
    // scale-in protection holds and the stop spares protected tasks: nothing to write
    ["a protected task, spared", { lastStatus: "RUNNING", protection: { expiresAtMs: now + 60_000 } }, [], true, undefined],
    // protection lapsed: the stop goes through
    ["a task whose protection lapsed", { lastStatus: "RUNNING", protection: { expiresAtMs: now - 1 } }, [], true, { desiredStatus: "STOPPED", lastStatus: "STOPPING" }],
    // a stop that does not spare protected tasks (unhealthy, draining instance) ignores protection
    ["a protected task, not spared", { lastStatus: "RUNNING", protection: { expiresAtMs: now + 60_000 } }, [], false, { desiredStatus: "STOPPED", lastStatus: "STOPPING" }],
  ])("%s", (_name, over, groups, spareProtected, want) => {
    const got = stoppingTask(task(over), reason, "ServiceSchedulerInitiated", groups, now, { spareProtected });
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatchObject(want);
  });
});

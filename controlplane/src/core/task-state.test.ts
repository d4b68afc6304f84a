import { describe, expect, it } from "vitest";
import type { TaskRecord } from "@berth/shared";
import type { TaskStateChange } from "@berth/proto";
import { applyChange } from "./task-state.js";

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
    containers: [{ name: "main", runtimeId: "abc", status, reason: "", networkBindings: [], healthStatus: "", imageDigest: "", ...container }],
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

import type { ContainerStatus } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { findDependencyCycle } from "@berth/shared";
import type { ManagedContainer, ManagedTask } from "./model.js";
import { essentialExitedReason, essentialStopReason, stopTask, taskStatusFromContainers } from "./task-status.js";

const k = (...s: ContainerStatus[]) => s.map((knownStatus) => ({ knownStatus }));

describe("taskStatusFromContainers", () => {
  it.each<[string, { knownStatus: ContainerStatus }[], ContainerStatus, ContainerStatus]>([
    // The lowest container status is the task's.
    ["lowest wins", k("RUNNING", "CREATED"), "NONE", "CREATED"],
    // All running: running.
    ["all running", k("RUNNING", "RUNNING"), "NONE", "RUNNING"],
    // One stopped (an init container) while the rest run: still running.
    ["stopped sidecar does not stop the task", k("STOPPED", "RUNNING"), "RUNNING", "RUNNING"],
    // STOPPED only when every container is.
    ["all stopped", k("STOPPED", "STOPPED"), "RUNNING", "STOPPED"],
    // Never below what the task already reached.
    ["never moves back", k("CREATED", "RUNNING"), "RUNNING", "RUNNING"],
    // No containers (invalid payload): keep what it was.
    ["no containers", [], "STOPPED", "STOPPED"],
  ])("%s", (_n, containers, previous, expected) => {
    expect(taskStatusFromContainers(containers, previous)).toBe(expected);
  });
});

const ct = (over: Partial<ManagedContainer>) => ({ name: "x", essential: true, knownStatus: "RUNNING" as ContainerStatus, ...over });

describe("essentialStopReason", () => {
  it.each<[string, "RUNNING" | "STOPPED", ReturnType<typeof ct>[], string | undefined]>([
    // An essential container exited after running.
    ["essential exited", "RUNNING", [ct({ knownStatus: "STOPPED", startedAtMs: 1 }), ct({ name: "y" })], essentialExitedReason],
    // A non-essential one exiting changes nothing.
    ["non-essential exited", "RUNNING", [ct({ essential: false, knownStatus: "STOPPED", startedAtMs: 1 }), ct({ name: "y" })], undefined],
    // An essential container that never ran passes its own failure on (ECS shows it on the task).
    ["essential failed to start", "RUNNING", [ct({ knownStatus: "STOPPED", reason: "CannotPullContainerError: nope" })], "CannotPullContainerError: nope"],
    // Already stopping: no new reason.
    ["already stopping", "STOPPED", [ct({ knownStatus: "STOPPED", startedAtMs: 1 })], undefined],
  ])("%s", (_n, desired, containers, expected) => {
    expect(essentialStopReason({ desiredStatus: desired }, containers)).toBe(expected);
  });
});

describe("stopTask", () => {
  it("stops every container and keeps the first reason", () => {
    const task = { desiredStatus: "RUNNING", containers: [{ desiredStatus: "RUNNING" }, { desiredStatus: "RUNNING" }] } as unknown as ManagedTask;
    expect(stopTask(task, "first")).toBe(true);
    stopTask(task, "second");
    expect(task.reason).toBe("first");
    expect(task.containers.map((c) => c.desiredStatus)).toEqual(["STOPPED", "STOPPED"]);
    expect(stopTask(task, undefined)).toBe(false);
  });
});

describe("findDependencyCycle", () => {
  it.each<[string, { name: string; dependsOn: { containerName: string; condition: "START" }[] }[], string[] | undefined]>([
    // A chain has no cycle.
    ["chain", [{ name: "a", dependsOn: [{ containerName: "b", condition: "START" }] }, { name: "b", dependsOn: [] }], undefined],
    // a -> b -> a.
    ["two-cycle", [{ name: "a", dependsOn: [{ containerName: "b", condition: "START" }] }, { name: "b", dependsOn: [{ containerName: "a", condition: "START" }] }], ["a", "b", "a"]],
    // Self-dependency.
    ["self", [{ name: "a", dependsOn: [{ containerName: "a", condition: "START" }] }], ["a", "a"]],
  ])("%s", (_n, containers, expected) => {
    expect(findDependencyCycle(containers)).toEqual(expected);
  });
});

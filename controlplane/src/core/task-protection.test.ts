import { describe, expect, it } from "vitest";
import type { TaskRecord } from "@berth/shared";
import { protectionExpiry, protectionRefusal, protectionView, withProtection } from "./task-protection.js";

const NOW = 1_700_000_000_000;
const MIN = 60_000;
const task = (over: Partial<TaskRecord> = {}): TaskRecord =>
  ({
    id: "t1",
    arn: "arn:aws:ecs:us-east-1:000000000000:task/c/t1",
    group: "service:web",
    startedBy: "ecs-svc/1234567890123456789",
    desiredStatus: "RUNNING",
    lastStatus: "RUNNING",
    version: 4,
    ...over,
  }) as TaskRecord;

describe("protectionExpiry", () => {
  it.each<[string, number | undefined, number]>([
    // No duration given: ECS's default of 2 hours.
    ["default 120 minutes", undefined, NOW + 120 * MIN],
    // The shortest ECS allows.
    ["1 minute", 1, NOW + MIN],
    // The longest: 48 hours.
    ["2880 minutes", 2880, NOW + 2880 * MIN],
  ])("protectionExpiry: %s", (_name, minutes, want) => {
    expect(protectionExpiry(NOW, minutes)).toBe(want);
  });

  it.each<[string, number]>([
    // Below ECS's minimum.
    ["0 minutes", 0],
    // Negative durations are no durations.
    ["negative", -5],
    // Above 48 hours.
    ["2881 minutes", 2881],
    // The model says integer; a fraction would be a protection no ECS client can express.
    ["a fraction", 1.5],
  ])("protectionExpiry: refuses %s, naming the field", (_name, minutes) => {
    expect(() => protectionExpiry(NOW, minutes)).toThrow(expect.objectContaining({ name: "InvalidParameterException", message: expect.stringMatching(/^expiresInMinutes: must be between 1 and 2880/) }));
  });
});

describe("protectionRefusal", () => {
  it.each<[string, Partial<TaskRecord>, boolean, string | undefined]>([
    // A running service task can be protected.
    ["service task", {}, true, undefined],
    // A standalone task (RunTask's family group): ECS's TASK_NOT_VALID.
    ["standalone task", { group: "family:web", startedBy: undefined }, true, "The task is not part of a service: only service tasks can be protected."],
    // A group that claims a service but no deployment started it is still not a service's task.
    ["service group, not started by a deployment", { startedBy: "me" }, true, "The task is not part of a service: only service tasks can be protected."],
    // Protecting a task already told to stop protects nothing.
    ["stopping task, enable", { desiredStatus: "STOPPED" }, true, "The task is stopping or stopped."],
    // Turning protection off is always allowed on a service task, stopped or not.
    ["stopped task, disable", { desiredStatus: "STOPPED", lastStatus: "STOPPED" }, false, undefined],
    // But never on a standalone one.
    ["standalone task, disable", { group: "family:web", startedBy: undefined }, false, "The task is not part of a service: only service tasks can be protected."],
  ])("protectionRefusal: %s", (_name, over, enable, want) => {
    expect(protectionRefusal(task(over), enable)).toBe(want);
  });
});

describe("withProtection", () => {
  it.each<[string, Partial<TaskRecord>, number | undefined, TaskRecord["protection"] | "unchanged"]>([
    // Set: the record carries the expiry, version bumped.
    ["set", {}, NOW + MIN, { expiresAtMs: NOW + MIN }],
    // Set again later: the expiry is reset (how ECS lets a task extend its protection).
    ["extend", { protection: { expiresAtMs: NOW + MIN } }, NOW + 2 * MIN, { expiresAtMs: NOW + 2 * MIN }],
    // The same expiry again: nothing to write.
    ["same expiry", { protection: { expiresAtMs: NOW + MIN } }, NOW + MIN, "unchanged"],
    // Off: the field goes.
    ["remove", { protection: { expiresAtMs: NOW + MIN } }, undefined, undefined],
    // Off when it was never on: nothing to write.
    ["remove when unset", {}, undefined, "unchanged"],
  ])("withProtection: %s", (_name, over, expiresAtMs, want) => {
    const before = task(over);
    const next = withProtection(before, expiresAtMs);
    if (want === "unchanged") return expect(next).toBeUndefined();
    expect(next?.protection).toEqual(want);
    expect(next && "protection" in next).toBe(want !== undefined);
    expect(next?.version).toBe(before.version + 1);
  });
});

describe("protectionView", () => {
  it.each<[string, Partial<TaskRecord>, object]>([
    // Holding: enabled, with its expiry.
    ["holds", { protection: { expiresAtMs: NOW + MIN } }, { protectionEnabled: true, expiresAtMs: NOW + MIN }],
    // Expired at this instant: ECS shows it off, without an expiry.
    ["expired", { protection: { expiresAtMs: NOW } }, { protectionEnabled: false }],
    // Never set.
    ["never set", {}, { protectionEnabled: false }],
  ])("protectionView: %s", (_name, over, want) => {
    expect(protectionView(task(over), NOW)).toEqual({ taskArn: "arn:aws:ecs:us-east-1:000000000000:task/c/t1", ...want });
  });
});

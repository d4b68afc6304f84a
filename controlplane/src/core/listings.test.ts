import { describe, expect, it } from "vitest";
import type { TaskRecord } from "@berth/shared";
import { taskListed, type TaskListFilter } from "./listings.js";
import { familyShown } from "./taskdefs.js";

const task = (over: Partial<TaskRecord>): TaskRecord =>
  ({ desiredStatus: "RUNNING", lastStatus: "RUNNING", containerInstanceId: "i1", family: "web", launchType: "EC2", ...over }) as TaskRecord;
const running: TaskListFilter = { desiredStatus: "RUNNING" };

describe("taskListed", () => {
  it.each<[string, Partial<TaskRecord>, TaskListFilter, boolean]>([
    ["RUNNING by default", {}, running, true],
    ["a task told to stop is not RUNNING", { desiredStatus: "STOPPED" }, running, false],
    ["STOPPED lists the ones told to stop", { desiredStatus: "STOPPED", lastStatus: "RUNNING" }, { desiredStatus: "STOPPED" }, true],
    ["PENDING: desired RUNNING, not there yet", { lastStatus: "PROVISIONING" }, { desiredStatus: "PENDING" }, true],
    ["PENDING excludes RUNNING ones", {}, { desiredStatus: "PENDING" }, false],
    ["by instance", { containerInstanceId: "i2" }, { ...running, containerInstanceId: "i1" }, false],
    ["by family", { family: "web" }, { ...running, family: "web" }, true],
    ["by startedBy", { startedBy: "ci" }, { ...running, startedBy: "deploy" }, false],
    ["by service: the task's group", { group: "service:api" }, { ...running, serviceName: "api" }, true],
    ["by service: a RunTask group is not a service", { group: "api" }, { ...running, serviceName: "api" }, false],
    ["by launch type", { launchType: "EXTERNAL" }, { ...running, launchType: "EC2" }, false],
    ["by instance: an EC2 task on it", { containerInstanceId: "i1" }, { ...running, containerInstanceId: "i1" }, true],
    ["by instance: a FARGATE task has no container instance, even on the agent named", { containerInstanceId: "f1", launchType: "FARGATE" }, { ...running, containerInstanceId: "f1" }, false],
    ["FARGATE tasks still list without an instance filter", { launchType: "FARGATE" }, running, true],
  ])("%s", (_, over, filter, want) => {
    expect(taskListed(task(over), filter)).toBe(want);
  });
});

describe("familyShown", () => {
  it.each<[string, [number, number, number], "ACTIVE" | "INACTIVE" | "ALL", boolean]>([
    ["ACTIVE: has an ACTIVE revision", [1, 3, 0], "ACTIVE", true],
    ["ACTIVE: only INACTIVE ones", [0, 3, 0], "ACTIVE", false],
    ["INACTIVE: no ACTIVE revision left", [0, 3, 0], "INACTIVE", true],
    ["INACTIVE: revisions being deleted still show", [0, 0, 1], "INACTIVE", true],
    ["INACTIVE: not while one is ACTIVE", [1, 0, 0], "INACTIVE", false],
    ["ALL: any revision", [0, 1, 0], "ALL", true],
    ["ALL: every revision deleted: the family is gone from listings", [0, 0, 0], "ALL", false],
  ])("%s", (_, [active, inactive, deleting], status, want) => {
    expect(familyShown({ active, inactive, deleting }, status)).toBe(want);
  });
});

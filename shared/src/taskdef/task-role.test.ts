import { describe, expect, it } from "vitest";
import { taskRoleOf } from "./task-role.js";

describe("taskRoleOf", () => {
  it.each<[string, { taskRoleArn?: string } | undefined, { taskRoleArn?: string } | undefined, string | undefined]>([
    // The task definition's role.
    ["definition", { taskRoleArn: "r1" }, undefined, "r1"],
    // A RunTask override wins.
    ["override", { taskRoleArn: "r1" }, { taskRoleArn: "r2" }, "r2"],
    // An empty override does not clear the definition's.
    ["empty override", { taskRoleArn: "r1" }, { taskRoleArn: "" }, "r1"],
    // No role anywhere.
    ["none", {}, {}, undefined],
  ])("%s", (_name, td, o, want) => {
    expect(taskRoleOf(td, o)).toBe(want);
  });
});

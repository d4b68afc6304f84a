import { describe, expect, it } from "vitest";
import type { Task } from "@aws-sdk/client-ecs";
import { formatAge, portsOf, taskRows } from "./task-rows.js";

const now = Date.parse("2026-12-01T10:00:00Z");
const ciArn = "arn:aws:ecs:us-east-1:000000000000:container-instance/default/i1";
const task = (id: string, extra: Partial<Task> = {}): Task => ({
  taskArn: `arn:aws:ecs:us-east-1:000000000000:task/default/${id}`,
  taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:3",
  containerInstanceArn: ciArn,
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  createdAt: new Date(now - 90_000),
  ...extra,
});

describe("formatAge", () => {
  it.each([
    // seconds alone
    [45_000, "45s"],
    // minutes and seconds
    [192_000, "3m12s"],
    // whole minutes drop the seconds
    [120_000, "2m"],
    // hours and minutes
    [5 * 3600_000 + 120_000, "5h2m"],
    // days and hours
    [52 * 3600_000, "2d4h"],
    // a clock behind the server never shows a negative age
    [-5000, "0s"],
  ])("formatAge(%d) = %s", (ms, text) => expect(formatAge(ms)).toBe(text));
});

describe("portsOf", () => {
  it.each([
    // no bindings
    [[], ""],
    // tcp is the default and unmarked; udp is marked
    [[{ name: "a", networkBindings: [{ hostPort: 32768, containerPort: 80, protocol: "tcp" }, { hostPort: 53, containerPort: 53, protocol: "udp" }] }], "32768->80, 53->53/udp"],
    // a binding on two host IPs shows once
    [[{ name: "a", networkBindings: [{ bindIP: "0.0.0.0", hostPort: 8080, containerPort: 80 }, { bindIP: "::", hostPort: 8080, containerPort: 80 }] }], "8080->80"],
  ] as const)("portsOf %#", (containers, text) => expect(portsOf({ containers: containers as never })).toBe(text));
});

describe("taskRows", () => {
  const names = new Map([[ciArn, "host-1"]]);
  it.each([
    // running tasks only by default
    [false, ["new", "old"]],
    // --all includes the stopped one
    [true, ["new", "stopped", "old"]],
  ])("taskRows all=%s", (all, ids) => {
    const tasks = [
      task("old", { createdAt: new Date(now - 3600_000) }),
      task("stopped", { lastStatus: "STOPPED", desiredStatus: "STOPPED", createdAt: new Date(now - 600_000) }),
      task("new"),
    ];
    expect(taskRows(tasks, names, now, all).map((r) => r.id)).toEqual(ids);
  });

  it("taskRows: one row's columns", () => {
    expect(taskRows([task("t1")], names, now, false)[0]).toEqual({ id: "t1", taskDefinition: "web:3", node: "host-1", status: "RUNNING/RUNNING", ports: "", age: "1m30s" });
  });

  it("taskRows: an instance not in the map shows its id, an unplaced task a dash", () => {
    const rows = taskRows([task("a", { containerInstanceArn: `${ciArn}x` }), task("b", { containerInstanceArn: undefined })], new Map(), now, false);
    expect(rows.map((r) => r.node).sort()).toEqual(["-", "i1x"]);
  });

  it("taskRows: a FARGATE task (no container instance, as on ECS) shows (fargate)", () => {
    expect(taskRows([task("f", { containerInstanceArn: undefined, launchType: "FARGATE" })], names, now, false)[0].node).toBe("(fargate)");
  });
});

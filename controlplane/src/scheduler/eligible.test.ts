import { describe, expect, it } from "vitest";
import { InvalidParameterException } from "@berth/shared";
import { eligibleInstances } from "./eligible.js";
import { instance } from "./testing.js";
import type { InstanceSnapshot, PlacementConstraint } from "./types.js";

const held = (group: string) => ({ family: "x", group, taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/x:1" });

describe("eligibleInstances", () => {
  it.each<[string, InstanceSnapshot[], PlacementConstraint[], string[]]>([
    // no constraints: every ACTIVE instance
    ["all active", [instance("a"), instance("b")], [], ["a", "b"]],
    // DRAINING and INACTIVE ones are out
    ["status", [instance("a"), instance("b", { status: "DRAINING" }), instance("c", { status: "INACTIVE" })], [], ["a"]],
    // a disconnected agent does not make an instance ineligible (its task is not moved)
    ["disconnected stays eligible", [instance("a", { agentConnected: false })], [], ["a"]],
    // memberOf on an attribute
    ["memberOf", [instance("a", { attrs: { stack: "prod" } }), instance("b")], [{ type: "memberOf", expression: "attribute:stack == prod" }], ["a"]],
    // every memberOf must hold
    ["two memberOf", [instance("a", { attrs: { stack: "prod" } }), instance("b", { attrs: { stack: "prod", "ecs.availability-zone": "us-east-1b" } })], [{ type: "memberOf", expression: "attribute:stack == prod" }, { type: "memberOf", expression: "attribute:ecs.availability-zone == us-east-1b" }], ["b"]],
    // distinctInstance holds by construction
    ["distinctInstance", [instance("a", { tasks: [held("service:d")] })], [{ type: "distinctInstance" }], ["a"]],
    // task:group sees other groups' tasks
    ["task:group of others", [instance("a", { tasks: [held("service:db")] }), instance("b")], [{ type: "memberOf", expression: "task:group == service:db" }], ["a"]],
  ])("%s", (_name, instances, constraints, want) => {
    expect(eligibleInstances(instances, constraints).map((i) => i.id)).toEqual(want);
  });

  it("leaves the ignored group's own tasks out of task:group", () => {
    const instances = [instance("a", { tasks: [held("service:d")] })];
    const constraints: PlacementConstraint[] = [{ type: "memberOf", expression: "not(task:group == service:d)" }];
    expect(eligibleInstances(instances, constraints)).toEqual([]);
    expect(eligibleInstances(instances, constraints, "service:d").map((i) => i.id)).toEqual(["a"]);
  });

  it("refuses a constraint ECS would refuse", () => {
    expect(() => eligibleInstances([instance("a")], [{ type: "memberOf", expression: "attribute:stack ==" }])).toThrow(InvalidParameterException);
  });
});

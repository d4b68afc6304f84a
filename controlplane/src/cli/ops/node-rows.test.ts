import { describe, expect, it } from "vitest";
import type { ContainerInstance } from "@aws-sdk/client-ecs";
import { nodeRows, resolveNode } from "./node-rows.js";

const arn = (id: string) => `arn:aws:ecs:us-east-1:000000000000:container-instance/default/${id}`;
const ci = (id: string, host: string, extra: Partial<ContainerInstance> = {}): ContainerInstance => ({
  containerInstanceArn: arn(id),
  ec2InstanceId: host,
  status: "ACTIVE",
  agentConnected: true,
  runningTasksCount: 1,
  pendingTasksCount: 0,
  ...extra,
});
const fleet = [ci("b1", "node-b"), ci("a1", "node-a", { attributes: [{ name: "ecs.availability-zone", value: "us-east-1a" }] }), ci("c1", "dup"), ci("c2", "dup")];
// A `berth cluster` node: its hostname is the container's id, its name is in berth.node.
const dind = ci("d1", "3f2a9c1b7e44", { attributes: [{ name: "berth.node", value: "berth-node-2" }] });

describe("nodeRows", () => {
  it("sorts by name and reads the zone attribute", () => {
    const rows = nodeRows(fleet);
    expect(rows.map((r) => r.name)).toEqual(["dup", "dup", "node-a", "node-b"]);
    expect(rows[2]).toEqual({ name: "node-a", instanceArn: arn("a1"), zone: "us-east-1a", status: "ACTIVE", agentConnected: "yes", running: 1, pending: 0 });
    expect(rows[3].zone).toBe("-");
  });
});

describe("nodeRows: berth cluster nodes", () => {
  it("names a node by its berth.node attribute", () => {
    expect(nodeRows([dind])[0].name).toBe("berth-node-2");
    expect(resolveNode("berth-node-2", [...fleet, dind]).containerInstanceArn).toBe(arn("d1"));
  });
});

describe("resolveNode", () => {
  it.each([
    // the hostname, when one instance has it
    ["node-a", "a1"],
    // the instance id
    ["b1", "b1"],
    // the full ARN
    [arn("c2"), "c2"],
    // an id resolves even when the hostname is shared
    ["c1", "c1"],
  ])("resolveNode: %s", (ref, id) => {
    expect(resolveNode(ref, fleet).containerInstanceArn).toBe(arn(id));
  });

  it.each([
    // unknown: the error lists every known node with its id
    ["nope", /unknown node 'nope'; known nodes: dup \(c1\), dup \(c2\), node-a \(a1\), node-b \(b1\)/],
    // a shared hostname asks for the id
    ["dup", /ambiguous: 2 instances/],
  ])("resolveNode refuses %s", (ref, message) => {
    expect(() => resolveNode(ref, fleet)).toThrow(message);
  });

  it("resolveNode: an empty cluster says so", () => {
    expect(() => resolveNode("x", [])).toThrow("known nodes: (none)");
  });
});

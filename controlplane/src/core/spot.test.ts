import { InvalidParameterException } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { checkSpotInterruptible, knownNodeNames, nodeInstances, spotTasksOn } from "./spot.js";

describe("checkSpotInterruptible", () => {
  const arn = "arn:aws:ecs:us-east-1:000000000000:task/c/t1";
  it.each<[string, string | undefined, "RUNNING" | "STOPPED", RegExp | undefined]>([
    // a running FARGATE_SPOT task
    ["spot", "FARGATE_SPOT", "RUNNING", undefined],
    // on-demand Fargate is never interrupted
    ["fargate", "FARGATE", "RUNNING", /\(its provider is FARGATE\); only Spot tasks are interrupted$/],
    // a plain EC2 task has no provider
    ["ec2", undefined, "RUNNING", /it has none/],
    // already on its way out
    ["stopping", "FARGATE_SPOT", "STOPPED", /is already stopping$/],
  ])("%s", (_name, provider, desiredStatus, refused) => {
    const check = () => checkSpotInterruptible({ arn, capacityProviderName: provider, desiredStatus });
    if (!refused) return expect(check).not.toThrow();
    expect(check).toThrow(InvalidParameterException);
    expect(check).toThrow(refused);
  });
});

describe("nodeInstances", () => {
  const inst = (id: string, hostname: string, status: "ACTIVE" | "INACTIVE" = "ACTIVE", node?: string) => ({
    id,
    arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/c/${id}`,
    hostname,
    status,
    attributes: node ? [{ name: "berth.node", value: node }] : [],
  });
  // one host running an EC2 agent and a Fargate agent; another host; a deregistered one
  const all = [inst("ec2", "host-1"), inst("fg", "host-1"), inst("other", "host-2", "ACTIVE", "berth-node-2"), inst("old", "host-1", "INACTIVE")];
  it.each<[string, string, string[]]>([
    // a hostname names every live agent of that host, the Fargate one included
    ["hostname", "host-1", ["ec2", "fg"]],
    // an instance id names that agent alone
    ["instance id", "fg", ["fg"]],
    // an ARN likewise
    ["arn", "arn:aws:ecs:us-east-1:000000000000:container-instance/c/ec2", ["ec2"]],
    // a `berth cluster` node name
    ["node name", "berth-node-2", ["other"]],
    // a deregistered instance is no node
    ["inactive", "old", []],
    // nothing by that name
    ["unknown", "host-9", []],
  ])("%s", (_name, ref, ids) => {
    expect(nodeInstances(all, ref).map((i) => i.id)).toEqual(ids);
  });

  it("knownNodeNames lists each live host once, by its node name where it has one", () => {
    expect(knownNodeNames(all)).toEqual(["berth-node-2", "host-1"]);
  });
});

describe("spotTasksOn", () => {
  const task = (id: string, on: string, provider: string | undefined, desiredStatus: "RUNNING" | "STOPPED" = "RUNNING", lastStatus = "RUNNING") =>
    ({ id, containerInstanceId: on, capacityProviderName: provider, desiredStatus, lastStatus }) as const;
  it.each<[string, ReturnType<typeof task>, boolean]>([
    // a running Spot task on the node
    ["spot", task("a", "fg", "FARGATE_SPOT"), true],
    // a Spot task still starting is interrupted too
    ["pending spot", task("b", "fg", "FARGATE_SPOT", "RUNNING", "PENDING"), true],
    // on-demand Fargate stays
    ["on-demand", task("c", "fg", "FARGATE"), false],
    // an EC2 task stays
    ["ec2", task("d", "ec2", undefined), false],
    // a Spot task on another node stays
    ["elsewhere", task("e", "other", "FARGATE_SPOT"), false],
    // one already stopping is not interrupted again
    ["stopping", task("f", "fg", "FARGATE_SPOT", "STOPPED"), false],
  ])("%s", (_name, t, picked) => {
    expect(spotTasksOn([t], new Set(["fg", "ec2"])).length).toBe(picked ? 1 : 0);
  });
});

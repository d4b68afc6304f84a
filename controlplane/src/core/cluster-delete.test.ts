import type { ContainerInstanceRecord } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { planClusterDelete } from "./cluster-delete.js";

const instance = (id: string, status: ContainerInstanceRecord["status"], fargate: boolean) =>
  ({ id, status, attributes: fargate ? [{ name: "berth.fargate", value: "true" }] : [] }) as unknown as ContainerInstanceRecord;

describe("planClusterDelete", () => {
  it.each<[string, ContainerInstanceRecord[], string[], string[], string | undefined, string[]]>([
    // nothing in it: deleted, nothing to release
    ["empty", [], [], [], undefined, []],
    // only Fargate capacity: deleted, the agent released (ECS deletes a Fargate-only cluster)
    ["fargate only", [instance("f", "ACTIVE", true)], [], [], undefined, ["f"]],
    // an EC2 instance blocks, as on ECS, and nothing is released
    ["ec2 and fargate", [instance("e", "ACTIVE", false), instance("f", "ACTIVE", true)], [], [], "ClusterContainsContainerInstancesException", []],
    // a draining EC2 instance blocks too
    ["draining ec2", [instance("e", "DRAINING", false)], [], [], "ClusterContainsContainerInstancesException", []],
    // a deregistered EC2 instance does not
    ["inactive ec2", [instance("e", "INACTIVE", false), instance("f", "ACTIVE", true)], [], [], undefined, ["f"]],
    // a deregistered Fargate agent is not released twice
    ["inactive fargate", [instance("f", "INACTIVE", true)], [], [], undefined, []],
    // an active service blocks even with only Fargate capacity
    ["active service", [instance("f", "ACTIVE", true)], ["ACTIVE"], [], "ClusterContainsServicesException", []],
    // a draining service is still a service
    ["draining service", [], ["DRAINING"], [], "ClusterContainsServicesException", []],
    // a Fargate task still running blocks: no agent is released under it
    ["running fargate task", [instance("f", "ACTIVE", true)], ["INACTIVE"], ["STOPPED", "RUNNING"], "ClusterContainsTasksException", []],
    // stopped tasks do not
    ["stopped tasks", [instance("f", "ACTIVE", true)], ["INACTIVE"], ["STOPPED"], undefined, ["f"]],
  ])("%s", (_name, instances, services, tasks, refusal, release) => {
    const plan = planClusterDelete(
      instances,
      services.map((status) => ({ status: status as "ACTIVE" })),
      tasks.map((lastStatus) => ({ lastStatus: lastStatus as "RUNNING" })),
    );
    expect(plan.refusal?.name).toBe(refusal);
    expect(plan.release.map((i) => i.id)).toEqual(release);
  });
});

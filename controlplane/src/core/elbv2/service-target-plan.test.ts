import type { ContainerInstanceRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { checkServiceLoadBalancers } from "./service-load-balancers.js";
import { planServiceTargets } from "./service-target-plan.js";
import { defaultHealthCheck, defaultTargetGroupAttributes } from "./target-group-rules.js";
import type { Target, TargetGroupRecord } from "./types.js";

const tg = (targetType: "ip" | "instance", targets: Target[] = []): TargetGroupRecord => ({
  name: "web",
  id: "0123456789abcdef",
  arn: "arn:tg",
  protocol: "HTTP",
  protocolVersion: "HTTP1",
  port: 80,
  vpcId: "vpc-1",
  targetType,
  ipAddressType: "ipv4",
  healthCheck: defaultHealthCheck,
  attributes: { ...defaultTargetGroupAttributes },
  targets,
  tags: [],
  createdAtMs: 0,
});
const service = (over: Partial<ServiceRecord> = {}) =>
  ({ name: "web", cluster: "c", status: "ACTIVE", loadBalancers: [{ targetGroupArn: "arn:tg", containerName: "web", containerPort: 80 }], ...over }) as ServiceRecord;
const task = (id: string, hostPort: number | undefined, over: Partial<TaskRecord> = {}) =>
  ({
    arn: `arn:task/${id}`,
    containerInstanceId: "ci-1",
    lastStatus: "RUNNING",
    desiredStatus: "RUNNING",
    containers: [{ name: "web", networkBindings: hostPort ? [{ containerPort: 80, hostPort, protocol: "tcp" }] : [] }],
    ...over,
  }) as unknown as TaskRecord;
const instances = new Map([["ci-1", { id: "ci-1", hostIp: "10.0.0.5" } as ContainerInstanceRecord]]);
const registered = (id: string, port: number, taskArn?: string, draining?: number): Target => ({ id, port, address: "10.0.0.5", availabilityZone: "all", registeredAtMs: 0, ...(taskArn ? { taskArn } : {}), ...(draining ? { drainingSinceMs: draining } : {}) });

describe("planServiceTargets", () => {
  it.each([
    // a RUNNING task of an instance group: its container instance and host port
    ["registers", tg("instance"), [task("a", 32768)], [{ id: "ci-1", port: 32768, taskArn: "arn:task/a" }], []],
    // of an ip group: the instance's host IP
    ["ip group", tg("ip"), [task("a", 32768)], [{ id: "10.0.0.5", port: 32768, taskArn: "arn:task/a" }], []],
    // still starting: nothing yet
    ["pending", tg("instance"), [task("a", 32768, { lastStatus: "PENDING" })], [], []],
    // no host port bound yet: nothing yet
    ["unbound", tg("instance"), [task("a", undefined)], [], []],
    // registered already: nothing
    ["in step", tg("instance", [registered("ci-1", 32768, "arn:task/a")]), [task("a", 32768)], [], []],
    // stopping: its target drains
    ["stopping", tg("instance", [registered("ci-1", 32768, "arn:task/a")]), [task("a", 32768, { desiredStatus: "STOPPED" })], [], [{ id: "ci-1", port: 32768 }]],
    // gone: its target drains
    ["gone", tg("instance", [registered("ci-1", 32768, "arn:task/a")]), [], [], [{ id: "ci-1", port: 32768 }]],
    // already draining: left to drain
    ["draining", tg("instance", [registered("ci-1", 32768, "arn:task/a", 5)]), [], [], []],
    // a target registered by hand is not the service's to remove
    ["by hand", tg("instance", [registered("ci-1", 9000)]), [], [], []],
    // an awsvpc task in an ip group: its own address and the container port, not the host's
    ["awsvpc", tg("ip"), [task("a", undefined, { network: { privateIpv4Address: "10.1.0.7" } as TaskRecord["network"] })], [{ id: "10.1.0.7", port: 80, taskArn: "arn:task/a" }], []],
    // an awsvpc task in an instance group (refused at CreateService): nothing
    ["awsvpc instance", tg("instance"), [task("a", undefined, { network: { privateIpv4Address: "10.1.0.7" } as TaskRecord["network"] })], [], []],
  ])("%s", (_, group, tasks, register, deregister) => {
    const plans = planServiceTargets([service()], () => tasks, [group], instances);
    if (register.length === 0 && deregister.length === 0) expect(plans).toEqual([]);
    else expect(plans).toEqual([{ targetGroupArn: "arn:tg", register, deregister }]);
  });

  it.each([
    // the old deployment keeps the group it started with: its task stays registered
    ["old deployment pinned", "ecs-svc/old", [{ id: "ci-1", port: 32768, taskArn: "arn:task/a" }]],
    // the new deployment's list no longer names the group: its task is not registered there
    ["new deployment elsewhere", "ecs-svc/new", []],
  ])("after an UpdateService moved the service to another group: %s", (_, startedBy, register) => {
    const lb = { targetGroupArn: "arn:tg", containerName: "web", containerPort: 80 };
    const moved = service({
      loadBalancers: [{ ...lb, targetGroupArn: "arn:other" }],
      deployments: [
        { id: "ecs-svc/new", loadBalancers: [{ ...lb, targetGroupArn: "arn:other" }] },
        { id: "ecs-svc/old", loadBalancers: [lb] },
      ] as ServiceRecord["deployments"],
    });
    const plans = planServiceTargets([moved], () => [task("a", 32768, { startedBy })], [tg("instance")], instances);
    expect(plans).toEqual(register.length ? [{ targetGroupArn: "arn:tg", register, deregister: [] }] : []);
  });

  it("an inactive service registers nothing", () => {
    expect(planServiceTargets([service({ status: "DRAINING" })], () => [task("a", 32768)], [tg("instance")], instances)).toEqual([]);
  });
});

describe("checkServiceLoadBalancers", () => {
  const td = { networkMode: "bridge", containerDefinitions: [{ name: "web", portMappings: [{ containerPort: 80 }] }] } as unknown as TaskDefinitionRecord;
  const groups = new Map([
    ["arn:tg", { tg: tg("instance"), used: true }],
    ["arn:ip", { tg: { ...tg("ip"), arn: "arn:ip" }, used: true }],
    ["arn:idle", { tg: { ...tg("instance"), arn: "arn:idle" }, used: false }],
  ]);
  it.each([
    // a group, container and port that fit
    [{ targetGroupArn: "arn:tg", containerName: "web", containerPort: 80 }, undefined],
    // a classic load balancer
    [{ loadBalancerName: "classic", containerName: "web", containerPort: 80 }, /classic load balancers are not supported/],
    // no container named
    [{ targetGroupArn: "arn:tg", containerPort: 80 }, /containerName and containerPort are required/],
    // a container the definition lacks
    [{ targetGroupArn: "arn:tg", containerName: "db", containerPort: 80 }, /The container db does not exist in the task definition/],
    // a port it does not map
    [{ targetGroupArn: "arn:tg", containerName: "web", containerPort: 81 }, /did not have a container port 81 defined/],
    // a group that does not exist
    [{ targetGroupArn: "arn:nope", containerName: "web", containerPort: 80 }, /Unable to find the target group arn:nope/],
    // a group no load balancer forwards to
    [{ targetGroupArn: "arn:idle", containerName: "web", containerPort: 80 }, /does not have an associated load balancer/],
    // an ip group for bridge networking
    [{ targetGroupArn: "arn:ip", containerName: "web", containerPort: 80 }, /target type ip, which is incompatible with the bridge network mode/],
  ])("%o", (lb, error) => {
    if (error) expect(() => checkServiceLoadBalancers([lb], td, groups)).toThrow(error);
    else expect(checkServiceLoadBalancers([lb], td, groups)).toEqual([lb]);
  });

  const awsvpc = { ...td, networkMode: "awsvpc" } as TaskDefinitionRecord;
  it.each([
    // an ip group for awsvpc tasks: their own interfaces are the targets
    [{ targetGroupArn: "arn:ip", containerName: "web", containerPort: 80 }, undefined],
    // an instance group for awsvpc tasks, refused in ECS's words
    [{ targetGroupArn: "arn:tg", containerName: "web", containerPort: 80 }, /^The provided target group arn:tg has target type instance, which is incompatible with the awsvpc network mode specified in the task definition\.$/],
  ])("awsvpc %o", (lb, error) => {
    if (error) expect(() => checkServiceLoadBalancers([lb], awsvpc, groups)).toThrow(error);
    else expect(checkServiceLoadBalancers([lb], awsvpc, groups)).toEqual([lb]);
  });
});

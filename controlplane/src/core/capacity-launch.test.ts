import { InvalidParameterException, type Attribute, type TaskDefinitionRecord, type TaskOverride } from "@berth/shared";
import { describe, expect, it } from "vitest";
import {
  checkFargateLaunch,
  checkFargatePlacement,
  checkPlatformVersion,
  instancesForTarget,
  resolveLaunch,
  type CapacityTarget,
  type LaunchInput,
  type LaunchPlan,
  type LaunchType,
} from "./capacity-launch.js";

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidParameterException);
    return (err as Error).message;
  }
  throw new Error("expected a refusal");
};

describe("resolveLaunch", () => {
  const plain = {};
  const withDefault = { defaultCapacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 }] };
  const withMine = { capacityProviders: ["FARGATE", "mine"] };
  it.each<[string, LaunchInput, object, LaunchPlan | RegExp]>([
    // nothing given, no default strategy: EC2, as ECS
    ["default EC2", {}, plain, { launchType: "EC2" }],
    // a launch type as given
    ["FARGATE", { launchType: "FARGATE" }, plain, { launchType: "FARGATE" }],
    ["EXTERNAL", { launchType: "EXTERNAL" }, plain, { launchType: "EXTERNAL" }],
    // a launch type wins over the cluster's default strategy
    ["launch type over default", { launchType: "EC2" }, withDefault, { launchType: "EC2" }],
    // no launch type: the cluster's default strategy
    ["cluster default", {}, withDefault, { launchType: "FARGATE", strategy: withDefault.defaultCapacityProviderStrategy }],
    // FARGATE_SPOT is in every cluster
    ["FARGATE_SPOT", { capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT" }] }, plain, { launchType: "FARGATE", strategy: [{ capacityProvider: "FARGATE_SPOT", base: 0, weight: 0 }] }],
    // an EC2 provider associated with the cluster
    ["EC2 provider", { capacityProviderStrategy: [{ capacityProvider: "mine", weight: 1 }] }, withMine, { launchType: "EC2", strategy: [{ capacityProvider: "mine", base: 0, weight: 1 }] }],
    // a provider not associated
    ["not associated", { capacityProviderStrategy: [{ capacityProvider: "mine" }] }, plain, /^The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster\..*\(mine\)$/],
    // FARGATE_SPOT removed from the cluster by PutClusterCapacityProviders
    ["removed", { capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT" }] }, withMine, /not associated with the cluster/],
    // both a launch type and a strategy
    ["both", { launchType: "EC2", capacityProviderStrategy: [{ capacityProvider: "FARGATE" }] }, plain, /^Specifying both a launch type and capacity provider strategy is not supported/],
    // Managed Instances are not berth's
    ["MANAGED_INSTANCES", { launchType: "MANAGED_INSTANCES" }, plain, /^launchType: MANAGED_INSTANCES/],
  ])("%s", (_name, input, cluster, expected) => {
    if (expected instanceof RegExp) expect(refusal(() => resolveLaunch(input, cluster))).toMatch(expected);
    else expect(resolveLaunch(input, cluster)).toEqual(expected);
  });
});

describe("instancesForTarget", () => {
  const inst = (id: string, attributes: Attribute[]) => ({ id, attributes });
  const pool = [
    inst("ec2", []),
    inst("fargate", [{ name: "berth.fargate", value: "true" }]),
    inst("mine", [{ name: "berth.capacity-provider", value: "mine" }]),
    inst("other", [{ name: "berth.capacity-provider", value: "other" }]),
  ];
  it.each<[string, CapacityTarget, string[]]>([
    // EC2 tasks never land on Fargate agents
    ["EC2", { launchType: "EC2" }, ["ec2", "mine", "other"]],
    ["EXTERNAL", { launchType: "EXTERNAL" }, ["ec2", "mine", "other"]],
    // FARGATE tasks only on Fargate agents, whichever Fargate provider
    ["FARGATE", { launchType: "FARGATE" }, ["fargate"]],
    ["FARGATE_SPOT", { launchType: "FARGATE", capacityProviderName: "FARGATE_SPOT" }, ["fargate"]],
    // an EC2 provider: the instances carrying its name
    ["EC2 provider", { launchType: "EC2", capacityProviderName: "mine" }, ["mine"]],
  ])("%s", (_name, target, ids) => {
    expect(instancesForTarget(pool, target).map((i) => i.id)).toEqual(ids);
  });
});

describe("checkPlatformVersion", () => {
  it.each<[string, string | undefined, LaunchType, string | undefined | RegExp]>([
    // Fargate without a version runs on LATEST, resolved
    ["absent", undefined, "FARGATE", "1.4.0"],
    ["LATEST", "LATEST", "FARGATE", "1.4.0"],
    // a version ECS has
    ["1.3.0", "1.3.0", "FARGATE", "1.3.0"],
    // a version ECS does not have
    ["9.9.9", "9.9.9", "FARGATE", /^The specified platform version does not exist\./],
    // EC2 takes none; an empty string is none
    ["EC2 none", undefined, "EC2", undefined],
    ["EC2 empty", "", "EC2", undefined],
    ["EC2 LATEST", "LATEST", "EC2", /^The platform version must be null when specifying an EC2 launch type\.$/],
  ])("%s", (_name, version, launchType, expected) => {
    if (expected instanceof RegExp) expect(refusal(() => checkPlatformVersion(version, launchType))).toMatch(expected);
    else expect(checkPlatformVersion(version, launchType)).toBe(expected);
  });
});

describe("checkFargateLaunch", () => {
  const td = (t: Partial<TaskDefinitionRecord> = {}): TaskDefinitionRecord => ({
    taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
    family: "web",
    revision: 1,
    status: "ACTIVE",
    registeredAtMs: 0,
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
    containerDefinitions: [{ name: "web", image: "busybox" }],
    ...t,
  });
  it.each<[string, TaskDefinitionRecord, TaskOverride | undefined, number | RegExp]>([
    // a Fargate definition: 20 GiB of ephemeral storage by default
    ["ok", td(), undefined, 20],
    // the definition's ephemeral storage
    ["definition storage", td({ ephemeralStorage: { sizeInGiB: 50 } }), undefined, 50],
    // an override's storage wins
    ["override storage", td(), { ephemeralStorage: { sizeInGiB: 30 } }, 30],
    // an override to another Fargate size
    ["override size", td(), { cpu: "512", memory: "1024" }, 20],
    // bridge mode: not a Fargate definition
    ["bridge", td({ networkMode: "bridge" }), undefined, /^Task definition does not support launch_type FARGATE\. Fargate only supports network mode 'awsvpc'\.$/],
    // host networking neither
    ["host", td({ networkMode: "host" }), undefined, /^Task definition does not support launch_type FARGATE\./],
    // no task-level memory
    ["no memory", td({ memory: undefined }), undefined, /Fargate requires that 'memory' be defined at the task level\./],
    // privileged
    ["privileged", td({ containerDefinitions: [{ name: "web", image: "busybox", privileged: true }] }), undefined, /privileged: Fargate does not support privileged containers/],
    // a host path
    ["host path", td({ volumes: [{ name: "d", host: { sourcePath: "/srv" } }] }), undefined, /do not support sourcePath/],
    // an override outside Fargate's table
    ["override bad size", td(), { memory: "4096" }, /^overrides: No Fargate configuration exists for given values: 256 CPU, 4096 memory\./],
    // an override's storage out of range
    ["override storage 10", td(), { ephemeralStorage: { sizeInGiB: 10 } }, /^overrides\.ephemeralStorage\.sizeInGiB: The ephemeral storage size must be between 21 and 200 GiB/],
  ])("%s", (_name, def, overrides, expected) => {
    if (expected instanceof RegExp) expect(refusal(() => checkFargateLaunch(def, overrides))).toMatch(expected);
    else expect(checkFargateLaunch(def, overrides)).toBe(expected);
  });
});

describe("checkFargatePlacement", () => {
  it.each<[string, LaunchType, unknown[] | undefined, unknown[] | undefined, RegExp | undefined]>([
    // Fargate without placement
    ["none", "FARGATE", undefined, [], undefined],
    // EC2 keeps its strategies and constraints
    ["EC2", "EC2", [{ type: "spread" }], [{ type: "distinctInstance" }], undefined],
    // Fargate chooses where a task runs
    ["strategy", "FARGATE", [{ type: "binpack", field: "memory" }], undefined, /^placementStrategy: Task placement strategies are not supported for tasks hosted on Fargate\.$/],
    ["constraint", "FARGATE", undefined, [{ type: "distinctInstance" }], /^placementConstraints: Task placement constraints are not supported/],
  ])("%s", (_name, launchType, strategy, constraints, refused) => {
    const check = () => checkFargatePlacement(launchType, strategy, constraints);
    if (!refused) return expect(check).not.toThrow();
    expect(refusal(check)).toMatch(refused);
  });
});

import { BerthError, type CapacityProviderRecord, type ServiceRecord } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { autoScalingGroupOf, checkClusterCapacity, checkProviderName, type AutoScalingGroupInput } from "./capacity-provider-rules.js";
import type { StrategyItemInput } from "./capacity-strategy.js";

/** The ECS `__type` and message a call fails with, or undefined when it succeeds. */
const failure = (f: () => unknown): [string, string] | undefined => {
  try {
    f();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(BerthError);
    return [(err as BerthError).ecsType, (err as Error).message];
  }
};

describe("checkProviderName", () => {
  it.each<[string, string, string | undefined]>([
    // letters, digits, _ and -
    ["ok", "spot-fleet_1", undefined],
    // reserved prefixes, any case
    ["aws prefix", "awsPool", "InvalidParameterException"],
    ["ecs prefix", "ECS-pool", "InvalidParameterException"],
    ["fargate prefix", "fargate2", "InvalidParameterException"],
    // characters outside the set
    ["dot", "pool.1", "InvalidParameterException"],
    // too long
    ["256 chars", "p".repeat(256), "InvalidParameterException"],
  ])("%s", (_name, name, type) => {
    expect(failure(() => checkProviderName(name))?.[0]).toBe(type);
  });
});

describe("autoScalingGroupOf", () => {
  const arn = "arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:uuid:autoScalingGroupName/asg";
  it.each<[string, AutoScalingGroupInput | undefined, RegExp | undefined]>([
    // the ARN is kept as given, managed settings defaulted
    ["defaults", { autoScalingGroupArn: arn }, undefined],
    // ECS requires the ARN
    ["no ARN", undefined, /^autoScalingGroupProvider\.autoScalingGroupArn: is required/],
    // termination protection needs managed scaling
    ["protection without scaling", { autoScalingGroupArn: arn, managedTerminationProtection: "ENABLED" }, /must have managed scaling enabled/],
    ["protection with scaling", { autoScalingGroupArn: arn, managedTerminationProtection: "ENABLED", managedScaling: { status: "ENABLED" } }, undefined],
    // a minimum step above the maximum bounds no scale-out
    ["min step over max", { autoScalingGroupArn: arn, managedScaling: { status: "ENABLED", minimumScalingStepSize: 5, maximumScalingStepSize: 2 } }, /minimumScalingStepSize: must not be greater than maximumScalingStepSize \(5 > 2\)/],
  ])("%s", (_name, input, message) => {
    const f = failure(() => autoScalingGroupOf(input));
    if (message) expect(f?.[1]).toMatch(message);
    else expect(autoScalingGroupOf(input)?.autoScalingGroupArn).toBe(arn);
  });
});

describe("checkClusterCapacity", () => {
  const provider = (name: string, status: "ACTIVE" | "INACTIVE" = "ACTIVE"): CapacityProviderRecord => ({ name, arn: `arn:${name}`, status, createdAtMs: 0, version: 1 });
  const known = new Map([
    ["mine", provider("mine")],
    ["gone", provider("gone", "INACTIVE")],
  ]);
  const service = (name: string, providers: string[]): Pick<ServiceRecord, "name" | "status" | "capacityProviderStrategy"> => ({
    name,
    status: "ACTIVE",
    capacityProviderStrategy: providers.map((capacityProvider) => ({ capacityProvider, base: 0, weight: 1 })),
  });
  it.each<[string, string[], StrategyItemInput[], ReturnType<typeof service>[], [string, RegExp] | undefined]>([
    // the two Fargate providers, Fargate by default
    ["fargate default", ["FARGATE", "FARGATE_SPOT"], [{ capacityProvider: "FARGATE", weight: 1 }], [], undefined],
    // an EC2 provider that exists
    ["EC2 provider", ["mine"], [], [], undefined],
    // no providers at all
    ["empty", [], [], [], undefined],
    // a provider never created
    ["unknown", ["nope"], [], [], ["ClientException", /^capacityProviders: The specified capacity provider does not exist\. \(nope\)$/]],
    // a deleted provider
    ["inactive", ["gone"], [], [], ["ClientException", /does not exist\. \(gone\)/]],
    // the default strategy names a provider not listed
    ["strategy outside", ["FARGATE"], [{ capacityProvider: "FARGATE_SPOT", weight: 1 }], [], ["InvalidParameterException", /not associated with the cluster.*\(FARGATE_SPOT\)$/]],
    // a bad strategy
    ["two bases", ["FARGATE", "FARGATE_SPOT"], [{ capacityProvider: "FARGATE", base: 1, weight: 1 }, { capacityProvider: "FARGATE_SPOT", base: 1, weight: 1 }], [], ["InvalidParameterException", /^defaultCapacityProviderStrategy: Only one capacity provider/]],
    // a service still uses a provider being dropped
    ["in use", ["FARGATE"], [], [service("web", ["FARGATE_SPOT"])], ["ResourceInUseException", /^The specified capacity provider is in use and cannot be removed\. \(FARGATE_SPOT is in the strategy of service web\)$/]],
    // a service using a provider that stays
    ["kept in use", ["FARGATE_SPOT"], [], [service("web", ["FARGATE_SPOT"])], undefined],
    // more than 20
    ["21 providers", Array.from({ length: 21 }, () => "FARGATE"), [], [], ["InvalidParameterException", /at most 20/]],
  ])("%s", (_name, providers, strategy, services, expected) => {
    const f = failure(() => checkClusterCapacity(providers, strategy, known, services));
    if (!expected) {
      expect(f).toBeUndefined();
      expect(checkClusterCapacity(providers, strategy, known, services).capacityProviders).toEqual([...new Set(providers)]);
      return;
    }
    expect(f?.[0]).toBe(expected[0]);
    expect(f?.[1]).toMatch(expected[1]);
  });
});

import { describe, expect, it } from "vitest";
import { ValidationException } from "@berth/shared";
import { readTarget, runTaskRequestOf, scheduledRunToken } from "./schedule-targets.js";

const cluster = "arn:aws:ecs:us-east-1:000000000000:cluster/prod";

describe("readTarget", () => {
  it.each([
    // the Scheduler's shape: tags as one-entry maps, a network configuration
    [
      { Arn: cluster, RoleArn: "r", EcsParameters: { TaskDefinitionArn: "app:2", TaskCount: 2, LaunchType: "FARGATE", Tags: [{ team: "ops" }], NetworkConfiguration: { awsvpcConfiguration: { Subnets: ["subnet-1"], AssignPublicIp: "DISABLED" } } } },
      { cluster: "prod", ecs: { taskDefinitionArn: "app:2", taskCount: 2, launchType: "FARGATE", tags: [{ key: "team", value: "ops" }], networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"], assignPublicIp: "DISABLED" } } } },
    ],
    // EventBridge's shape: tags as Key/Value; TaskCount defaults to 1
    [
      { Id: "t", Arn: cluster, EcsParameters: { TaskDefinitionArn: "app", Tags: [{ Key: "job", Value: "nightly" }], CapacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] } },
      { cluster: "prod", ecs: { taskDefinitionArn: "app", taskCount: 1, tags: [{ key: "job", value: "nightly" }], capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] } },
    ],
  ])("reads %j", (raw, want) => {
    expect(readTarget(raw, "t", "Target")).toMatchObject(want);
  });

  it.each([
    // a Lambda function is no berth target
    [{ Arn: "arn:aws:lambda:us-east-1:000000000000:function:f" }, /Target.Arn: berth runs ECS tasks only/],
    // a cluster target without EcsParameters
    [{ Arn: cluster }, /Target.EcsParameters: a cluster target needs EcsParameters/],
    // Input that is no JSON object of overrides
    [{ Arn: cluster, Input: "hello", EcsParameters: { TaskDefinitionArn: "app" } }, /Target.Input: an ECS target's Input must be a JSON object/],
    // more tasks than RunTask starts at once
    [{ Arn: cluster, EcsParameters: { TaskDefinitionArn: "app", TaskCount: 11 } }, /TaskCount: must be between 1 and 10/],
  ])("refuses %j", (raw, why) => {
    expect(() => readTarget(raw, "t", "Target")).toThrow(ValidationException);
    expect(() => readTarget(raw, "t", "Target")).toThrow(why);
  });
});

describe("runTaskRequestOf and scheduledRunToken", () => {
  it("derives one token per schedule and time, the same for every leader", () => {
    const a = scheduledRunToken("arn:s", 1000);
    expect(a).toBe(scheduledRunToken("arn:s", 1000));
    expect(a).not.toBe(scheduledRunToken("arn:s", 2000));
    expect(a).not.toBe(scheduledRunToken("arn:other", 1000));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it("sends the target's parameters as RunTask's", () => {
    const input = JSON.stringify({ containerOverrides: [{ name: "main", command: ["report", "--daily"] }] });
    const t = readTarget({ Arn: cluster, Input: input, EcsParameters: { TaskDefinitionArn: "app:2", TaskCount: 3, Group: "jobs", PlatformVersion: "LATEST", EnableExecuteCommand: true } }, "schedule", "Target");
    expect(runTaskRequestOf(t, "schedule/default/x", "tok")).toMatchObject({
      cluster: "prod",
      taskDefinition: "app:2",
      count: 3,
      group: "jobs",
      platformVersion: "LATEST",
      enableExecuteCommand: true,
      startedBy: "schedule/default/x",
      clientToken: "tok",
      // the target's Input is RunTask's overrides, as EventBridge passes it
      overrides: { containerOverrides: [{ name: "main", command: ["report", "--daily"] }] },
    });
  });
});

import { describe, expect, it } from "vitest";
import { InvalidParameterException, type TaskDefinitionRecord } from "@berth/shared";
import { daemonDeploymentConfiguration, mergeDeploymentConfiguration, type DeploymentConfigurationInput } from "./service-rules.js";
import { applyServiceChange, drainService, newServiceRecord, type ServiceChange } from "./services.js";

const scope = { region: "us-east-1", account: "000000000000" };
const tdArn = (rev: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/agent:${rev}`;
const td = (rev: number) => ({ taskDefinitionArn: tdArn(rev), family: "agent", revision: rev, status: "ACTIVE" }) as TaskDefinitionRecord;
const daemon = (eligible = 3) =>
  newServiceRecord({ scope }, { cluster: "c1", serviceName: "agent", taskDefinition: "agent:1", schedulingStrategy: "DAEMON", launchType: "EC2" }, td(1), "ecs-svc/1000000000000000001", 1000, eligible);

describe("DAEMON services: records", () => {
  it("newServiceRecord: 0/100 by default, desired count = the eligible instances", () => {
    const s = daemon(3);
    expect(s).toMatchObject({ schedulingStrategy: "DAEMON", desiredCount: 3, deploymentConfiguration: daemonDeploymentConfiguration });
    expect(s.deployments[0].desiredCount).toBe(3);
  });

  it.each<[string, DeploymentConfigurationInput | undefined, string | undefined]>([
    // nothing given: 0/100
    ["defaults", undefined, undefined],
    // a minimum that keeps half the hosts up during a rollout
    ["min 50", { minimumHealthyPercent: 50 }, undefined],
    // above 100: ECS's own message
    ["max 200", { maximumPercent: 200 }, "The daemon scheduling strategy does not support values above 100 for maximumPercent"],
    // below 100: only 100 means anything for one task per instance
    ["max 50", { maximumPercent: 50 }, "maximumPercent: must be 100 for a DAEMON service, got 50"],
    // 100/100 could never stop a host's old task
    ["min 100", { minimumHealthyPercent: 100 }, "must be greater than minimumHealthyPercent (100)"],
  ])("mergeDeploymentConfiguration for DAEMON: %s", (_name, patch, refusal) => {
    const merge = () => mergeDeploymentConfiguration(daemonDeploymentConfiguration, patch, "DAEMON");
    if (refusal) {
      expect(merge).toThrow(InvalidParameterException);
      expect(merge).toThrow(refusal);
    } else expect(merge().maximumPercent).toBe(100);
  });

  it.each<[string, ServiceChange, string | undefined]>([
    // a desired count: ECS's refusal, whatever the number
    ["desiredCount", { desiredCount: 3 }, "desiredCount: The daemon scheduling strategy does not support a desired count for services"],
    // a placement strategy: refused
    ["placementStrategy", { placementStrategy: [{ type: "spread", field: "instanceId" }] }, "placementStrategy: The daemon scheduling strategy does not support placement strategies"],
    // an empty strategy list (what some tools always send) is no strategy
    ["empty placementStrategy", { placementStrategy: [], taskDefinition: tdArn(2) }, undefined],
    // a new revision rolls out
    ["new revision", { taskDefinition: tdArn(2) }, undefined],
    // maximumPercent above 100 on update: refused as on create
    ["maximumPercent 200", { deploymentConfiguration: { maximumPercent: 200 } }, "does not support values above 100"],
  ])("applyServiceChange on DAEMON: %s", (_name, change, refusal) => {
    const apply = () => applyServiceChange(daemon(), change, "ecs-svc/2000000000000000002", 5000);
    if (refusal) {
      expect(apply).toThrow(InvalidParameterException);
      expect(apply).toThrow(refusal);
      return;
    }
    const next = apply()!;
    expect(next.deployments.map((d) => d.status)).toEqual(["PRIMARY", "ACTIVE"]);
    expect(next.desiredCount).toBe(3);
  });

  it("drainService: a DAEMON service is deleted without force", () => {
    const next = drainService(daemon(3), false, 9000);
    expect(next).toMatchObject({ status: "DRAINING", desiredCount: 0 });
  });
});

import { describe, expect, it } from "vitest";
import { InvalidParameterException, ServiceNotActiveException, type ServiceRecord, type TaskDefinitionRecord } from "@berth/shared";
import {
  defaultDeploymentConfiguration,
  mergeDeploymentConfiguration,
  randomDeploymentId,
  serviceNameOf,
  type DeploymentConfigurationInput,
} from "./service-rules.js";
import { applyServiceChange, drainService, newServiceRecord, type ServiceChange } from "./services.js";

const scope = { region: "us-east-1", account: "000000000000" };
const tdArn = (rev: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/web:${rev}`;
const td = (rev: number) => ({ taskDefinitionArn: tdArn(rev), family: "web", revision: rev, status: "ACTIVE" }) as TaskDefinitionRecord;

function service(over: Partial<ServiceRecord> = {}): ServiceRecord {
  const rec = newServiceRecord({ scope }, { cluster: "c1", serviceName: "web", taskDefinition: "web:1", desiredCount: 2, launchType: "EC2" }, td(1), "ecs-svc/1000000000000000001", 1000);
  return { ...rec, ...over };
}

describe("mergeDeploymentConfiguration", () => {
  it.each<[string, DeploymentConfigurationInput | undefined, Partial<typeof defaultDeploymentConfiguration>]>([
    // nothing given: ECS's defaults
    ["no patch", undefined, { minimumHealthyPercent: 100, maximumPercent: 200 }],
    // one field: the other keeps the base's value
    ["only min", { minimumHealthyPercent: 50 }, { minimumHealthyPercent: 50, maximumPercent: 200 }],
    // the lowest and a large maximum
    ["0 and 400", { minimumHealthyPercent: 0, maximumPercent: 400 }, { minimumHealthyPercent: 0, maximumPercent: 400 }],
    // max 100 is fine when min leaves room below it
    ["50 and 100", { minimumHealthyPercent: 50, maximumPercent: 100 }, { minimumHealthyPercent: 50, maximumPercent: 100 }],
    // the breaker with rollback
    ["breaker", { deploymentCircuitBreaker: { enable: true, rollback: true } }, { deploymentCircuitBreaker: { enable: true, rollback: true } }],
  ])("accepts %s", (_name, patch, want) => {
    expect(mergeDeploymentConfiguration(defaultDeploymentConfiguration, patch)).toMatchObject(want);
  });

  it.each<[string, DeploymentConfigurationInput, string]>([
    // a minimum above 100
    ["min 150", { minimumHealthyPercent: 150, maximumPercent: 300 }, "minimumHealthyPercent: must be an integer from 0 to 100"],
    // a negative minimum
    ["min -1", { minimumHealthyPercent: -1 }, "minimumHealthyPercent: must be an integer from 0 to 100"],
    // a maximum under 100
    ["max 50", { minimumHealthyPercent: 0, maximumPercent: 50 }, "maximumPercent: must be an integer of at least 100"],
    // no room between them: a deployment could never move
    ["100 and 100", { maximumPercent: 100 }, "maximumPercent (100) must be greater than minimumHealthyPercent (100)"],
    // a fraction
    ["min 50.5", { minimumHealthyPercent: 50.5 }, "minimumHealthyPercent: must be an integer"],
    // rollback without the breaker
    ["rollback only", { deploymentCircuitBreaker: { enable: false, rollback: true } }, "rollback requires enable"],
  ])("refuses %s", (_name, patch, message) => {
    expect(() => mergeDeploymentConfiguration(defaultDeploymentConfiguration, patch)).toThrow(InvalidParameterException);
    expect(() => mergeDeploymentConfiguration(defaultDeploymentConfiguration, patch)).toThrow(message);
  });

  it("merges onto a non-default base field by field", () => {
    const base = mergeDeploymentConfiguration(defaultDeploymentConfiguration, { minimumHealthyPercent: 50, maximumPercent: 150, deploymentCircuitBreaker: { enable: true, rollback: true } });
    expect(mergeDeploymentConfiguration(base, { deploymentCircuitBreaker: { rollback: false } })).toEqual({
      minimumHealthyPercent: 50,
      maximumPercent: 150,
      deploymentCircuitBreaker: { enable: true, rollback: false },
    });
  });
});

describe("serviceNameOf", () => {
  it.each([
    // a plain name
    ["web", "web"],
    // a new-format ARN of this cluster
    ["arn:aws:ecs:us-east-1:000000000000:service/c1/web", "web"],
    // an old-format ARN with no cluster
    ["arn:aws:ecs:us-east-1:000000000000:service/web", "web"],
  ])("reads %s", (ref, want) => {
    expect(serviceNameOf(ref, "c1")).toBe(want);
  });

  it.each([
    // another cluster's service
    ["arn:aws:ecs:us-east-1:000000000000:service/c2/web", "belongs to cluster 'c2'"],
    // not a service ARN
    ["arn:aws:ecs:us-east-1:000000000000:task/c1/abc", "is not a service ARN"],
    // characters ECS refuses
    ["web.app", "up to 255 letters"],
  ])("refuses %s", (ref, message) => {
    expect(() => serviceNameOf(ref, "c1")).toThrow(message);
  });
});

describe("newServiceRecord", () => {
  it("is ACTIVE with one PRIMARY deployment rolling out", () => {
    const s = service();
    expect(s).toMatchObject({
      arn: "arn:aws:ecs:us-east-1:000000000000:service/c1/web",
      clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/c1",
      status: "ACTIVE",
      taskDefinition: tdArn(1),
      deploymentConfiguration: defaultDeploymentConfiguration,
      schedulingStrategy: "REPLICA",
      placementStrategy: [],
    });
    expect(s.deployments).toEqual([
      {
        id: "ecs-svc/1000000000000000001",
        status: "PRIMARY",
        taskDefinition: tdArn(1),
        desiredCount: 2,
        failedTasks: 0,
        rolloutState: "IN_PROGRESS",
        rolloutStateReason: "ECS deployment ecs-svc/1000000000000000001 in progress.",
        createdAtMs: 1000,
        updatedAtMs: 1000,
        launchType: "EC2",
      },
    ]);
  });

  it("makes deployment ids the way ECS writes them", () => {
    for (let i = 0; i < 50; i++) expect(randomDeploymentId()).toMatch(/^ecs-svc\/[1-9]\d{18}$/);
  });
});

describe("applyServiceChange", () => {
  const newId = "ecs-svc/2000000000000000002";
  it.each<[string, ServiceChange, { deployments: string[]; desired: number; primaryDesired: number; td: number }]>([
    // scaling keeps the deployment and carries the count to it
    ["scale", { desiredCount: 5 }, { deployments: ["PRIMARY"], desired: 5, primaryDesired: 5, td: 1 }],
    // a new revision: a new PRIMARY, the old one ACTIVE
    ["new revision", { taskDefinition: tdArn(2) }, { deployments: ["PRIMARY", "ACTIVE"], desired: 2, primaryDesired: 2, td: 2 }],
    // forced: a new PRIMARY with the same revision
    ["force", { forceNewDeployment: true }, { deployments: ["PRIMARY", "ACTIVE"], desired: 2, primaryDesired: 2, td: 1 }],
    // a new revision and a new count at once: the new PRIMARY gets the new count
    ["revision and scale", { taskDefinition: tdArn(2), desiredCount: 0 }, { deployments: ["PRIMARY", "ACTIVE"], desired: 0, primaryDesired: 0, td: 2 }],
    // a new capacity provider strategy deploys, as on ECS
    ["new strategy", { capacityProviderStrategy: [{ capacityProvider: "mine", base: 0, weight: 1 }] }, { deployments: ["PRIMARY", "ACTIVE"], desired: 2, primaryDesired: 2, td: 1 }],
    // so does a new platform version
    ["new platform version", { platformVersion: "1.3.0" }, { deployments: ["PRIMARY", "ACTIVE"], desired: 2, primaryDesired: 2, td: 1 }],
  ])("%s", (_name, change, want) => {
    const next = applyServiceChange(service(), change, newId, 5000)!;
    expect(next.deployments.map((d) => d.status)).toEqual(want.deployments);
    expect(next.desiredCount).toBe(want.desired);
    expect(next.deployments[0].desiredCount).toBe(want.primaryDesired);
    expect(next.taskDefinition).toBe(tdArn(want.td));
    expect(next.deployments[0].taskDefinition).toBe(tdArn(want.td));
    expect(next.version).toBe(2);
    if (want.deployments.length === 2) {
      expect(next.deployments[0]).toMatchObject({ id: newId, rolloutState: "IN_PROGRESS", createdAtMs: 5000 });
      expect(next.deployments[1]).toMatchObject({ id: "ecs-svc/1000000000000000001", updatedAtMs: 5000 });
    }
  });

  it("keeps older ACTIVE deployments when a third one starts", () => {
    const two = applyServiceChange(service(), { taskDefinition: tdArn(2) }, "ecs-svc/2000000000000000002", 2000)!;
    const three = applyServiceChange(two, { taskDefinition: tdArn(3) }, "ecs-svc/3000000000000000003", 3000)!;
    expect(three.deployments.map((d) => [d.id.slice(-1), d.status])).toEqual([["3", "PRIMARY"], ["2", "ACTIVE"], ["1", "ACTIVE"]]);
  });

  it("a new strategy is the service's and its new PRIMARY deployment's", () => {
    const strategy = [{ capacityProvider: "mine", base: 1, weight: 2 }];
    const next = applyServiceChange(service(), { capacityProviderStrategy: strategy }, newId, 5000)!;
    expect(next.capacityProviderStrategy).toEqual(strategy);
    expect(next.deployments[0].capacityProviderStrategy).toEqual(strategy);
    expect(applyServiceChange(next, { capacityProviderStrategy: strategy }, "ecs-svc/3000000000000000003", 6000)).toBeUndefined();
  });

  it.each<[string, ServiceRecord["networkConfiguration"], ServiceRecord["networkConfiguration"], boolean]>([
    // other subnets: a new deployment carrying them
    ["subnets", { awsvpcConfiguration: { subnets: ["subnet-a"] } }, { awsvpcConfiguration: { subnets: ["subnet-b"] } }, true],
    // a security group added
    ["groups", { awsvpcConfiguration: { subnets: ["subnet-a"] } }, { awsvpcConfiguration: { subnets: ["subnet-a"], securityGroups: ["sg-1"] } }, true],
    // assignPublicIp turned on
    ["public ip", { awsvpcConfiguration: { subnets: ["subnet-a"] } }, { awsvpcConfiguration: { subnets: ["subnet-a"], assignPublicIp: "ENABLED" } }, true],
    // the same configuration again: nothing changes
    ["same", { awsvpcConfiguration: { subnets: ["subnet-a"] } }, { awsvpcConfiguration: { subnets: ["subnet-a"] } }, false],
  ])("a networkConfiguration change (%s) is the service's and a new deployment's", (_name, before, after, redeploys) => {
    const svc = newServiceRecord({ scope }, { cluster: "c1", serviceName: "web", taskDefinition: "web:1", desiredCount: 2, launchType: "EC2", networkConfiguration: before }, td(1), "ecs-svc/1000000000000000001", 1000);
    expect(svc.deployments[0].networkConfiguration).toEqual(before);
    const next = applyServiceChange(svc, { networkConfiguration: after }, newId, 5000);
    if (!redeploys) return expect(next).toBeUndefined();
    expect(next!.networkConfiguration).toEqual(after);
    expect(next!.deployments.map((d) => [d.status, d.networkConfiguration])).toEqual([["PRIMARY", after], ["ACTIVE", before]]);
    expect(next!.deployments[0].taskDefinition).toBe(tdArn(1));
  });

  const lbA = { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/a/1", containerName: "web", containerPort: 80 };
  const lbB = { ...lbA, targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/b/2" };
  it.each<[string, ServiceRecord["loadBalancers"], ServiceRecord["loadBalancers"], { service?: unknown[]; primary?: unknown[]; older?: unknown[] } | undefined]>([
    // another target group: the new deployment registers there, the old one stays where it was
    ["replaced", [lbA], [lbB], { service: [lbB], primary: [lbB], older: [lbA] }],
    // one added to a service that had none: the old tasks keep none
    ["added", undefined, [lbA], { service: [lbA], primary: [lbA], older: [] }],
    // [] removes them all: the service has none, the old deployment keeps its group until replaced
    ["removed", [lbA], [], { service: undefined, primary: [], older: [lbA] }],
    // the same list again: no deployment
    ["same", [lbA], [lbA], undefined],
    // [] on a service without any: no deployment
    ["none again", undefined, [], undefined],
  ])("a loadBalancers change (%s) starts a deployment that registers with the new list", (_name, before, after, want) => {
    const svc = service(before ? { loadBalancers: before } : {});
    const next = applyServiceChange(svc, { loadBalancers: after }, newId, 5000);
    if (!want) return expect(next).toBeUndefined();
    expect(next!.loadBalancers).toEqual(want.service);
    expect(next!.deployments.map((d) => [d.status, d.loadBalancers])).toEqual([["PRIMARY", want.primary], ["ACTIVE", want.older]]);
  });

  it("a later deployment keeps the pinned lists and pins its own", () => {
    const two = applyServiceChange(service({ loadBalancers: [lbA] }), { loadBalancers: [lbB] }, "ecs-svc/2000000000000000002", 2000)!;
    const three = applyServiceChange(two, { taskDefinition: tdArn(2) }, "ecs-svc/3000000000000000003", 3000)!;
    expect(three.deployments.map((d) => d.loadBalancers)).toEqual([[lbB], [lbB], [lbA]]);
  });

  it("refuses new loadBalancers on a traffic-shifting service", () => {
    const bg = service({ loadBalancers: [lbA], deploymentConfiguration: { ...defaultDeploymentConfiguration, strategy: "BLUE_GREEN", bakeTimeInMinutes: 0 } });
    expect(() => applyServiceChange(bg, { loadBalancers: [lbB] }, newId, 5000)).toThrow(/ROLLING deployments only/);
  });

  it("changes nothing when the request repeats the current state", () => {
    expect(applyServiceChange(service(), { desiredCount: 2, taskDefinition: tdArn(1) }, newId, 5000)).toBeUndefined();
  });

  it("refuses a service that is not ACTIVE", () => {
    expect(() => applyServiceChange(service({ status: "DRAINING" }), { desiredCount: 1 }, newId, 5000)).toThrow(ServiceNotActiveException);
  });

  type TagSettings = Pick<ServiceRecord, "propagateTags" | "enableECSManagedTags" | "enableExecuteCommand">;
  it.each<[string, TagSettings, ServiceChange, TagSettings | undefined]>([
    // turning propagation and managed tags on: recorded, no new deployment
    ["on", {}, { propagateTags: "SERVICE", enableECSManagedTags: true }, { propagateTags: "SERVICE", enableECSManagedTags: true }],
    // NONE turns propagation off (stored as absent)
    ["NONE", { propagateTags: "TASK_DEFINITION" }, { propagateTags: "NONE" }, {}],
    // an absent field leaves the setting as it is
    ["absent", { propagateTags: "SERVICE", enableExecuteCommand: true }, { desiredCount: 3 }, { propagateTags: "SERVICE", enableExecuteCommand: true }],
    // false turns execute command off
    ["exec off", { enableExecuteCommand: true }, { enableExecuteCommand: false }, {}],
    // repeating the current settings changes nothing
    ["same", { propagateTags: "SERVICE" }, { propagateTags: "SERVICE" }, undefined],
  ])("tag and exec settings: %s", (_name, before, change, want) => {
    const next = applyServiceChange(service(before), change, newId, 5000);
    if (want === undefined) return expect(next).toBeUndefined();
    expect({ propagateTags: next!.propagateTags, enableECSManagedTags: next!.enableECSManagedTags, enableExecuteCommand: next!.enableExecuteCommand }).toEqual({
      propagateTags: undefined,
      enableECSManagedTags: undefined,
      enableExecuteCommand: undefined,
      ...want,
    });
    expect(next!.deployments).toHaveLength(1);
  });
});

describe("drainService", () => {
  it.each<[string, number, boolean, string | undefined]>([
    // scaled to 0: drains without force
    ["count 0", 0, false, undefined],
    // scaled above 0 with force: drains
    ["forced", 3, true, undefined],
    // scaled above 0 without force: ECS's refusal
    ["not forced", 3, false, "The service cannot be stopped while it is scaled above 0."],
  ])("%s", (_name, desired, force, refusal) => {
    const s = service({ desiredCount: desired });
    if (refusal) {
      expect(() => drainService(s, force, 9000)).toThrow(refusal);
      return;
    }
    const next = drainService(s, force, 9000);
    expect(next.status).toBe("DRAINING");
    expect(next.desiredCount).toBe(0);
    expect(next.deployments.every((d) => d.desiredCount === 0)).toBe(true);
  });

  it("refuses a service already draining", () => {
    expect(() => drainService(service({ status: "DRAINING" }), true, 9000)).toThrow("Service was not ACTIVE.");
  });
});

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  ListServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type Service,
} from "@aws-sdk/client-ecs";
import { Kv, Store } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";

// The services API against a real etcd. No agent joins, so no task ever runs here: counts stay
// 0 and the assertions are about the records and their ECS shapes. A leader's service loop may
// run in this control plane too; where it could move a field on, both values are accepted.
const run = promisify(execFile);
const aws = "/usr/bin/aws";
const cluster = "svc";
const arnOf = (kind: string, path: string) => `arn:aws:ecs:us-east-1:000000000000:${kind}/${path}`;
const tdArn = (family: string, rev: number) => arnOf("task-definition", `${family}:${rev}`);
let t: TestControlPlane;
let store: Store;

const container = { name: "web", image: "berth-test/busybox:latest", memory: 32, essential: true, command: ["sleep", "600"] };

async function describeOne(name: string, include?: "TAGS"): Promise<Service> {
  const res = await t.ecs.send(new DescribeServicesCommand({ cluster, services: [name], include: include ? [include] : undefined }));
  expect(res.failures).toEqual([]);
  return res.services![0];
}

const create = (over: Partial<CreateServiceCommandInput>) =>
  t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "x", taskDefinition: "svc-web", desiredCount: 1, ...over } as CreateServiceCommandInput));

beforeAll(async () => {
  t = await startTestControlPlane();
  store = new Store(Kv.connect(t.etcd.endpoint));
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  for (let i = 0; i < 3; i++) {
    await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "svc-web", networkMode: "bridge", containerDefinitions: [container] }));
  }
  await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "svc-web:3" }));
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "svc-vpc", networkMode: "awsvpc", containerDefinitions: [container] }));
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "svc-efs",
      volumes: [{ name: "shared", efsVolumeConfiguration: { fileSystemId: "fs-12345678" } }],
      containerDefinitions: [{ ...container, mountPoints: [{ sourceVolume: "shared", containerPath: "/data" }] }],
    }),
  );
});

afterAll(async () => {
  store?.close();
  await t?.stop();
});

describe("CreateService and DescribeServices", () => {
  let created: Service;

  it("creates a REPLICA service with ECS's defaults and one PRIMARY deployment", async () => {
    const before = Date.now();
    const res = await t.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: "web",
        taskDefinition: "svc-web:1",
        desiredCount: 2,
        placementStrategy: [{ type: "binpack", field: "memory" }],
        placementConstraints: [{ type: "distinctInstance" }],
        healthCheckGracePeriodSeconds: 30,
        tags: [{ key: "team", value: "edge" }],
      }),
    );
    created = res.service!;
    expect(created).toMatchObject({
      serviceArn: arnOf("service", `${cluster}/web`),
      serviceName: "web",
      clusterArn: arnOf("cluster", cluster),
      status: "ACTIVE",
      desiredCount: 2,
      runningCount: 0,
      pendingCount: 0,
      launchType: "EC2",
      taskDefinition: tdArn("svc-web", 1),
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false } },
      placementStrategy: [{ type: "binpack", field: "memory" }],
      placementConstraints: [{ type: "distinctInstance" }],
      schedulingStrategy: "REPLICA",
      healthCheckGracePeriodSeconds: 30,
      deploymentController: { type: "ECS" },
      enableECSManagedTags: false,
      propagateTags: "NONE",
      createdBy: "arn:aws:iam::000000000000:root",
      tags: [{ key: "team", value: "edge" }],
      loadBalancers: [],
      serviceRegistries: [],
      events: [],
    });
    expect(created.createdAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(created.deployments).toHaveLength(1);
    const d = created.deployments![0];
    expect(d.id).toMatch(/^ecs-svc\/\d{19}$/);
    expect(d).toMatchObject({
      status: "PRIMARY",
      taskDefinition: tdArn("svc-web", 1),
      desiredCount: 2,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 0,
      launchType: "EC2",
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: `ECS deployment ${d.id} in progress.`,
    });
    expect(d.createdAt).toBeInstanceOf(Date);
    expect(d.updatedAt).toBeInstanceOf(Date);
  });

  it("describes it by name and by ARN, tags only when included", async () => {
    const byName = await describeOne("web");
    expect(byName.serviceArn).toBe(created.serviceArn);
    expect(byName.deployments?.[0].id).toBe(created.deployments![0].id);
    expect(byName.tags).toBeUndefined();
    expect(byName.createdAt?.getTime()).toBe(created.createdAt?.getTime());
    for (const e of byName.events ?? []) expect(e).toMatchObject({ id: expect.any(String), message: expect.any(String), createdAt: expect.any(Date) });
    const byArn = await describeOne(created.serviceArn!, "TAGS");
    expect(byArn.tags).toEqual([{ key: "team", value: "edge" }]);
  });

  it("reports unknown services as MISSING failures next to the found ones", async () => {
    const res = await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["web", "nope", arnOf("service", `${cluster}/gone`)] }));
    expect(res.services?.map((s) => s.serviceName)).toEqual(["web"]);
    expect(res.failures).toEqual([
      { arn: "nope", reason: "MISSING" },
      { arn: arnOf("service", `${cluster}/gone`), reason: "MISSING" },
    ]);
  });

  it("returns the existing service for an identical repeat, refuses a different one", async () => {
    const again = await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: tdArn("svc-web", 1), desiredCount: 2 }));
    expect(again.service?.deployments?.[0].id).toBe(created.deployments![0].id);
    await expect(create({ serviceName: "web", taskDefinition: "svc-web:1", desiredCount: 3 })).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "Creation of service was not idempotent.",
    });
  });

  it("takes EXTERNAL, a bare family (its newest ACTIVE revision) and a partial deployment configuration", async () => {
    const res = await create({ serviceName: "ext", launchType: "EXTERNAL", desiredCount: 0, deploymentConfiguration: { minimumHealthyPercent: 50 } });
    expect(res.service).toMatchObject({
      launchType: "EXTERNAL",
      taskDefinition: tdArn("svc-web", 2),
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false } },
      placementStrategy: [],
      placementConstraints: [],
    });
    expect(res.service?.deployments?.[0].launchType).toBe("EXTERNAL");
  });

  it.each<[string, Partial<CreateServiceCommandInput>, string, string | RegExp]>([
    // the cluster must exist
    ["unknown cluster", { cluster: "nowhere" }, "ClusterNotFoundException", "Cluster not found: nowhere"],
    // a bridge definition is no Fargate one
    ["FARGATE", { launchType: "FARGATE" }, "InvalidParameterException", /^Task definition does not support launch_type FARGATE\./],
    // awsvpc needs its networkConfiguration, in ECS's words
    ["awsvpc without network", { taskDefinition: "svc-vpc:1" }, "InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified."],
    // an unknown subnet is refused as ECS refuses it
    ["awsvpc unknown subnet", { taskDefinition: "svc-vpc:1", networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0000000000000000a"] } } }, "InvalidParameterException", /Error retrieving subnet information for \[subnet-0000000000000000a\]/],
    // bridge tasks take no networkConfiguration
    ["network on bridge", { networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } } }, "InvalidParameterException", /^Network Configuration is not valid/],
    // Amazon's file systems have no counterpart here
    ["EFS volume", { taskDefinition: "svc-efs:1" }, "InvalidParameterException", /volume 'shared' uses efsVolumeConfiguration, which berth cannot mount/],
    // a deregistered revision
    ["INACTIVE revision", { taskDefinition: "svc-web:3" }, "InvalidParameterException", `TaskDefinition is inactive: ${tdArn("svc-web", 3)}`],
    // a revision never registered
    ["unknown revision", { taskDefinition: "svc-web:9" }, "ClientException", "Unable to describe task definition."],
    // minimum above 100
    ["min 150", { deploymentConfiguration: { minimumHealthyPercent: 150 } }, "InvalidParameterException", /minimumHealthyPercent: must be an integer from 0 to 100/],
    // maximum below 100
    ["max 50", { deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 50 } }, "InvalidParameterException", /maximumPercent: must be an integer of at least 100/],
    // no room to deploy
    ["100/100", { deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 100 } }, "InvalidParameterException", /must be greater than minimumHealthyPercent/],
    // negative count
    ["count -1", { desiredCount: -1 }, "InvalidParameterException", /desiredCount/],
    // REPLICA needs a count
    ["no count", { desiredCount: undefined }, "InvalidParameterException", "desiredCount: required for a REPLICA service"],
    // ECS's name rule
    ["bad name", { serviceName: "web.app" }, "InvalidParameterException", /serviceName: up to 255 letters/],
    // a load balancer entry is checked against the task definition (elbv2-ecs-service covers the rest)
    ["load balancer", { loadBalancers: [{ containerName: "web", containerPort: 80, targetGroupArn: "arn:aws:elasticloadbalancing:x" }] }, "InvalidParameterException", "The container web did not have a container port 80 defined."],
    // service discovery is not there yet
    ["registry", { serviceRegistries: [{ registryArn: "arn:aws:servicediscovery:x" }] }, "UnsupportedFeatureException", /serviceRegistries/],
    // a DAEMON service takes no desired count (ECS's wording; e2e-daemon covers the rest)
    ["DAEMON with a count", { schedulingStrategy: "DAEMON" }, "InvalidParameterException", /desiredCount: The daemon scheduling strategy does not support a desired count/],
    // placement is checked as RunTask checks it
    ["bad strategy", { placementStrategy: [{ type: "binpack", field: "disk" }] }, "InvalidParameterException", /placementStrategy\[0\]\.field/],
  ])("refuses %s", async (_name, over, type, message) => {
    const err = await create({ serviceName: `bad-${_name.replace(/[^a-zA-Z0-9]/g, "")}`, ...over }).catch((e: Error) => e);
    expect(err).toMatchObject({ name: type });
    if (typeof message === "string") expect((err as Error).message).toBe(message);
    else expect((err as Error).message).toMatch(message);
  });
});

describe("UpdateService", () => {
  it("scales within the PRIMARY deployment", async () => {
    const before = await describeOne("web");
    const res = await t.ecs.send(new UpdateServiceCommand({ cluster, service: "web", desiredCount: 4 }));
    expect(res.service?.desiredCount).toBe(4);
    expect(res.service?.deployments).toHaveLength(1);
    expect(res.service?.deployments?.[0]).toMatchObject({ id: before.deployments![0].id, status: "PRIMARY", desiredCount: 4 });
    expect(res.service?.tags).toEqual([{ key: "team", value: "edge" }]);
  });

  it("starts a new PRIMARY deployment for a new revision; the old one turns ACTIVE", async () => {
    const old = (await describeOne("web")).deployments![0];
    const res = await t.ecs.send(new UpdateServiceCommand({ cluster, service: arnOf("service", `${cluster}/web`), taskDefinition: "svc-web:2" }));
    const s = res.service!;
    expect(s.taskDefinition).toBe(tdArn("svc-web", 2));
    expect(s.deployments?.map((d) => [d.status, d.taskDefinition, d.desiredCount])).toEqual([
      ["PRIMARY", tdArn("svc-web", 2), 4],
      ["ACTIVE", tdArn("svc-web", 1), 4],
    ]);
    expect(s.deployments?.[0].id).not.toBe(old.id);
    expect(s.deployments?.[0]).toMatchObject({ rolloutState: "IN_PROGRESS", rolloutStateReason: `ECS deployment ${s.deployments?.[0].id} in progress.` });
    expect(s.deployments?.[1].id).toBe(old.id);
  });

  it("forces a new deployment of the same revision and merges a partial deployment configuration", async () => {
    const primary = (await describeOne("web")).deployments![0];
    const res = await t.ecs.send(
      new UpdateServiceCommand({ cluster, service: "web", forceNewDeployment: true, deploymentConfiguration: { maximumPercent: 150 } }),
    );
    const s = res.service!;
    // The service loop may already have retired the older ACTIVE deployment (it holds no tasks
    // here); the one that was PRIMARY until this call is ACTIVE, right after the new PRIMARY.
    expect(s.deployments?.slice(0, 2).map((d) => [d.id, d.status])).toEqual([
      [expect.not.stringMatching(primary.id!), "PRIMARY"],
      [primary.id, "ACTIVE"],
    ]);
    expect(s.deployments?.[0].taskDefinition).toBe(tdArn("svc-web", 2));
    expect(s.deploymentConfiguration).toEqual({ minimumHealthyPercent: 100, maximumPercent: 150, deploymentCircuitBreaker: { enable: false, rollback: false } });
    expect((await describeOne("web")).deploymentConfiguration?.maximumPercent).toBe(150);
  });

  it.each<[string, { service: string; cluster?: string; taskDefinition?: string; desiredCount?: number; deploymentConfiguration?: object }, string]>([
    // no such service
    ["unknown service", { service: "nope", desiredCount: 1 }, "ServiceNotFoundException"],
    // no such cluster
    ["unknown cluster", { service: "web", cluster: "nowhere", desiredCount: 1 }, "ClusterNotFoundException"],
    // an inactive revision
    ["inactive revision", { service: "web", taskDefinition: "svc-web:3" }, "InvalidParameterException"],
    // a merge that leaves no room: max 100 over min 100
    ["max 100", { service: "web", deploymentConfiguration: { maximumPercent: 100 } }, "InvalidParameterException"],
  ])("refuses %s", async (_name, req, type) => {
    await expect(t.ecs.send(new UpdateServiceCommand({ cluster, ...req }))).rejects.toMatchObject({ name: type });
  });
});

describe("ListServices", () => {
  it("pages through every service of the cluster and filters by launch type", async () => {
    for (let i = 0; i < 12; i++) await create({ serviceName: `page-${String(i).padStart(2, "0")}`, desiredCount: 0 });
    const first = await t.ecs.send(new ListServicesCommand({ cluster }));
    expect(first.serviceArns).toHaveLength(10);
    expect(first.nextToken).toBeDefined();
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await t.ecs.send(new ListServicesCommand({ cluster, maxResults: 5, nextToken: token }));
      expect(page.serviceArns!.length).toBeLessThanOrEqual(5);
      seen.push(...page.serviceArns!);
      token = page.nextToken;
    } while (token);
    // web, ext and the 12 pages, each once
    expect(new Set(seen).size).toBe(14);
    expect(seen).toContain(arnOf("service", `${cluster}/web`));
    const ext = await t.ecs.send(new ListServicesCommand({ cluster, launchType: "EXTERNAL" }));
    expect(ext.serviceArns).toEqual([arnOf("service", `${cluster}/ext`)]);
    await expect(t.ecs.send(new ListServicesCommand({ cluster: "nowhere" }))).rejects.toMatchObject({ name: "ClusterNotFoundException" });
  });
});

describe("DeleteService", () => {
  it("refuses a service scaled above 0 without force", async () => {
    await expect(t.ecs.send(new DeleteServiceCommand({ cluster, service: "web" }))).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "The service cannot be stopped while it is scaled above 0.",
    });
  });

  it("drains with force: DRAINING, desired 0; then it is no longer ACTIVE", async () => {
    const res = await t.ecs.send(new DeleteServiceCommand({ cluster, service: "web", force: true }));
    expect(res.service).toMatchObject({ status: "DRAINING", desiredCount: 0 });
    expect(res.service?.deployments?.every((d) => d.desiredCount === 0)).toBe(true);
    await expect(t.ecs.send(new UpdateServiceCommand({ cluster, service: "web", desiredCount: 1 }))).rejects.toMatchObject({
      name: "ServiceNotActiveException",
    });
    await expect(t.ecs.send(new DeleteServiceCommand({ cluster, service: "web", force: true }))).rejects.toMatchObject({
      name: "ServiceNotActiveException",
    });
    await expect(t.ecs.send(new DeleteServiceCommand({ cluster, service: "nope" }))).rejects.toMatchObject({ name: "ServiceNotFoundException" });
  });

  it("deletes a service at 0 without force; once INACTIVE it leaves the list and its name can be reused", async () => {
    const res = await t.ecs.send(new DeleteServiceCommand({ cluster, service: "page-00" }));
    expect(res.service?.status).toBe("DRAINING");
    // What the service loop does once the tasks are gone.
    await store.services.mutate([cluster, "page-00"], (s) => (s.status === "INACTIVE" ? undefined : { ...s, status: "INACTIVE", version: s.version + 1 }));
    expect((await describeOne("page-00")).status).toBe("INACTIVE");
    const listed = [];
    let token: string | undefined;
    do {
      const page = await t.ecs.send(new ListServicesCommand({ cluster, maxResults: 100, nextToken: token }));
      listed.push(...page.serviceArns!);
      token = page.nextToken;
    } while (token);
    expect(listed).not.toContain(arnOf("service", `${cluster}/page-00`));
    const again = await create({ serviceName: "page-00", desiredCount: 1 });
    expect(again.service).toMatchObject({ status: "ACTIVE", desiredCount: 1 });
    expect(again.service?.deployments).toHaveLength(1);
  });
});

describe("aws ecs wait services-stable", () => {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
  const wait = (service: string) =>
    run(aws, ["ecs", "wait", "services-stable", "--endpoint-url", t.endpoint, "--cluster", cluster, "--services", service], { env, timeout: 60_000 })
      .then(() => 0)
      .catch((err: { code?: number }) => err.code ?? -1);

  beforeAll(() => {
    if (!existsSync(aws)) throw new Error("Debian's awscli is required (/usr/bin/aws)");
  });

  it("succeeds at once for a service at 0 with one deployment", async () => {
    const s = await describeOne("page-01");
    expect(s).toMatchObject({ desiredCount: 0, runningCount: 0 });
    expect(s.deployments).toHaveLength(1);
    expect(await wait("page-01")).toBe(0);
  });

  it("fails for a draining service and for an unknown one", async () => {
    await t.ecs.send(new DeleteServiceCommand({ cluster, service: "page-02" }));
    expect(["DRAINING", "INACTIVE"]).toContain((await describeOne("page-02")).status);
    expect(await wait("page-02")).toBe(255);
    expect(await wait("never-created")).toBe(255);
  });
});

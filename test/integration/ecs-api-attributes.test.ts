// Custom attributes and DRAINING through the real AWS SDK against one control plane, with
// instances registered over the real gRPC API and sessions held by the test: what ECS users
// do to steer placement (PutAttributes + memberOf) and to empty a host (DRAINING).
import {
  ListContainerInstancesCommand,
  CreateClusterCommand,
  DeleteAttributesCommand,
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  ListAttributesCommand,
  PutAttributesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateContainerInstancesStateCommand,
  type Attribute,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { holdSession, registerInstanceOverGrpc, type HeldSession } from "../support/grpc-agent.js";

const cluster = "attrs";
let t: TestControlPlane;
let instanceArn: string;
let instanceId: string;
const sessions: HeldSession[] = [];

beforeAll(async () => {
  t = await startTestControlPlane();
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  instanceArn = await registerInstanceOverGrpc(t.grpcAddress, { cluster });
  instanceId = instanceArn.slice(instanceArn.lastIndexOf("/") + 1);
  sessions.push(await holdSession(t.grpcAddress, cluster, instanceArn));
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "tiny", containerDefinitions: [{ name: "main", image: "berth-test/busybox:latest", memory: 64 }] }));
});
afterAll(async () => {
  for (const s of sessions) s.close();
  await t?.stop();
});

const list = async (filter: { attributeName?: string; attributeValue?: string } = {}) =>
  (await t.ecs.send(new ListAttributesCommand({ cluster, targetType: "container-instance", ...filter }))).attributes ?? [];
const put = (attributes: Attribute[]) => t.ecs.send(new PutAttributesCommand({ cluster, attributes }));
const custom = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `custom-${i}`, value: `v${i}`, targetId: instanceArn }));

describe("PutAttributes, ListAttributes, DeleteAttributes", () => {
  it("attributes: put by ARN and by short id, then list with filters", async () => {
    const res = await put([{ name: "stack", value: "prod", targetId: instanceArn }]);
    expect(res.attributes).toEqual([{ name: "stack", value: "prod", targetType: "container-instance", targetId: instanceArn }]);
    await put([{ name: "team", targetType: "container-instance", targetId: instanceId }]);

    const all = await list();
    expect(all).toContainEqual({ name: "ecs.os-type", value: "linux", targetType: "container-instance", targetId: instanceArn });
    expect(all).toContainEqual({ name: "stack", value: "prod", targetType: "container-instance", targetId: instanceArn });
    expect(all).toContainEqual({ name: "team", targetType: "container-instance", targetId: instanceArn });
    expect(await list({ attributeName: "stack" })).toEqual([{ name: "stack", value: "prod", targetType: "container-instance", targetId: instanceArn }]);
    expect(await list({ attributeName: "stack", attributeValue: "dev" })).toEqual([]);

    // replacing a value keeps one attribute of that name
    await put([{ name: "stack", value: "staging", targetId: instanceArn }]);
    expect(await list({ attributeName: "stack" })).toEqual([{ name: "stack", value: "staging", targetType: "container-instance", targetId: instanceArn }]);
    const desc = await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [instanceArn] }));
    expect(desc.containerInstances![0].attributes).toContainEqual({ name: "stack", value: "staging" });
  });

  it("attributes: steer placement through memberOf and survive the agent registering again", async () => {
    const onStaging = await t.ecs.send(
      new RunTaskCommand({ cluster, taskDefinition: "tiny", placementConstraints: [{ type: "memberOf", expression: "attribute:stack == staging" }] }),
    );
    expect(onStaging.tasks).toHaveLength(1);
    const onProd = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "tiny", placementConstraints: [{ type: "memberOf", expression: "attribute:stack == prod" }] }));
    expect(onProd.tasks).toEqual([]);
    expect(onProd.failures?.[0].reason).toBe("MemberOf placement constraint unsatisfied.");

    // the agent restarts and registers again with its own attributes: custom ones stay
    const again = await registerInstanceOverGrpc(t.grpcAddress, { cluster, containerInstanceArn: instanceArn, attributes: [{ name: "ecs.os-type", value: "linux" }] });
    expect(again).toBe(instanceArn);
    expect(await list({ attributeName: "stack" })).toHaveLength(1);
  });

  it("attributes: paginate with maxResults and nextToken", async () => {
    const all = await list();
    const seen: Attribute[] = [];
    let nextToken: string | undefined;
    do {
      const page = await t.ecs.send(new ListAttributesCommand({ cluster, targetType: "container-instance", maxResults: 1, nextToken }));
      expect(page.attributes!.length).toBeLessThanOrEqual(1);
      seen.push(...page.attributes!);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toEqual(all);
  });

  it("attributes: delete by name; deleting what is not there is fine", async () => {
    const res = await t.ecs.send(new DeleteAttributesCommand({ cluster, attributes: [{ name: "team", targetId: instanceArn }] }));
    expect(res.attributes).toEqual([{ name: "team", targetType: "container-instance", targetId: instanceArn }]);
    expect(await list({ attributeName: "team" })).toEqual([]);
    await t.ecs.send(new DeleteAttributesCommand({ cluster, attributes: [{ name: "team", targetId: instanceArn }] }));
  });

  it.each<[string, () => Promise<unknown>, string, RegExp]>([
    // an instance that does not exist
    ["unknown target", () => put([{ name: "a", value: "b", targetId: `${instanceArn.slice(0, instanceArn.lastIndexOf("/"))}/0123456789abcdef0123456789abcdef` }]), "TargetNotFoundException", /Could not find/],
    // ecs.* names are the agent's
    ["reserved prefix", () => put([{ name: "ecs.os-type", value: "windows", targetId: instanceArn }]), "InvalidParameterException", /reserved/],
    // names have a small alphabet
    ["bad name", () => put([{ name: "no spaces", value: "x", targetId: instanceArn }]), "InvalidParameterException", /attributes\[0\]\.name/],
    // values may not start with a space
    ["bad value", () => put([{ name: "ok", value: " padded", targetId: instanceArn }]), "InvalidParameterException", /attributes\[0\]\.value/],
    // a short id needs its target type
    ["short id without targetType", () => put([{ name: "ok", value: "x", targetId: instanceId }]), "InvalidParameterException", /targetType/],
    // more than 10 in one call
    ["11 in one call", () => put(custom(11)), "InvalidParameterException", /at most 10/],
    // 10 custom per instance: stack is one already, so 10 more is one too many
    ["11 custom on one instance", () => put(custom(10)), "AttributeLimitExceededException", /at most 10/],
    // a value filter needs a name filter
    ["value filter alone", () => list({ attributeValue: "x" }), "InvalidParameterException", /attributeName/],
    // unknown cluster
    ["unknown cluster", () => t.ecs.send(new ListAttributesCommand({ cluster: "nope", targetType: "container-instance" })), "ClusterNotFoundException", /nope/],
  ])("attributes: refuses %s", async (_name, call, type, message) => {
    await expect(call()).rejects.toMatchObject({ name: type, message: expect.stringMatching(message) });
  });

  it("attributes: a refused put changes nothing", async () => {
    expect((await list()).filter((a) => a.name?.startsWith("custom-"))).toEqual([]);
    await put(custom(9));
    expect((await list()).filter((a) => a.name?.startsWith("custom-"))).toHaveLength(9);
    await t.ecs.send(new DeleteAttributesCommand({ cluster, attributes: custom(9).map(({ name, targetId }) => ({ name, targetId })) }));
  });
});

describe("UpdateContainerInstancesState", () => {
  const setState = (status: "ACTIVE" | "DRAINING" | "REGISTERING", containerInstances = [instanceArn]) =>
    t.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances, status }));

  it("draining: DRAINING takes the instance out of placement, ACTIVE brings it back", async () => {
    const before = (await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [instanceArn] }))).containerInstances![0];
    const missing = `${instanceArn.slice(0, instanceArn.lastIndexOf("/"))}/ffffffffffffffffffffffffffffffff`;
    const res = await setState("DRAINING", [instanceArn, missing]);
    expect(res.containerInstances).toHaveLength(1);
    expect(res.containerInstances![0]).toMatchObject({ containerInstanceArn: instanceArn, status: "DRAINING", version: before.version! + 1 });
    expect(res.failures).toEqual([{ arn: missing, reason: "MISSING" }]);
    // the same state again writes nothing
    expect((await setState("DRAINING")).containerInstances![0].version).toBe(before.version! + 1);

    const refused = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "tiny" }));
    expect(refused.tasks).toEqual([]);
    expect(refused.failures).toEqual([{ arn: instanceArn, reason: "STATUS:DRAINING" }]);

    expect((await setState("ACTIVE")).containerInstances![0].status).toBe("ACTIVE");
    const placed = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "tiny" }));
    expect(placed.tasks).toHaveLength(1);
    expect(placed.tasks![0].containerInstanceArn).toBe(instanceArn);
  });

  it("draining: a deregistered instance cannot change state", async () => {
    const gone = await registerInstanceOverGrpc(t.grpcAddress, { cluster });
    await t.ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: gone }));
    const res = await setState("DRAINING", [gone]);
    expect(res.containerInstances).toEqual([]);
    expect(res.failures).toEqual([{ arn: gone, reason: "INACTIVE", detail: expect.stringContaining("INACTIVE") }]);
  });

  it.each<[string, () => Promise<unknown>, RegExp]>([
    // only ACTIVE and DRAINING may be set (INACTIVE is not even in the model's enum)
    ["status REGISTERING", () => setState("REGISTERING"), /ACTIVE or DRAINING/],
    // at most 10 per call
    ["11 instances", () => setState("DRAINING", Array.from({ length: 11 }, () => instanceArn)), /at most 10/],
  ])("draining: refuses %s", async (_name, call, message) => {
    await expect(call()).rejects.toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(message) });
  });
});

describe("ListContainerInstances --filter (cluster query language)", () => {
  it("lists only the instances the expression matches", async () => {
    const fc = "filtered";
    await t.ecs.send(new CreateClusterCommand({ clusterName: fc }));
    const inZone = (zone: string) => [{ name: "ecs.availability-zone", value: zone }, { name: "ecs.os-type", value: "linux" }];
    const a = await registerInstanceOverGrpc(t.grpcAddress, { cluster: fc, attributes: inZone("zone-a") });
    const b = await registerInstanceOverGrpc(t.grpcAddress, { cluster: fc, attributes: inZone("zone-b") });
    const listed = async (filter: string) => (await t.ecs.send(new ListContainerInstancesCommand({ cluster: fc, filter }))).containerInstanceArns;
    expect(await listed("attribute:ecs.availability-zone == zone-a")).toEqual([a]);
    expect((await listed("attribute:ecs.availability-zone in [zone-a, zone-b]"))?.sort()).toEqual([a, b].sort());
    expect(await listed("attribute:ecs.availability-zone == zone-c")).toEqual([]);
    // neither instance has a session, so neither agent is connected
    expect(await listed("agentConnected == true")).toEqual([]);
    await expect(t.ecs.send(new ListContainerInstancesCommand({ cluster: fc, filter: "attribute:ecs.os-type ==" }))).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: expect.stringMatching(/^filter: /),
    });
  });
});

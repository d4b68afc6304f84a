import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type Tag,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { TEST_IMAGE } from "../support/image.js";

// TagResource, UntagResource and ListTagsForResource on every taggable kind, through the JS SDK
// and boto3, against a control plane with one real agent (so there is a task and an instance).
const run = promisify(execFile);
const cluster = `tags-${process.pid}`;
const arnOf = (resource: string) => `arn:aws:ecs:us-east-1:000000000000:${resource}`;
let host: SingleHost;
let t: TestControlPlane;
const arns: Record<string, string> = {};

const list = async (resourceArn: string) => (await t.ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags;
const tag = (resourceArn: string, tags: Tag[]) => t.ecs.send(new TagResourceCommand({ resourceArn, tags }));
const untag = (resourceArn: string, tagKeys: string[]) => t.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys }));

// What each kind's Describe shows with include TAGS, the way a user would read the tags back.
const described: Record<string, (arn: string) => Promise<Tag[] | undefined>> = {
  cluster: async (arn) => (await t.ecs.send(new DescribeClustersCommand({ clusters: [arn], include: ["TAGS"] }))).clusters![0].tags,
  taskDefinition: async (arn) => (await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }))).tags,
  service: async (arn) => (await t.ecs.send(new DescribeServicesCommand({ cluster, services: [arn], include: ["TAGS"] }))).services![0].tags,
  task: async (arn) => (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn], include: ["TAGS"] }))).tasks![0].tags,
  instance: async (arn) => (await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn], include: ["TAGS"] }))).containerInstances![0].tags,
};

beforeAll(async () => {
  host = await startSingleHost(cluster);
  t = host.t;
  arns.cluster = arnOf(`cluster/${cluster}`);
  const td = await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "tagged",
      networkMode: "bridge",
      containerDefinitions: [{ name: "app", image: TEST_IMAGE, memory: 16, command: ["sleep", "600"] }],
      tags: [{ key: "origin", value: "register" }],
    }),
  );
  arns.taskDefinition = td.taskDefinition!.taskDefinitionArn!;
  const svc = await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "idle", taskDefinition: "tagged", desiredCount: 0, tags: [{ key: "origin", value: "create" }] }));
  arns.service = svc.service!.serviceArn!;
  const task = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "tagged", tags: [{ key: "origin", value: "run" }] }));
  expect(task.failures).toEqual([]);
  arns.task = task.tasks![0].taskArn!;
  arns.instance = (await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns![0];
});

afterAll(async () => {
  await t?.ecs.send(new DeleteServiceCommand({ cluster, service: "idle", force: true })).catch(() => undefined);
  await host?.stop();
});

describe("TagResource, UntagResource, ListTagsForResource", () => {
  it.each<[string, Tag[]]>([
    // CreateCluster in startSingleHost gave none
    ["cluster", []],
    // RegisterTaskDefinition's tags
    ["taskDefinition", [{ key: "origin", value: "register" }]],
    // CreateService's tags
    ["service", [{ key: "origin", value: "create" }]],
    // RunTask's tags
    ["task", [{ key: "origin", value: "run" }]],
    // the agent registered the instance without tags
    ["instance", []],
  ])("round trip on a %s", async (kind, initial) => {
    const arn = arns[kind];
    expect(await list(arn)).toEqual(initial);
    await tag(arn, [{ key: "team", value: "core" }, { key: "cost center", value: "42" }, { key: "flag" }]);
    const added = [...initial, { key: "team", value: "core" }, { key: "cost center", value: "42" }, { key: "flag", value: "" }];
    expect(await list(arn)).toEqual(added);
    // a key already there takes the new value in place
    await tag(arn, [{ key: "team", value: "edge" }]);
    await untag(arn, ["cost center", "never-set"]);
    const want = [...initial, { key: "team", value: "edge" }, { key: "flag", value: "" }];
    expect(await list(arn)).toEqual(want);
    expect(await described[kind](arn)).toEqual(want);
    await untag(arn, ["team", "flag"]);
    expect(await list(arn)).toEqual(initial);
  });

  it("counts existing plus new less replaced keys against the 50, and writes nothing past it", async () => {
    const arn = arns.cluster;
    const fill = Array.from({ length: 49 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    await tag(arn, fill);
    // one new and one replaced: 50 exactly
    await tag(arn, [{ key: "k0", value: "replaced" }, { key: "last", value: "v" }]);
    expect(await list(arn)).toHaveLength(50);
    const err = await tag(arn, [{ key: "k1", value: "x" }, { key: "one-too-many", value: "v" }]).catch((e: Error) => e);
    expect(err).toMatchObject({ name: "LimitExceededException" });
    expect((err as Error).message).toMatch(/would carry 51 tags; at most 50/);
    const after = await list(arn);
    expect(after).toHaveLength(50);
    expect(after?.find((x) => x.key === "k1")?.value).toBe("v");
    await untag(arn, after!.map((x) => x.key!));
    expect(await list(arn)).toEqual([]);
  });

  it.each<[string, () => Promise<unknown>, string, RegExp]>([
    // a cluster that does not exist
    ["unknown cluster", () => tag(arnOf("cluster/nowhere"), [{ key: "a", value: "b" }]), "ClusterNotFoundException", /nowhere/],
    // a task ARN in a cluster that does not exist
    ["task of unknown cluster", () => list(arnOf("task/nowhere/0123")), "ClusterNotFoundException", /nowhere/],
    // no such task in the cluster
    ["unknown task", () => tag(arnOf(`task/${cluster}/deadbeef`), [{ key: "a", value: "b" }]), "ResourceNotFoundException", /task deadbeef/],
    // no such revision
    ["unknown revision", () => untag(arnOf("task-definition/tagged:99"), ["a"]), "ResourceNotFoundException", /tagged:99/],
    // ListTagsForResource has no ResourceNotFoundException in the model: an invalid ARN
    ["list unknown service", () => list(arnOf(`service/${cluster}/nope`)), "InvalidParameterException", /service nope/],
    // ECS tags only long ARNs
    ["short service ARN", () => tag(arnOf("service/idle"), [{ key: "a", value: "b" }]), "InvalidParameterException", /Long arn format must be used for tagging operations/],
    // not an ARN at all
    ["name", () => list(cluster), "InvalidParameterException", /is not an ECS resource ARN/],
    // users may not set ECS's own tags
    ["aws: key", () => tag(arns.task, [{ key: "aws:ecs:clusterName", value: "x" }]), "InvalidParameterException", /tags\[0\]\.key: the aws: prefix is reserved/],
    // nor remove them
    ["untag aws: key", () => untag(arns.task, ["AWS:anything"]), "InvalidParameterException", /tagKeys\[0\]: the aws: prefix is reserved/],
    // characters outside ECS's set
    ["bad character", () => tag(arns.task, [{ key: "a", value: "b" }, { key: "x#y", value: "v" }]), "InvalidParameterException", /tags\[1\]\.key: 'x#y' may contain only/],
    // one key twice in a request
    ["duplicate key", () => tag(arns.task, [{ key: "a", value: "1" }, { key: "a", value: "2" }]), "InvalidParameterException", /appears more than once/],
  ])("refuses %s", async (_name, call, type, message) => {
    const before = await list(arns.task);
    const err = await call().catch((e: Error) => e);
    expect(err).toMatchObject({ name: type });
    expect((err as Error).message).toMatch(message);
    expect(await list(arns.task)).toEqual(before);
  });

  it("refuses bad tags on create, and creates nothing", async () => {
    const err = await t.ecs.send(new CreateClusterCommand({ clusterName: "bad-tags", tags: [{ key: "aws:x", value: "y" }] })).catch((e: Error) => e);
    expect(err).toMatchObject({ name: "InvalidParameterException" });
    const d = await t.ecs.send(new DescribeClustersCommand({ clusters: ["bad-tags"] }));
    expect(d.failures?.[0]?.reason).toBe("MISSING");
    const reg = await t.ecs
      .send(new RegisterTaskDefinitionCommand({ family: "bad-tags", containerDefinitions: [{ name: "a", image: TEST_IMAGE, memory: 16 }], tags: [{ key: "k*", value: "v" }] }))
      .catch((e: Error) => e);
    expect(reg).toMatchObject({ name: "InvalidParameterException" });
    await expect(t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "bad-tags" }))).rejects.toMatchObject({ name: "ClientException" });
  });

  it("round-trips through boto3 on every kind, and runs a task with propagated and managed tags", async () => {
    const script = `import boto3, json, sys
c = boto3.client("ecs", endpoint_url="${t.endpoint}", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
out = {}
for kind, arn in json.loads(sys.argv[1]).items():
    c.tag_resource(resourceArn=arn, tags=[{"key": "py", "value": kind}, {"key": "gone", "value": "x"}])
    c.untag_resource(resourceArn=arn, tagKeys=["gone"])
    out[kind] = c.list_tags_for_resource(resourceArn=arn)["tags"]
    c.untag_resource(resourceArn=arn, tagKeys=["py"])
try:
    c.tag_resource(resourceArn=json.loads(sys.argv[1])["task"], tags=[{"key": "aws:mine", "value": "x"}])
except c.exceptions.InvalidParameterException as e:
    out["refused"] = e.response["Error"]["Code"]
ran = c.run_task(cluster="${cluster}", taskDefinition="tagged", propagateTags="TASK_DEFINITION", enableECSManagedTags=True, tags=[{"key": "py", "value": "run"}])
arn = ran["tasks"][0]["taskArn"]
out["runTags"] = c.describe_tasks(cluster="${cluster}", tasks=[arn], include=["TAGS"])["tasks"][0]["tags"]
try:
    c.run_task(cluster="${cluster}", taskDefinition="tagged", capacityProviderStrategy=[{"capacityProvider": "FARGATE"}])
except c.exceptions.InvalidParameterException as e:
    out["capacityProvider"] = e.response["Error"]["Code"]
c.stop_task(cluster="${cluster}", task=arn)
print(json.dumps(out))`;
    const { stdout } = await run("/usr/bin/python3", ["-c", script, JSON.stringify(arns)]);
    const out = JSON.parse(stdout) as Record<string, Tag[] | string>;
    const initial: Record<string, Tag[]> = { cluster: [], taskDefinition: [{ key: "origin", value: "register" }], service: [{ key: "origin", value: "create" }], task: [{ key: "origin", value: "run" }], instance: [] };
    for (const kind of Object.keys(arns)) expect(out[kind]).toEqual([...initial[kind], { key: "py", value: kind }]);
    expect(out.refused).toBe("InvalidParameterException");
    expect(out.runTags).toEqual([{ key: "origin", value: "register" }, { key: "py", value: "run" }, { key: "aws:ecs:clusterName", value: cluster }]);
    expect(out.capacityProvider).toBe("InvalidParameterException");
    for (const kind of Object.keys(arns)) expect(await list(arns[kind])).toEqual(initial[kind]);
  });
});

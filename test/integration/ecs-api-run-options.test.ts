import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  UpdateServiceCommand,
  type RunTaskCommandInput,
  type Tag,
  type Task,
} from "@aws-sdk/client-ecs";
import { keys, type RunTokenRecord } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { TEST_IMAGE } from "../support/image.js";

// RunTask, StartTask and services with tag propagation, ECS managed tags and execute command,
// and every RunTask option berth refuses instead of ignoring, against one real agent.
const cluster = `runopts-${process.pid}`;
let host: SingleHost;
let t: TestControlPlane;
let instanceArn: string;
const tdTags: Tag[] = [{ key: "team", value: "from-td" }, { key: "tier", value: "web" }];

const describeTask = async (arn: string): Promise<Task> =>
  (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn], include: ["TAGS"] }))).tasks![0];
const byKey = (tags: Tag[] | undefined) => Object.fromEntries((tags ?? []).map((x) => [x.key, x.value]));

async function taskCount(): Promise<number> {
  const [running, stopped] = await Promise.all(
    (["RUNNING", "STOPPED"] as const).map(async (desiredStatus) => (await t.ecs.send(new ListTasksCommand({ cluster, desiredStatus }))).taskArns!.length),
  );
  return running + stopped;
}

beforeAll(async () => {
  host = await startSingleHost(cluster);
  t = host.t;
  const containerDefinitions = [{ name: "app", image: TEST_IMAGE, memory: 16, command: ["sleep", "600"] }];
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "opts", networkMode: "bridge", containerDefinitions, tags: tdTags }));
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "opts-host", networkMode: "host", containerDefinitions }));
  instanceArn = (await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns![0];
});

afterAll(async () => {
  await t?.ecs.send(new DeleteServiceCommand({ cluster, service: "tagged-svc", force: true })).catch(() => undefined);
  await host?.stop();
});

describe("tags on the tasks RunTask and StartTask launch", () => {
  it("RunTask with propagateTags TASK_DEFINITION and managed tags: the request's tags win, the cluster tag follows", async () => {
    const res = await t.ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: "opts",
        propagateTags: "TASK_DEFINITION",
        enableECSManagedTags: true,
        enableExecuteCommand: true,
        tags: [{ key: "team", value: "from-run" }, { key: "job", value: "nightly" }],
      }),
    );
    expect(res.failures).toEqual([]);
    expect(res.tasks?.[0].enableExecuteCommand).toBe(true);
    const task = await describeTask(res.tasks![0].taskArn!);
    expect(task.tags).toEqual([
      { key: "team", value: "from-run" },
      { key: "tier", value: "web" },
      { key: "job", value: "nightly" },
      { key: "aws:ecs:clusterName", value: cluster },
    ]);
    expect(task.enableExecuteCommand).toBe(true);
    // DescribeTasks leaves tags out unless asked
    const plain = (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [task.taskArn!] }))).tasks![0];
    expect(plain.tags).toBeUndefined();
  });

  it("RunTask without propagateTags carries only its own tags", async () => {
    const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "opts", tags: [{ key: "only", value: "mine" }] }));
    const task = await describeTask(res.tasks![0].taskArn!);
    expect(task.tags).toEqual([{ key: "only", value: "mine" }]);
    expect(task.enableExecuteCommand).toBe(false);
  });

  it("StartTask propagates the same way onto the instance it names", async () => {
    const res = await t.ecs.send(
      new StartTaskCommand({ cluster, taskDefinition: "opts", containerInstances: [instanceArn], propagateTags: "TASK_DEFINITION", enableECSManagedTags: true, startedBy: "batch/42" }),
    );
    expect(res.failures).toEqual([]);
    const task = await describeTask(res.tasks![0].taskArn!);
    expect(byKey(task.tags)).toEqual({ team: "from-td", tier: "web", "aws:ecs:clusterName": cluster });
    expect(task.startedBy).toBe("batch/42");
  });
});

describe("a service's tasks", () => {
  it("carry the service's tags and aws:ecs:serviceName; UpdateService changes what new tasks get", async () => {
    const created = await t.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: "tagged-svc",
        taskDefinition: "opts",
        desiredCount: 1,
        propagateTags: "SERVICE",
        enableECSManagedTags: true,
        enableExecuteCommand: true,
        tags: [{ key: "team", value: "from-service" }, { key: "svc", value: "yes" }],
      }),
    );
    expect(created.service).toMatchObject({ propagateTags: "SERVICE", enableECSManagedTags: true, enableExecuteCommand: true });
    const first = await eventually("the service's task", async () => {
      const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: "tagged-svc" }))).taskArns ?? [];
      return arns.length === 1 ? describeTask(arns[0]) : undefined;
    });
    expect(first.tags).toEqual([
      { key: "team", value: "from-service" },
      { key: "svc", value: "yes" },
      { key: "aws:ecs:clusterName", value: cluster },
      { key: "aws:ecs:serviceName", value: "tagged-svc" },
    ]);
    expect(first.enableExecuteCommand).toBe(true);

    const updated = await t.ecs.send(
      new UpdateServiceCommand({ cluster, service: "tagged-svc", propagateTags: "TASK_DEFINITION", enableECSManagedTags: false, enableExecuteCommand: false, desiredCount: 2 }),
    );
    expect(updated.service).toMatchObject({ propagateTags: "TASK_DEFINITION", enableECSManagedTags: false, enableExecuteCommand: false });
    // no new deployment for these settings: the scale-up is the PRIMARY deployment's
    expect(updated.service?.deployments).toHaveLength(1);
    const second = await eventually("the second task", async () => {
      const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: "tagged-svc" }))).taskArns ?? [];
      const other = arns.find((a) => a !== first.taskArn);
      return other ? describeTask(other) : undefined;
    });
    expect(second.tags).toEqual(tdTags);
    expect(second.enableExecuteCommand).toBe(false);
    // tasks already running keep what they were started with
    expect((await describeTask(first.taskArn!)).tags).toEqual(first.tags);
    const d = (await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["tagged-svc"] }))).services![0];
    expect(d).toMatchObject({ propagateTags: "TASK_DEFINITION", enableECSManagedTags: false, enableExecuteCommand: false });
  });
});

describe("RunTask clientToken", () => {
  it("answers a repeat with the same tasks and refuses the token for another request", async () => {
    const before = await taskCount();
    const req = { cluster, taskDefinition: "opts", count: 2, clientToken: `tok/${process.pid}:1`, startedBy: "idem" };
    const first = await t.ecs.send(new RunTaskCommand(req));
    const arns = first.tasks!.map((x) => x.taskArn).sort();
    expect(arns).toHaveLength(2);
    // the same request again, members in another order: the same two tasks, none started
    const again = await t.ecs.send(new RunTaskCommand({ startedBy: "idem", clientToken: req.clientToken, count: 2, taskDefinition: "opts", cluster }));
    expect(again.tasks!.map((x) => x.taskArn).sort()).toEqual(arns);
    expect(await taskCount()).toBe(before + 2);
    // the token with a different request: ECS's ConflictException naming the tasks
    const err = await t.ecs.send(new RunTaskCommand({ ...req, count: 1 })).catch((e: Error) => e);
    expect(err).toMatchObject({ name: "ConflictException" });
    expect([...((err as { resourceIds?: string[] }).resourceIds ?? [])].sort()).toEqual(arns);
    expect(await taskCount()).toBe(before + 2);
    // another token starts tasks as usual
    const other = await t.ecs.send(new RunTaskCommand({ ...req, count: 1, clientToken: `tok-${process.pid}-2` }));
    expect(other.tasks).toHaveLength(1);
    expect(await taskCount()).toBe(before + 3);
  });

  it("a repeat after a first call that died before recording its answer finds that call's tasks", async () => {
    const req = { cluster, taskDefinition: "opts", count: 1, clientToken: `tok-${process.pid}-died`, startedBy: "idem" };
    const first = await t.ecs.send(new RunTaskCommand(req));
    // What a control plane that crashed between placing and recording leaves: an unfinished
    // claim, older than the claim timeout.
    const store = t.cp.ctx.store;
    const [claim] = (await store.kv.list<RunTokenRecord>(keys.runToken(cluster, ""))).items.filter((i) => i.value.done && i.value.taskArns[0] === first.tasks![0].taskArn);
    await store.runTokens.update({ ...claim.value, done: false, taskArns: [], createdAtMs: Date.now() - 60_000 }, claim.modRevision);
    const before = await taskCount();
    const again = await t.ecs.send(new RunTaskCommand(req));
    expect(again.tasks!.map((x) => x.taskArn)).toEqual([first.tasks![0].taskArn]);
    expect(await taskCount()).toBe(before);
  });
});

describe("RunTask refuses what it cannot honour, and starts nothing", () => {
  it.each<[string, Partial<RunTaskCommandInput>, string, RegExp]>([
    // a capacity provider the cluster does not have
    ["capacity provider", { capacityProviderStrategy: [{ capacityProvider: "cp", weight: 1 }] }, "InvalidParameterException", /capacity provider that is not associated with the cluster/],
    // FARGATE_SPOT is there, but a bridge definition is no Fargate one
    ["FARGATE_SPOT with bridge", { capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }, "InvalidParameterException", /^Task definition does not support launch_type FARGATE\. Fargate only supports network mode 'awsvpc'\.$/],
    // ECS refuses a launch type with a strategy
    ["launchType and strategy", { launchType: "EC2", capacityProviderStrategy: [{ capacityProvider: "cp" }] }, "InvalidParameterException", /^Specifying both a launch type and capacity provider strategy is not supported/],
    // a bridge task takes no network configuration
    ["network configuration on bridge", { networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } } }, "InvalidParameterException", /^Network Configuration is not valid for the given networkMode of this task definition\.$/],
    // nor a host task
    ["network configuration on host", { taskDefinition: "opts-host", networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } } }, "InvalidParameterException", /^Network Configuration is not valid/],
    // Fargate's platform versions, on an EC2 task
    ["platformVersion", { platformVersion: "1.4.0" }, "InvalidParameterException", /^The platform version must be null when specifying an EC2 launch type\.$/],
    // EBS volumes at launch
    ["volumeConfigurations", { volumeConfigurations: [{ name: "data", managedEBSVolume: { roleArn: "arn:aws:iam::1:role/r", sizeInGiB: 1 } }] }, "InvalidParameterException", /^volumeConfigurations:/],
    // startedBy's characters
    ["startedBy", { startedBy: "job #1" }, "InvalidParameterException", /^startedBy: up to 128 letters/],
    // startedBy's length
    ["long startedBy", { startedBy: "a".repeat(129) }, "InvalidParameterException", /^startedBy:/],
    // a group posing as a service's
    ["service group", { group: "service:tagged-svc" }, "InvalidParameterException", /^group: 'service:tagged-svc' is reserved/],
    // group characters
    ["group", { group: "a b" }, "InvalidParameterException", /^group:/],
    // no service to propagate from
    ["propagate SERVICE", { propagateTags: "SERVICE" }, "InvalidParameterException", /^propagateTags: SERVICE is only for tasks a service starts/],
    // Managed Instances
    ["MANAGED_INSTANCES", { launchType: "MANAGED_INSTANCES" }, "InvalidParameterException", /^launchType: MANAGED_INSTANCES/],
    // a bad client token
    ["clientToken", { clientToken: "has space" }, "InvalidParameterException", /^clientToken:/],
    // ECS's reserved tag prefix
    ["aws: tag", { tags: [{ key: "aws:ecs:clusterName", value: "x" }] }, "InvalidParameterException", /^tags\[0\]\.key: the aws: prefix is reserved/],
    // the definition's 2 tags plus 49 of its own: 51
    ["too many tags", { propagateTags: "TASK_DEFINITION", tags: Array.from({ length: 49 }, (_, i) => ({ key: `k${i}`, value: "v" })) }, "InvalidParameterException", /the task would carry 51 tags/],
  ])("%s", async (_name, over, type, message) => {
    const before = await taskCount();
    const err = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "opts", ...over } as RunTaskCommandInput)).catch((e: Error) => e);
    expect(err).toMatchObject({ name: type });
    expect((err as Error).message).toMatch(message);
    expect(await taskCount()).toBe(before);
  });

  it("StartTask refuses the same options", async () => {
    const before = await taskCount();
    await expect(
      t.ecs.send(new StartTaskCommand({ cluster, taskDefinition: "opts", containerInstances: [instanceArn], networkConfiguration: { awsvpcConfiguration: { subnets: ["s"] } } })),
    ).rejects.toMatchObject({ name: "InvalidParameterException", message: "Network Configuration is not valid for the given networkMode of this task definition." });
    await expect(t.ecs.send(new StartTaskCommand({ cluster, taskDefinition: "opts", containerInstances: [instanceArn], propagateTags: "SERVICE" }))).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    expect(await taskCount()).toBe(before);
  });

  it("CreateService refuses a capacity provider strategy with the same error", async () => {
    await expect(
      t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "cp-svc", taskDefinition: "opts", desiredCount: 1, capacityProviderStrategy: [{ capacityProvider: "cp" }] })),
    ).rejects.toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(/not associated with the cluster/) });
  });
});

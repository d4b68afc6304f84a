import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerDefinition,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { holdSession, registerInstanceOverGrpc, type HeldSession } from "../support/grpc-agent.js";

// Placement and bookkeeping through the ECS API against an instance registered over the real
// gRPC API, whose session the test holds itself: nothing runs, so every number is the control
// plane's own.
let t: TestControlPlane;
let instanceArn: string;
let session: HeldSession | undefined;
const cluster = "placement";

beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(async () => {
  session?.close();
  await t?.stop();
});

const register = (family: string, containers: ContainerDefinition[], networkMode: "bridge" | "host" = "bridge") =>
  t.ecs.send(new RegisterTaskDefinitionCommand({ family, networkMode, containerDefinitions: containers }));
const resource = (list: { name?: string; integerValue?: number; stringSetValue?: string[] }[] | undefined, name: string) => list?.find((r) => r.name === name);

describe("clusters, placement failures and instance bookkeeping", () => {
  it("creates, lists and describes a cluster", async () => {
    const res = await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    expect(res.cluster).toMatchObject({ clusterName: cluster, status: "ACTIVE", clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}` });
    // CreateCluster is idempotent, as in ECS
    await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    expect((await t.ecs.send(new ListClustersCommand({}))).clusterArns).toContain(res.cluster!.clusterArn);
    const desc = await t.ecs.send(new DescribeClustersCommand({ clusters: [cluster, "missing"] }));
    expect(desc.clusters?.[0].registeredContainerInstancesCount).toBe(0);
    expect(desc.failures).toEqual([{ arn: "arn:aws:ecs:us-east-1:000000000000:cluster/missing", reason: "MISSING" }]);
  });

  it("refuses RunTask with no container instances", async () => {
    await register("small", [{ name: "web", image: "berth-test/busybox:latest", memory: 128, portMappings: [{ containerPort: 80, hostPort: 8080 }] }]);
    await expect(t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "small" }))).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "No Container Instances were found in your cluster.",
    });
  });

  it("reports RESOURCE:MEMORY, RESOURCE:CPU and RESOURCE:PORTS per instance when nothing fits", async () => {
    instanceArn = await registerInstanceOverGrpc(t.grpcAddress, {
      cluster,
      registered: { cpu: 1024, memory: 1024, ports: [22, 2375, 2376, 51678, 51679], portsUdp: [] },
    });
    session = await holdSession(t.grpcAddress, cluster, instanceArn);
    await register("big", [{ name: "a", image: "x", memory: 2048 }]);
    await register("hog", [{ name: "a", image: "x", memory: 64, cpu: 4096 }]);
    await register("ssh", [{ name: "a", image: "x", memory: 64, portMappings: [{ containerPort: 22, hostPort: 22 }] }]);
    for (const [family, reason] of [["big", "RESOURCE:MEMORY"], ["hog", "RESOURCE:CPU"], ["ssh", "RESOURCE:PORTS"]]) {
      const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
      expect(res.tasks).toEqual([]);
      expect(res.failures).toEqual([{ arn: instanceArn, reason }]);
    }
  });

  it("places what fits and fails the rest: two tasks wanting host port 8080 on one instance", async () => {
    const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "small", count: 2, startedBy: "tester" }));
    expect(res.tasks).toHaveLength(1);
    expect(res.failures).toEqual([{ arn: instanceArn, reason: "RESOURCE:PORTS" }]);
    const task = res.tasks![0];
    expect(task).toMatchObject({ lastStatus: "PENDING", desiredStatus: "RUNNING", containerInstanceArn: instanceArn, startedBy: "tester", group: "family:small" });
    expect(task.taskArn).toMatch(new RegExp(`^arn:aws:ecs:us-east-1:000000000000:task/${cluster}/[0-9a-f]{32}$`));

    const ci = (await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [instanceArn] }))).containerInstances![0];
    expect(resource(ci.registeredResources, "MEMORY")?.integerValue).toBe(1024);
    expect(resource(ci.remainingResources, "MEMORY")?.integerValue).toBe(1024 - 128);
    expect(resource(ci.remainingResources, "PORTS")?.stringSetValue).toContain("8080");
    expect(ci).toMatchObject({ status: "ACTIVE", agentConnected: true, pendingTasksCount: 1, runningTasksCount: 0 });
    // the session was handed the task
    expect(session!.payloads.flatMap((p) => p.tasks).map((x) => x.taskArn)).toContain(task.taskArn);
  });

  it("lists and describes tasks with ECS's filters", async () => {
    const all = await t.ecs.send(new ListTasksCommand({ cluster }));
    expect(all.taskArns).toHaveLength(1);
    expect((await t.ecs.send(new ListTasksCommand({ cluster, family: "small" }))).taskArns).toEqual(all.taskArns);
    expect((await t.ecs.send(new ListTasksCommand({ cluster, family: "big" }))).taskArns).toEqual([]);
    expect((await t.ecs.send(new ListTasksCommand({ cluster, startedBy: "tester" }))).taskArns).toEqual(all.taskArns);
    expect((await t.ecs.send(new ListTasksCommand({ cluster, containerInstance: instanceArn }))).taskArns).toEqual(all.taskArns);
    expect((await t.ecs.send(new ListTasksCommand({ cluster, desiredStatus: "STOPPED" }))).taskArns).toEqual([]);
    const desc = await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [all.taskArns![0], "0123456789abcdef0123456789abcdef"] }));
    expect(desc.tasks?.[0].containers?.[0]).toMatchObject({ name: "web", lastStatus: "PENDING", image: "berth-test/busybox:latest" });
    expect(desc.failures).toEqual([{ arn: "0123456789abcdef0123456789abcdef", reason: "MISSING" }]);
  });

  it("stops a task by id: desired STOPPED with the user's reason", async () => {
    const [arn] = (await t.ecs.send(new ListTasksCommand({ cluster }))).taskArns!;
    const res = await t.ecs.send(new StopTaskCommand({ cluster, task: arn.split("/").pop(), reason: "done testing" }));
    expect(res.task).toMatchObject({ desiredStatus: "STOPPED", stoppedReason: "done testing", stopCode: "UserInitiated" });
    expect((await t.ecs.send(new ListTasksCommand({ cluster, desiredStatus: "STOPPED" }))).taskArns).toEqual([arn]);
  });

  it("refuses deleting a cluster with instances, deregisters (force), then deletes", async () => {
    await expect(t.ecs.send(new DeleteClusterCommand({ cluster }))).rejects.toMatchObject({ name: "ClusterContainsContainerInstancesException" });
    await expect(t.ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: instanceArn }))).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    const res = await t.ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: instanceArn, force: true }));
    expect(res.containerInstance?.status).toBe("INACTIVE");
    expect((await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns).toEqual([]);
    const [arn] = (await t.ecs.send(new ListTasksCommand({ cluster, desiredStatus: "STOPPED" }))).taskArns!;
    const task = (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
    expect(task.lastStatus).toBe("STOPPED");
    const deleted = await t.ecs.send(new DeleteClusterCommand({ cluster }));
    expect(deleted.cluster?.status).toBe("INACTIVE");
    expect((await t.ecs.send(new DescribeClustersCommand({ clusters: [cluster] }))).clusters?.[0].status).toBe("INACTIVE");
  });
});

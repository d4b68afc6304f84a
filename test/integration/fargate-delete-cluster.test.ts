import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { core, keys } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, removeDir, startTestAgent, startTestControlPlane, type TestAgent, type TestControlPlane } from "../support/berth.js";
import { removeContainersByLabel } from "../support/docker.js";
import { TEST_IMAGE } from "../support/image.js";

// DeleteCluster with only Fargate capacity: ECS deletes such a cluster (Fargate is no container
// instance), so berth's Fargate agent does not block it; the agent is deregistered, its session
// ends, and it serves the cluster again as a new instance once a cluster of that name is back.
// The default cluster, which an EC2 agent would create again on its own: a Fargate agent must not.
// (This control plane has an etcd of its own, so its "default" is no one else's.)
const cluster = "default";
const ran: string[] = [];
const network = { awsvpcConfiguration: { subnets: [core.defaultSubnets("us-east-1")[0].subnetId] } };
let t: TestControlPlane;
let agent: TestAgent;

const instances = async () => (await t.cp.ctx.store.instances.list(keys.instances(cluster))).items.map((i) => i.value);
const sessionHeld = async (id: string) => (await t.cp.ctx.store.kv.get(keys.session(cluster, id))) !== undefined;

/** The one live (not INACTIVE) Fargate agent of the cluster, once its session is open. */
const connectedAgent = () =>
  eventually("the Fargate agent to connect", async () => {
    const live = (await instances()).filter((i) => i.status !== "INACTIVE");
    return live.length === 1 && live[0].agentConnected && (await sessionHeld(live[0].id)) ? live[0] : undefined;
  }, 40_000);

beforeAll(async () => {
  t = await startTestControlPlane();
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: { BERTH_AGENT_FARGATE: "1", BERTH_AVAILABILITY_ZONE: "us-east-1a", ECS_CONTAINER_STOP_TIMEOUT: "1s" } });
  await connectedAgent();
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({ family: "fg-del", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512", containerDefinitions: [{ name: "app", image: TEST_IMAGE, command: ["sleep", "600"], stopTimeout: 1 }] }),
  );
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await t?.stop();
  // Only this file's tasks: other tests on the engine have clusters named default too.
  for (const arn of ran) await removeContainersByLabel(`com.amazonaws.ecs.task-arn=${arn}`);
  if (agent) await removeDir(agent.dataDir);
});

async function runAndStop(): Promise<string> {
  const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "fg-del", launchType: "FARGATE", networkConfiguration: network }));
  expect(res.failures).toEqual([]);
  const arn = res.tasks![0].taskArn!;
  ran.push(arn);
  await eventually("the Fargate task to run", async () => ((await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0].lastStatus === "RUNNING" ? true : undefined), 40_000);
  return arn;
}

describe("DeleteCluster with a Fargate agent registered", () => {
  it("refuses while a Fargate task runs (tasks, not instances), then deletes and ends the agent's session", async () => {
    const first = await connectedAgent();
    expect((await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns).toEqual([]);
    const arn = await runAndStop();
    await expect(t.ecs.send(new DeleteClusterCommand({ cluster }))).rejects.toMatchObject({ name: "ClusterContainsTasksException" });
    // Refused: nothing changed, the agent still serves the cluster.
    expect((await connectedAgent()).id).toBe(first.id);
    await t.ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await eventually("the task to stop", async () => ((await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0].lastStatus === "STOPPED" ? true : undefined), 30_000);

    const deleted = await t.ecs.send(new DeleteClusterCommand({ cluster }));
    expect(deleted.cluster).toMatchObject({ clusterName: cluster, status: "INACTIVE" });
    expect((await t.ecs.send(new DescribeClustersCommand({ clusters: [cluster] }))).clusters![0].status).toBe("INACTIVE");
    // The agent is deregistered and its session ended, as DeregisterContainerInstance ends one.
    const after = (await instances()).find((i) => i.id === first.id)!;
    expect(after.status).toBe("INACTIVE");
    await eventually("the agent's session to end", async () => (!(await sessionHeld(first.id)) ? true : undefined), 15_000);
    // It keeps trying (the cluster is gone) without registering anything, and stays alive.
    await eventually("the agent to be refused", async () => (agent.output().includes(cluster) && /ClusterNotFoundException|not found/i.test(agent.output()) ? true : undefined), 20_000);
    expect((await instances()).filter((i) => i.status !== "INACTIVE")).toEqual([]);
    expect(agent.child.exitCode).toBeNull();
    // The agent's tries did not bring the default cluster back (an EC2 agent's would).
    expect((await t.ecs.send(new DescribeClustersCommand({ clusters: [cluster] }))).clusters![0].status).toBe("INACTIVE");
  }, 90_000);

  it("serves the cluster again, as a new instance, once a cluster of that name is created again", async () => {
    const gone = (await instances()).map((i) => i.id);
    await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const back = await connectedAgent();
    expect(gone).not.toContain(back.id);
    const arn = await runAndStop();
    expect((await t.cp.ctx.store.tasks.get(cluster, arn.split("/").pop()!))!.value.containerInstanceId).toBe(back.id);
    await t.ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await eventually("the task to stop", async () => ((await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0].lastStatus === "STOPPED" ? true : undefined), 30_000);
  }, 90_000);
});

import { execFile } from "node:child_process";
import {
  CreateCapacityProviderCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  PutClusterCapacityProvidersCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ecsClient, eventually } from "../support/berth.js";
import { berthBin, dockerCommand } from "../support/berth-cli.js";
import { report } from "../support/cluster-services.js";
import { freePort } from "../support/ports.js";

// Cluster auto scaling on berth's own Docker-in-Docker nodes: `berth cluster create
// --autoscaling` gives the control plane the Docker socket and `berth cluster node-provider`
// as its node provider. A task that fits nowhere (the provider has no node yet) waits in
// PROVISIONING, managed scaling adds a node container that joins with the provider's
// attribute, the task runs there; once it stops, the idle node is drained, its container and
// volume removed and its instance deregistered. The first node (no provider) stays.
const name = `cas${process.pid}`;
let apiPort: number;
let ecs: ECSClient;

/** The built CLI, with managed scaling's waits shortened for the control plane it creates. */
function berth(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DOCKER_API_VERSION: "1.41", BERTH_CLUSTER_SCALE_IN_AFTER_MS: "2000", BERTH_CLUSTER_SCALING_INTERVAL_MS: "500" };
  return new Promise((resolve) => {
    execFile(process.execPath, [berthBin, ...args], { env, timeout: 600_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Node name of each ACTIVE container instance in ECS cluster default. */
async function nodeNames(): Promise<string[]> {
  const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster: "default" }))).containerInstanceArns ?? [];
  if (arns.length === 0) return [];
  const described = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: "default", containerInstances: arns }))).containerInstances ?? [];
  return described.map((ci) => ci.attributes!.find((a) => a.name === "berth.node")!.value!).sort();
}

beforeAll(async () => {
  apiPort = await freePort();
  const started = Date.now();
  const created = await berth("cluster", "create", "--name", name, "--nodes", "1", "--api-port", String(apiPort), "--autoscaling");
  expect(created.code, created.stderr).toBe(0);
  report("cluster create --autoscaling with 1 node", started);
  ecs = ecsClient(`http://127.0.0.1:${apiPort}`);
}, 600_000);

afterAll(async () => {
  ecs?.destroy();
  const deleted = await berth("cluster", "delete", "--name", name);
  if (deleted.code !== 0) console.error(deleted.stderr);
});

describe("cluster auto scaling on Docker-in-Docker nodes", () => {
  it("adds a node for a task that fits nowhere and removes it once idle", async () => {
    await ecs.send(
      new CreateCapacityProviderCommand({
        name: "dind",
        autoScalingGroupProvider: {
          autoScalingGroupArn: "berth-dind",
          managedScaling: { status: "ENABLED", targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 2, instanceWarmupPeriod: 60 },
          managedTerminationProtection: "ENABLED",
        },
      }),
    );
    await ecs.send(new PutClusterCapacityProvidersCommand({ cluster: "default", capacityProviders: ["dind"], defaultCapacityProviderStrategy: [{ capacityProvider: "dind", weight: 1 }] }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "cas-dind",
        containerDefinitions: [{ name: "main", image: "berth-test/busybox:latest", command: ["sleep", "600"], memory: 64, essential: true, stopTimeout: 1 }],
      }),
    );
    expect(await nodeNames()).toEqual([`${name}-node-1`]);

    const started = Date.now();
    const run = await ecs.send(new RunTaskCommand({ cluster: "default", taskDefinition: "cas-dind", capacityProviderStrategy: [{ capacityProvider: "dind", weight: 1 }] }));
    expect(run.failures).toEqual([]);
    expect(run.tasks![0].lastStatus).toBe("PROVISIONING");
    const arn = run.tasks![0].taskArn!;
    const task = await eventually("the task to run on a node managed scaling added", async () => {
      const [t] = (await ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: [arn] }))).tasks!;
      return t.lastStatus === "RUNNING" ? t : undefined;
    }, 300_000, 1000);
    report("PROVISIONING to RUNNING on a new DinD node", started);
    expect(await nodeNames()).toEqual([`${name}-node-1`, `${name}-node-2`]);
    const [ci] = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: "default", containerInstances: [task.containerInstanceArn!] }))).containerInstances!;
    expect(ci.attributes).toContainEqual({ name: "berth.capacity-provider", value: "dind" });
    expect(ci.attributes).toContainEqual({ name: "berth.node", value: `${name}-node-2` });

    await ecs.send(new StopTaskCommand({ cluster: "default", task: arn }));
    await eventually("the idle node to be removed", async () => {
      const left = await nodeNames();
      const containers = (await dockerCommand("ps", "-a", "-q", "--filter", `name=^${name}-node-2$`)).stdout.trim();
      return left.length === 1 && containers === "" ? true : undefined;
    }, 120_000, 1000);
    expect(await nodeNames()).toEqual([`${name}-node-1`]);
    const volumes = (await dockerCommand("volume", "ls", "-q", "--filter", `name=${name}-node-2`)).stdout.trim();
    expect(volumes).toBe("");
  }, 600_000);
});

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  PutAttributesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type RunTaskCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import { keys } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { core } from "@berth/controlplane";
import { eventually, removeDir, startSingleHost, startTestAgent, type SingleHost, type TestAgent, type TestControlPlane } from "../support/berth.js";
import { berthCli } from "../support/berth-cli.js";
import { TEST_IMAGE } from "../support/image.js";

// FARGATE on one host: an EC2 agent and a Fargate agent (BERTH_AGENT_FARGATE=1) on the same
// Docker engine, as berth up runs them; the Fargate rules at RunTask and CreateService,
// capacity provider strategies and EC2 capacity providers through the AWS CLI v2.
const run = promisify(execFile);
const cluster = `fargate-${process.pid}`;
let host: SingleHost;
let t: TestControlPlane;
let fargateAgent: TestAgent;
let ec2Arn: string;
let fargateArn: string;

// Fargate tasks are awsvpc tasks: in the default subnet of the Fargate agent's zone.
const fgNetwork = { awsvpcConfiguration: { subnets: [core.defaultSubnets("us-east-1")[0].subnetId] } };
const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
async function aws(...args: string[]): Promise<any> {
  const { stdout } = await run("/usr/bin/aws", ["ecs", "--endpoint-url", t.endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

const describeTask = async (arn: string): Promise<Task> => (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
/** Stops every task and waits until each is STOPPED (and has given back its cpu and memory). */
const stopAll = async () => {
  for (const arn of (await t.ecs.send(new ListTasksCommand({ cluster }))).taskArns ?? []) await t.ecs.send(new StopTaskCommand({ cluster, task: arn }));
  await eventually("every task to stop", async () => {
    const arns = (await t.ecs.send(new ListTasksCommand({ cluster, desiredStatus: "STOPPED" }))).taskArns ?? [];
    const tasks = arns.length ? (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 100) }))).tasks! : [];
    return tasks.every((x) => x.lastStatus === "STOPPED") ? true : undefined;
  }, 30_000);
};
/**
 * RunTask of one FARGATE task that must be placed; when it is not, the error carries the
 * failures and what the Fargate agent's record and the cluster's unreleased tasks say, so a
 * placement that finds the agent full explains itself.
 */
const runFargate = async (taskDefinition = "fg"): Promise<string> => {
  const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition, launchType: "FARGATE", networkConfiguration: fgNetwork }));
  const arn = res.tasks?.[0]?.taskArn;
  if (arn) return arn;
  throw new Error(`RunTask placed nothing: ${JSON.stringify(res.failures)}; ${await fargateState()}`);
};
/** The Fargate agent's remaining resources and held tasks, and every task still holding resources. */
const fargateState = async (): Promise<string> => {
  const inst = (await t.cp.ctx.store.instances.get(cluster, fargateArn.split("/").pop()!))?.value;
  const holding = (await t.cp.ctx.store.tasks.list(keys.tasks(cluster))).items
    .map((i) => i.value)
    .filter((x) => !x.released)
    .map((x) => `${x.id} ${x.group} ${x.desiredStatus}/${x.lastStatus} on ${x.containerInstanceId}`);
  const exit = fargateAgent.child.exitCode ?? fargateAgent.child.signalCode;
  const said = fargateAgent.output().split("\n").slice(-12).join("\n");
  return `fargate agent process ${exit === null ? "running" : `exited (${exit})`}, record ${inst?.status} connected ${inst?.agentConnected} remaining ${JSON.stringify(inst?.remaining)} held ${JSON.stringify(inst?.heldTasks?.map((h) => h.id))}; holding tasks: ${holding.join(", ") || "none"}; the last lines of its log:\n${said}`;
};
/** As eventually, and on a timeout the service's newest events and the Fargate agent's state. */
const eventuallyPlaced = async <T>(what: string, service: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
  try {
    return await eventually(what, probe, timeoutMs);
  } catch (err) {
    const svc = (await t.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services?.[0];
    const events = (svc?.events ?? []).slice(0, 5).map((e) => e.message);
    throw new Error(`${(err as Error).message}; service ${service} events ${JSON.stringify(events)}; ${await fargateState()}`);
  }
};
const taskCount = async () => {
  const lists = await Promise.all((["RUNNING", "STOPPED"] as const).map((desiredStatus) => t.ecs.send(new ListTasksCommand({ cluster, desiredStatus }))));
  return lists.reduce((n, l) => n + (l.taskArns?.length ?? 0), 0);
};

beforeAll(async () => {
  host = await startSingleHost(cluster);
  t = host.t;
  fargateAgent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: { BERTH_AGENT_FARGATE: "1", BERTH_AVAILABILITY_ZONE: "us-east-1a" } });
  const instances = await eventually("the Fargate agent to connect", async () => {
    const list = (await t.cp.ctx.store.instances.list(keys.instances(cluster))).items.map((i) => i.value);
    return list.length === 2 && list.every((i) => i.agentConnected) ? list : undefined;
  });
  const isFargate = (i: (typeof instances)[number]) => i.attributes.some((a) => a.name === "berth.fargate" && a.value === "true");
  fargateArn = instances.find(isFargate)!.arn;
  ec2Arn = instances.find((i) => !isFargate(i))!.arn;
  // sleep as PID 1 ignores SIGTERM: a short stop timeout keeps stops (and the suite) quick.
  const containerDefinitions = [{ name: "app", image: TEST_IMAGE, command: ["sleep", "600"], stopTimeout: 1 }];
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({ family: "fg", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512", containerDefinitions }),
  );
  // Exits 0 on SIGTERM, so an exit code of 0 shows the interruption's SIGTERM arrived.
  const graceful = [{ name: "app", image: TEST_IMAGE, command: ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"] }];
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "fg-spot", networkMode: "awsvpc", cpu: "256", memory: "512", containerDefinitions: graceful }));
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "ec2", networkMode: "bridge", containerDefinitions: [{ ...containerDefinitions[0], memory: 16 }] }));
}, 60_000);

afterAll(async () => {
  for (const service of ["spot-svc", "spot-interrupted", "spot-node"]) await t?.ecs.send(new DeleteServiceCommand({ cluster, service, force: true })).catch(() => undefined);
  // Stopped under their agents, so each removes its tasks' cgroups (/ecs/<task id>).
  await stopAll().catch(() => undefined);
  await fargateAgent?.stop();
  await host?.stop();
  if (fargateAgent) await removeDir(fargateAgent.dataDir);
});

describe("Fargate capacity", () => {
  it("is not a container instance: ListContainerInstances, DescribeContainerInstances and the cluster's count leave it out", async () => {
    expect((await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns).toEqual([ec2Arn]);
    const described = await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [fargateArn] }));
    expect(described.failures).toEqual([{ arn: fargateArn, reason: "MISSING" }]);
    const c = (await t.ecs.send(new DescribeClustersCommand({ clusters: [cluster] }))).clusters![0];
    expect(c.registeredContainerInstancesCount).toBe(1);
    expect(c.capacityProviders).toEqual(["FARGATE", "FARGATE_SPOT"]);
    expect(c.defaultCapacityProviderStrategy).toEqual([]);
  });

  it("runs a FARGATE task on the Fargate agent with ECS's Fargate fields, and EC2 tasks never there", async () => {
    const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "fg", launchType: "FARGATE", networkConfiguration: fgNetwork }));
    expect(res.failures).toEqual([]);
    const task = res.tasks![0];
    expect(task).toMatchObject({ launchType: "FARGATE", platformVersion: "1.4.0", platformFamily: "Linux", ephemeralStorage: { sizeInGiB: 20 }, cpu: "256", memory: "512" });
    // ECS's Fargate tasks have no container instance; berth still knows the agent it runs on.
    expect(task.containerInstanceArn).toBeUndefined();
    expect((await t.cp.ctx.store.tasks.get(cluster, task.taskArn!.split("/").pop()!))?.value.containerInstanceArn).toBe(fargateArn);
    await eventually("the FARGATE task to run", async () => ((await describeTask(task.taskArn!)).lastStatus === "RUNNING" ? true : undefined));
    expect((await describeTask(task.taskArn!)).containerInstanceArn).toBeUndefined();
    const ec2 = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "ec2", count: 3 }));
    expect(ec2.tasks!.map((x) => x.containerInstanceArn)).toEqual([ec2Arn, ec2Arn, ec2Arn]);
    expect(ec2.tasks!.every((x) => x.launchType === "EC2" && x.platformVersion === undefined)).toBe(true);
    // ListTasks: the Fargate task is listed, by launch type too, but under no container instance.
    const list = async (input: { containerInstance?: string; launchType?: "FARGATE" | "EC2" }) => ((await t.ecs.send(new ListTasksCommand({ cluster, ...input }))).taskArns ?? []).sort();
    expect(await list({})).toEqual([task.taskArn!, ...ec2.tasks!.map((x) => x.taskArn!)].sort());
    expect(await list({ launchType: "FARGATE" })).toEqual([task.taskArn]);
    expect(await list({ containerInstance: ec2Arn })).toEqual(ec2.tasks!.map((x) => x.taskArn!).sort());
    expect(await list({ containerInstance: fargateArn })).toEqual([]);
    // The AWS CLI sees the same.
    const described = await aws("describe-tasks", "--cluster", cluster, "--tasks", task.taskArn!);
    expect(described.tasks[0].containerInstanceArn).toBeUndefined();
    expect((await aws("list-tasks", "--cluster", cluster, "--container-instance", fargateArn.split("/").pop()!)).taskArns).toEqual([]);
    await stopAll();
  });

  it("a DAEMON service counts the EC2 instance only, never the Fargate agent", async () => {
    const created = await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "daemon", taskDefinition: "ec2", schedulingStrategy: "DAEMON" }));
    expect(created.service!.desiredCount).toBe(1);
    const tasks = await eventually("the daemon task", async () => {
      const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: "daemon" }))).taskArns ?? [];
      return arns.length ? (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks! : undefined;
    });
    expect(tasks.map((x) => x.containerInstanceArn)).toEqual([ec2Arn]);
    const svc = (await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["daemon"] }))).services![0];
    expect(svc.events!.map((e) => e.message).filter((m) => /unable|No Container Instances/.test(m ?? ""))).toEqual([]);
    await t.ecs.send(new DeleteServiceCommand({ cluster, service: "daemon", force: true }));
    await stopAll();
  });

  it("a task larger than the Fargate agents fails with ECS's reason and no instance ARN", async () => {
    const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "fg", launchType: "FARGATE", networkConfiguration: fgNetwork, overrides: { cpu: "16384", memory: "32768" } }));
    expect(res.tasks).toEqual([]);
    expect(res.failures).toEqual([{ reason: "RESOURCE:CPU" }]);
  });

  it.each<[string, Partial<RunTaskCommandInput>, RegExp]>([
    // a bridge definition on Fargate
    ["bridge on FARGATE", { taskDefinition: "ec2", launchType: "FARGATE" }, /^Task definition does not support launch_type FARGATE\. Fargate only supports network mode 'awsvpc'\.$/],
    // a platform version ECS does not have
    ["platform version", { launchType: "FARGATE", platformVersion: "0.9.0" }, /^The specified platform version does not exist\./],
    // overrides to a size Fargate does not sell
    ["override size", { launchType: "FARGATE", overrides: { cpu: "256", memory: "4096" } }, /^overrides: No Fargate configuration exists for given values: 256 CPU, 4096 memory\./],
    // ephemeral storage out of range
    ["ephemeral storage", { launchType: "FARGATE", overrides: { ephemeralStorage: { sizeInGiB: 500 } } }, /^overrides\.ephemeralStorage\.sizeInGiB: The ephemeral storage size must be between 21 and 200 GiB/],
    // a strategy and a launch type
    ["both", { launchType: "FARGATE", capacityProviderStrategy: [{ capacityProvider: "FARGATE" }] }, /^Specifying both a launch type and capacity provider strategy/],
  ])("RunTask refuses %s and starts nothing", async (_name, over, message) => {
    const before = await taskCount();
    const err = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "fg", networkConfiguration: fgNetwork, ...over } as RunTaskCommandInput)).catch((e: Error) => e);
    expect(err).toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(message) });
    expect(await taskCount()).toBe(before);
  });
});

describe("capacity provider strategies", () => {
  it("RunTask splits by base then weight and names each task's provider", async () => {
    const res = await t.ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: "fg",
        networkConfiguration: fgNetwork,
        count: 3,
        capacityProviderStrategy: [
          { capacityProvider: "FARGATE", base: 1, weight: 1 },
          { capacityProvider: "FARGATE_SPOT", weight: 1 },
        ],
      }),
    );
    expect(res.failures).toEqual([]);
    const byProvider: Record<string, number> = {};
    for (const x of res.tasks!) byProvider[x.capacityProviderName!] = (byProvider[x.capacityProviderName!] ?? 0) + 1;
    expect(byProvider).toEqual({ FARGATE: 2, FARGATE_SPOT: 1 });
    expect(res.tasks!.every((x) => x.launchType === "FARGATE" && x.containerInstanceArn === undefined)).toBe(true);
    await stopAll();
  });

  it("a service on FARGATE_SPOT shows its strategy and LATEST, and its tasks run there", async () => {
    const created = await t.ecs.send(
      new CreateServiceCommand({ cluster, serviceName: "spot-svc", taskDefinition: "fg", networkConfiguration: fgNetwork, desiredCount: 2, capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }),
    );
    expect(created.service).toMatchObject({ capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }], platformVersion: "LATEST", platformFamily: "Linux" });
    expect(created.service!.launchType).toBeUndefined();
    const tasks = await eventually("the service's two tasks", async () => {
      const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: "spot-svc" }))).taskArns ?? [];
      if (arns.length < 2) return undefined;
      return (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!;
    });
    expect(tasks.map((x) => x.capacityProviderName)).toEqual(["FARGATE_SPOT", "FARGATE_SPOT"]);
    // A new strategy is a new deployment; a platform version ECS lacks is refused.
    const updated = await t.ecs.send(new UpdateServiceCommand({ cluster, service: "spot-svc", capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] }));
    expect(updated.service!.deployments!.map((d) => d.status)).toEqual(["PRIMARY", "ACTIVE"]);
    expect(updated.service!.deployments![0].capacityProviderStrategy).toEqual([{ capacityProvider: "FARGATE", weight: 1, base: 0 }]);
    const bad = await t.ecs.send(new UpdateServiceCommand({ cluster, service: "spot-svc", platformVersion: "0.1.0" })).catch((e: Error) => e);
    expect(bad).toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(/^The specified platform version does not exist\./) });
    await t.ecs.send(new DeleteServiceCommand({ cluster, service: "spot-svc", force: true }));
    const svc = (await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["spot-svc"] }))).services![0];
    expect(svc.status).toBe("DRAINING");
    await stopAll();
  });
});

describe("EC2 capacity providers through the AWS CLI", () => {
  it("creates a provider, associates it, places only on its instances, and deletes it once dissociated", async () => {
    const asg = "arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:1:autoScalingGroupName/pool";
    const created = await aws("create-capacity-provider", "--name", "pool", "--auto-scaling-group-provider", `autoScalingGroupArn=${asg}`);
    // (Debian's AWS CLI predates the `type` member and drops it.)
    expect(created.capacityProvider).toMatchObject({ name: "pool", status: "ACTIVE", autoScalingGroupProvider: { autoScalingGroupArn: asg } });
    const dup = await aws("create-capacity-provider", "--name", "pool", "--auto-scaling-group-provider", `autoScalingGroupArn=${asg}`).catch((e: Error) => e);
    expect(String(dup)).toContain("ClientException");
    const all = await aws("describe-capacity-providers");
    expect(all.capacityProviders.map((p: { name: string }) => p.name)).toEqual(["FARGATE", "FARGATE_SPOT", "pool"]);

    const put = await aws(
      "put-cluster-capacity-providers", "--cluster", cluster, "--capacity-providers", "FARGATE", "FARGATE_SPOT", "pool",
      "--default-capacity-provider-strategy", "capacityProvider=pool,weight=1",
    );
    expect(put.cluster.capacityProviders).toEqual(["FARGATE", "FARGATE_SPOT", "pool"]);
    expect(put.cluster.defaultCapacityProviderStrategy).toEqual([{ capacityProvider: "pool", weight: 1, base: 0 }]);

    // No instance carries the provider's attribute yet: nothing to place on, said per provider.
    const none = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "ec2" }));
    expect(none.tasks).toEqual([]);
    expect(none.failures).toEqual([{ reason: "pool: No Container Instances were found in your cluster." }]);
    await t.ecs.send(new PutAttributesCommand({ cluster, attributes: [{ name: "berth.capacity-provider", value: "pool", targetId: ec2Arn, targetType: "container-instance" }] }));
    // The cluster's default strategy places a task that names neither launch type nor strategy.
    const ran = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "ec2" }));
    expect(ran.tasks![0]).toMatchObject({ capacityProviderName: "pool", launchType: "EC2", containerInstanceArn: ec2Arn });
    await stopAll();

    const inUse = await aws("delete-capacity-provider", "--capacity-provider", "pool").catch((e: Error) => e);
    expect(String(inUse)).toContain("in use");
    await aws("put-cluster-capacity-providers", "--cluster", cluster, "--capacity-providers", "FARGATE", "FARGATE_SPOT", "--default-capacity-provider-strategy", "[]");
    const deleted = await aws("delete-capacity-provider", "--capacity-provider", "pool");
    expect(deleted.capacityProvider).toMatchObject({ name: "pool", status: "INACTIVE", updateStatus: "DELETE_COMPLETE" });
    const reserved = await aws("delete-capacity-provider", "--capacity-provider", "FARGATE").catch((e: Error) => e);
    expect(String(reserved)).toContain("reserved");
  });
});

describe("cost", () => {
  it("berth cost prints each service's use and price, and /metrics counts the same tasks", async () => {
    const arn = await runFargate();
    await eventually("the task to run", async () => ((await describeTask(arn)).lastStatus === "RUNNING" ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    const out = await berthCli("cost", "--endpoint", t.endpoint, "--cluster", cluster);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/CLUSTER\s+│\s+SERVICE\s+│\s+TASKS\s+│\s+VCPU-HOURS\s+│\s+GB-HOURS\s+│\s+COST/);
    expect(out.stdout).toMatch(/\(standalone\)/);
    expect(out.stdout).toMatch(/TOTAL\s+│\s+\d+\s+│\s+\d+\.\d\d\s+│\s+\d+\.\d\d\s+│\s+\$\d+\.\d{4}/);
    const bad = await berthCli("cost", "--endpoint", t.endpoint, "--cluster", cluster, "--since", "soon");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--since: 'soon' is neither a duration");
    const metrics = await (await fetch(`${t.endpoint}/metrics`)).text();
    const id = arn.split("/").at(-1)!;
    const line = metrics.split("\n").find((l) => l.startsWith(`berth_task_vcpu_hours_total{cluster="${cluster}",service="",task="${id}"}`));
    expect(Number(line?.split(" ")[1])).toBeGreaterThan(0);
    await stopAll();
  });
});

describe("spot interruption", () => {
  it("berth spot interrupt sends SIGTERM, records ECS's reason and SpotInterruption, and the service replaces the task", async () => {
    await t.ecs.send(
      new CreateServiceCommand({ cluster, serviceName: "spot-interrupted", taskDefinition: "fg-spot", networkConfiguration: fgNetwork, desiredCount: 1, capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }),
    );
    const running = async () => {
      const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: "spot-interrupted" }))).taskArns ?? [];
      const tasks = arns.length ? (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks! : [];
      return tasks.filter((x) => x.lastStatus === "RUNNING");
    };
    const first = (await eventuallyPlaced("the Spot task to run", "spot-interrupted", async () => ((await running()).length === 1 ? running() : undefined)))[0];
    const out = await berthCli("spot", "interrupt", first.taskArn!, "--endpoint", t.endpoint, "--cluster", cluster);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain("Your Spot Task was interrupted.");
    const stopped = await eventually("the interrupted task to stop", async () => {
      const x = await describeTask(first.taskArn!);
      return x.lastStatus === "STOPPED" ? x : undefined;
    }, 20_000);
    expect(stopped).toMatchObject({ stoppedReason: "Your Spot Task was interrupted.", stopCode: "SpotInterruption" });
    expect(stopped.containers![0].exitCode).toBe(0);
    const replacement = await eventuallyPlaced("a replacement task", "spot-interrupted", async () => (await running()).find((x) => x.taskArn !== first.taskArn), 20_000);
    expect(replacement.capacityProviderName).toBe("FARGATE_SPOT");
    await t.ecs.send(new DeleteServiceCommand({ cluster, service: "spot-interrupted", force: true }));
    await stopAll();
  });

  it("berth node interrupt reclaims a node's Spot capacity: every FARGATE_SPOT task there, on-demand ones kept", async () => {
    await t.ecs.send(
      new CreateServiceCommand({ cluster, serviceName: "spot-node", taskDefinition: "fg-spot", networkConfiguration: fgNetwork, desiredCount: 2, capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }),
    );
    const onDemand = await runFargate();
    const serviceTasks = async () => {
      const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: "spot-node" }))).taskArns ?? [];
      return arns.length ? (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!.filter((x) => x.lastStatus === "RUNNING") : [];
    };
    const first = await eventuallyPlaced("two Spot tasks running", "spot-node", async () => ((await serviceTasks()).length === 2 ? serviceTasks() : undefined));
    await eventually("the on-demand task to run", async () => ((await describeTask(onDemand)).lastStatus === "RUNNING" ? true : undefined));
    // The node is named by its hostname, which its EC2 and Fargate agents share.
    const hostname = (await t.cp.ctx.store.instances.get(cluster, fargateArn.split("/").pop()!))!.value.hostname;
    const unknown = await berthCli("node", "interrupt", "no-such-node", "--endpoint", t.endpoint, "--cluster", cluster);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain(`unknown node 'no-such-node' in cluster ${cluster}; known nodes: ${hostname}`);
    const out = await berthCli("node", "interrupt", hostname, "--endpoint", t.endpoint, "--cluster", cluster);
    expect(out.code, out.stderr).toBe(0);
    for (const x of first) expect(out.stdout).toContain(`${x.taskArn}: Your Spot Task was interrupted.`);
    expect(out.stdout).not.toContain(onDemand);
    for (const x of first) {
      const stopped = await eventually("an interrupted task to stop", async () => {
        const d = await describeTask(x.taskArn!);
        return d.lastStatus === "STOPPED" ? d : undefined;
      }, 20_000);
      // SIGTERM reached it (it exits 0 on TERM) within its stop timeout.
      expect(stopped).toMatchObject({ stoppedReason: "Your Spot Task was interrupted.", stopCode: "SpotInterruption" });
      expect(stopped.containers![0].exitCode).toBe(0);
    }
    const replaced = await eventuallyPlaced("two replacements", "spot-node", async () => {
      const now = (await serviceTasks()).filter((x) => !first.some((f) => f.taskArn === x.taskArn));
      return now.length === 2 ? now : undefined;
      // The service places them in its next rounds and the Fargate agent starts each awsvpc task
      // (pause container, CNI): seconds here, more on a busy CI machine.
    }, 60_000);
    expect(replaced.map((x) => x.capacityProviderName)).toEqual(["FARGATE_SPOT", "FARGATE_SPOT"]);
    expect((await describeTask(onDemand)).lastStatus).toBe("RUNNING");
    // Nothing left to reclaim but the replacements; a node without Spot tasks says so.
    await t.ecs.send(new DeleteServiceCommand({ cluster, service: "spot-node", force: true }));
    await stopAll();
    const none = await berthCli("node", "interrupt", hostname, "--endpoint", t.endpoint, "--cluster", cluster);
    expect(none.stdout).toContain(`node ${hostname}: no FARGATE_SPOT task running; nothing interrupted`);
  }, 90_000);

  it("refuses to interrupt a task that is not on FARGATE_SPOT", async () => {
    const arn = await runFargate();
    const out = await berthCli("spot", "interrupt", arn, "--endpoint", t.endpoint, "--cluster", cluster);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain("was not placed through the FARGATE_SPOT capacity provider");
    expect((await describeTask(arn)).desiredStatus).toBe("RUNNING");
    await stopAll();
  });
});

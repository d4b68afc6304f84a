import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerInstance,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/berth.js";
import { describeInstances, startCluster, type TestCluster, type TestHost } from "../support/hosts.js";
import { TEST_IMAGE } from "../support/image.js";

// Faults on real namespace hosts: a killed agent, a cut link, a stopped engine. Each fault's
// detection time is measured from the moment it was injected to the moment the ECS API shows
// it, and printed, so a slow-down shows in the logs before it fails a bound.
let c: TestCluster;
const cluster = `faults-${process.pid}`;
const family = "steady";
/** The task running on each host, in host order. */
let tasks: Task[] = [];

beforeAll(async () => {
  c = await startCluster(3, { cluster });
  await c.cp.ecs.send(new RegisterTaskDefinitionCommand({
    family,
    containerDefinitions: [{
      name: "main", image: TEST_IMAGE, memory: 32, essential: true, command: ["sleep", "3600"],
      // sleep as PID 1 ignores SIGTERM: this bounds both a StopTask and dockerd's own shutdown
      stopTimeout: 2,
    }],
  }));
  const res = await c.cp.ecs.send(new RunTaskCommand({ cluster, taskDefinition: family, count: 3, placementStrategy: [{ type: "spread", field: "instanceId" }] }));
  expect(res.failures).toEqual([]);
  const running = await untilTasks(res.tasks!.map((t) => t.taskArn!), "RUNNING");
  tasks = c.arns.map((arn) => running.find((t) => t.containerInstanceArn === arn)!);
  expect(tasks.every(Boolean)).toBe(true);
});
afterAll(async () => {
  await c?.stop();
});

async function describeTask(arn: string): Promise<Task> {
  return (await c.cp.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
}

async function untilTasks(arns: string[], status: string): Promise<Task[]> {
  return eventually(`${arns.length} tasks to be ${status}`, async () => {
    const found = (await c.cp.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
    return found.length === arns.length && found.every((t) => t.lastStatus === status) ? found : undefined;
  }, 60_000);
}

async function instance(arn: string): Promise<ContainerInstance> {
  return (await c.cp.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }))).containerInstances![0];
}

/**
 * Seconds from `since` until the host's instance shows `connected`, polled every 100 ms;
 * printed as `<label> after N s`. Fails after `timeoutMs`.
 */
async function timeUntilConnected(h: TestHost, connected: boolean, label: string, since: number, timeoutMs: number): Promise<number> {
  const arn = c.arns[h.index - 1];
  await eventually(`${h.netns} to show agentConnected=${connected}`, async () => ((await instance(arn)).agentConnected === connected ? true : undefined), timeoutMs, 100);
  const seconds = (Date.now() - since) / 1000;
  console.log(`${label} after ${seconds.toFixed(2)} s`);
  return seconds;
}

/** The host's task container, inspected in the host's own engine. */
async function inspectTaskContainer(h: TestHost) {
  return h.docker().getContainer(tasks[h.index - 1].containers![0].runtimeId!).inspect();
}

describe("faults on namespace hosts", () => {
  it("kill -9 of an agent: disconnected in seconds, its container keeps running, a restart re-adopts it", async () => {
    const h = c.hosts[0];
    const task = tasks[0];
    const containerId = task.containers![0].runtimeId!;

    const killedAt = Date.now();
    await h.killAgent();
    expect(await timeUntilConnected(h, false, "kill -9 agent: disconnected", killedAt, 10_000)).toBeLessThan(5);
    expect((await inspectTaskContainer(h)).State.Running).toBe(true);
    // as in ECS, a disconnected agent's tasks are not stopped
    expect((await describeTask(task.taskArn!)).lastStatus).toBe("RUNNING");

    const restartedAt = Date.now();
    h.startAgent();
    await timeUntilConnected(h, true, "agent restart: connected again", restartedAt, 30_000);
    // the same instance came back, not a new one
    expect(await h.instanceArn()).toBe(c.arns[0]);
    expect((await describeInstances(c.cp, cluster)).map((i) => i.containerInstanceArn).sort()).toEqual([...c.arns].sort());
    const after = await describeTask(task.taskArn!);
    expect(after.lastStatus).toBe("RUNNING");
    expect(after.containers![0].runtimeId).toBe(containerId);
    const ours = await h.docker().listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.task-arn=${task.taskArn}`] } });
    expect(ours.map((x) => x.Id)).toEqual([containerId]);
    expect(ours[0].State).toBe("running");

    // still managed: a stop goes through the restarted agent to the host's engine
    await c.cp.ecs.send(new StopTaskCommand({ cluster, task: task.taskArn, reason: "after restart" }));
    await untilTasks([task.taskArn!], "STOPPED");
    expect((await h.docker().getContainer(containerId).inspect()).State.Running).toBe(false);
  });

  it("a cut link: disconnected within 10 s while the container runs on; healed: connected again, task untouched", async () => {
    const h = c.hosts[1];
    const task = tasks[1];
    const containerId = task.containers![0].runtimeId!;

    const cutAt = Date.now();
    h.cutLink();
    try {
      expect(await timeUntilConnected(h, false, "cut link: disconnected", cutAt, 15_000)).toBeLessThan(10);
      // the engine is local to the host: its container runs on through the partition
      expect((await inspectTaskContainer(h)).State.Running).toBe(true);
    } finally {
      h.healLink();
    }
    const healedAt = Date.now();
    await timeUntilConnected(h, true, "heal link: connected again", healedAt, 30_000);
    expect(await h.instanceArn()).toBe(c.arns[1]);
    const after = await describeTask(task.taskArn!);
    expect(after.lastStatus).toBe("RUNNING");
    expect(after.containers![0].runtimeId).toBe(containerId);
    expect((await inspectTaskContainer(h)).State.Running).toBe(true);
  });

  it("an engine stopped and started again answers on the same socket (harness)", async () => {
    const h = c.hosts[2];
    const stoppedAt = Date.now();
    await h.stopDocker();
    console.log(`stop dockerd: stopped after ${((Date.now() - stoppedAt) / 1000).toFixed(2)} s`);
    await expect(h.docker().ping()).rejects.toThrow();
    await h.startDocker();
    expect((await h.docker().ping()).toString()).toBe("OK");
    // the engine stopped its containers on the way down; nothing restarts them
    expect((await inspectTaskContainer(h)).State.Running).toBe(false);
  });
});

// Replacement of lost service tasks (killed agent, cut link, stopped engine) and the stale
// copies a returning host must stop: services-faults.test.ts.

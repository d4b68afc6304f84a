import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerDefinition,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { docker } from "../support/docker.js";
import { TEST_IMAGE } from "../support/image.js";

// The whole path of a task: ECS API -> placement -> session -> agent -> Docker -> state
// changes -> store, with a real agent process on the real engine.
const cluster = `e2e-${process.pid}`;
let host: SingleHost;
let t: TestControlPlane;

beforeAll(async () => {
  host = await startSingleHost(cluster);
  t = host.t;
});

afterAll(async () => {
  await host?.stop();
});

async function run(family: string, containerDefinitions: ContainerDefinition[], networkMode: "bridge" | "host" | "none" = "bridge"): Promise<Task> {
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family, networkMode, containerDefinitions }));
  const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
  expect(res.failures).toEqual([]);
  return res.tasks![0];
}

const describeTask = async (arn: string) => (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
const untilStatus = (arn: string, status: string, timeoutMs = 60_000) =>
  eventually(`task ${arn} to be ${status}`, async () => {
    const task = await describeTask(arn);
    return task.lastStatus === status ? task : undefined;
  }, timeoutMs);

describe("tasks end to end on the real Docker engine", () => {
  it("registers the host with its CPU units and memory", async () => {
    const arns = (await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns!;
    const ci = (await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances![0];
    const cpu = ci.registeredResources?.find((r) => r.name === "CPU")?.integerValue ?? 0;
    expect(cpu % 1024).toBe(0);
    expect(cpu).toBeGreaterThanOrEqual(1024);
    expect(ci.registeredResources?.find((r) => r.name === "PORTS")?.stringSetValue).toEqual(expect.arrayContaining(["22", "51678"]));
    expect(ci.attributes?.map((a) => a.name)).toEqual(expect.arrayContaining(["ecs.os-type", "ecs.cpu-architecture", "ecs.availability-zone"]));
  });

  it("runs a two-container task with the right limits, env, labels and ports", async () => {
    const task = await run("pair", [
      {
        name: "web",
        image: TEST_IMAGE,
        cpu: 256,
        memory: 64,
        essential: true,
        command: ["sh", "-c", "echo ok > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"],
        environment: [{ name: "GREETING", value: "hello" }],
        portMappings: [{ containerPort: 8080, hostPort: 0 }],
      },
      {
        name: "side",
        image: TEST_IMAGE,
        memoryReservation: 32,
        essential: true,
        entryPoint: ["sh", "-c"],
        command: ["exec httpd -f -p 9090 -h /"],
        portMappings: [{ containerPort: 9090, hostPort: 39090 }],
      },
    ]);
    const running = await untilStatus(task.taskArn!, "RUNNING");
    const web = running.containers!.find((c) => c.name === "web")!;
    const side = running.containers!.find((c) => c.name === "side")!;
    const webPort = web.networkBindings?.find((b) => b.containerPort === 8080)?.hostPort;
    expect(webPort).toBeGreaterThan(0);
    expect(side.networkBindings?.find((b) => b.containerPort === 9090)?.hostPort).toBe(39090);

    const inspect = await docker().getContainer(web.runtimeId!).inspect();
    expect(inspect.HostConfig.CpuShares).toBe(256);
    expect(inspect.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(inspect.Config.Env).toContain("GREETING=hello");
    expect(inspect.Config.Labels).toMatchObject({
      "com.amazonaws.ecs.task-arn": task.taskArn,
      "com.amazonaws.ecs.container-name": "web",
      "com.amazonaws.ecs.task-definition-family": "pair",
      "com.amazonaws.ecs.cluster": cluster,
    });
    const sideInspect = await docker().getContainer(side.runtimeId!).inspect();
    expect(sideInspect.HostConfig.MemoryReservation).toBe(32 * 1024 * 1024);
    expect(sideInspect.Config.Entrypoint).toEqual(["sh", "-c"]);
    // the dynamic host port really serves the container
    const body = await eventually("the web container to answer", async () => {
      const res = await fetch(`http://127.0.0.1:${webPort}/index.html`).catch(() => undefined);
      return res?.ok ? res.text() : undefined;
    });
    expect(body.trim()).toBe("ok");
  });

  it("stops the task when an essential container exits, with its exit code and reason", async () => {
    const task = await run("crash", [
      { name: "main", image: TEST_IMAGE, memory: 32, essential: true, command: ["sh", "-c", "sleep 1; exit 3"] },
      // PID 1 ignores SIGTERM: a short stopTimeout keeps the test quick
      { name: "helper", image: TEST_IMAGE, memory: 32, essential: false, stopTimeout: 2, command: ["sleep", "1000"] },
    ]);
    const stopped = await untilStatus(task.taskArn!, "STOPPED");
    expect(stopped.containers!.find((c) => c.name === "main")?.exitCode).toBe(3);
    expect(stopped.containers!.find((c) => c.name === "helper")?.lastStatus).toBe("STOPPED");
    expect(stopped.stoppedReason).toMatch(/Essential container in task exited/);
    expect(stopped.stopCode).toBe("EssentialContainerExited");
    expect(stopped.desiredStatus).toBe("STOPPED");
  });

  it("StopTask honours stopTimeout: SIGTERM ignored, SIGKILL after 2 s", async () => {
    const task = await run("stubborn", [
      { name: "main", image: TEST_IMAGE, memory: 32, essential: true, stopTimeout: 2, command: ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"] },
    ]);
    await untilStatus(task.taskArn!, "RUNNING");
    const started = Date.now();
    await t.ecs.send(new StopTaskCommand({ cluster, task: task.taskArn, reason: "test stop" }));
    const stopped = await untilStatus(task.taskArn!, "STOPPED", 30_000);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(20_000);
    expect(stopped.containers![0].exitCode).toBe(137);
    expect(stopped.stoppedReason).toBe("test stop");
    expect(stopped.stopCode).toBe("UserInitiated");
  });

  it("reports CannotPullContainerError when the image cannot be pulled", async () => {
    const task = await run("nopull", [{ name: "main", image: "berth-test/does-not-exist:1", memory: 32, essential: true }]);
    const stopped = await untilStatus(task.taskArn!, "STOPPED");
    expect(stopped.containers![0].reason).toMatch(/^CannotPullContainerError/);
    expect(stopped.stopCode).toBe("TaskFailedToStart");
  });

  it("gives the reservation back when a task stops", async () => {
    const arns = (await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns!;
    const ci = (await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances![0];
    const registered = ci.registeredResources?.find((r) => r.name === "MEMORY")?.integerValue ?? 0;
    const remaining = ci.remainingResources?.find((r) => r.name === "MEMORY")?.integerValue ?? 0;
    // only the two-container task still runs: 64 + 32 MiB
    expect(registered - remaining).toBe(96);
    expect(ci.runningTasksCount).toBe(1);
    expect(ci.remainingResources?.find((r) => r.name === "PORTS")?.stringSetValue).toContain("39090");
  });

  it("re-adopts running containers after the agent is killed and restarted", async () => {
    const task = await run("survivor", [{ name: "main", image: TEST_IMAGE, memory: 32, essential: true, stopTimeout: 2, command: ["sleep", "1000"] }]);
    const before = await untilStatus(task.taskArn!, "RUNNING");
    const id = before.containers![0].runtimeId!;
    await host.restartAgent();
    await eventually("the restarted agent to connect", async () => {
      const arns = (await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns!;
      const cis = (await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances!;
      // same identity: still one instance, connected again
      return cis.length === 1 && cis[0].agentConnected ? true : undefined;
    });
    const after = await describeTask(task.taskArn!);
    expect(after.lastStatus).toBe("RUNNING");
    expect(after.containers![0].runtimeId).toBe(id);
    const ours = await docker().listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.task-arn=${task.taskArn}`] } });
    expect(ours.map((c) => c.Id)).toEqual([id]);
    // and it is still managed: a stop goes through the restarted agent
    await t.ecs.send(new StopTaskCommand({ cluster, task: task.taskArn }));
    await untilStatus(task.taskArn!, "STOPPED", 45_000);
  });

  it("lists the agent's tasks on its introspection endpoint", async () => {
    const res = await fetch(`http://127.0.0.1:${host.agent.introspectionPort}/v1/tasks`);
    const body = (await res.json()) as { Tasks: { Family: string }[] };
    expect(body.Tasks.map((x) => x.Family)).toContain("pair");
  });
});

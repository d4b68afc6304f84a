import {
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost } from "../support/berth.js";
import { TEST_IMAGE } from "../support/image.js";

// What DescribeTasks shows of a task ECS-style, with a real agent on the real engine: the
// fields ECS fills for an EC2 task, and how a task that stops on its own is told apart from
// one that never started (stopCode, stoppedReason, stoppingAt).
const cluster = `fields-${process.pid}`;
let host: SingleHost;

beforeAll(async () => {
  host = await startSingleHost(cluster);
});

afterAll(async () => {
  await host?.stop();
});

async function run(family: string, containerDefinitions: ContainerDefinition[], extra: Partial<RegisterTaskDefinitionCommandInput> = {}): Promise<Task> {
  await host.t.ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions, ...extra }));
  const res = await host.t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
  expect(res.failures).toEqual([]);
  return res.tasks![0];
}

const describeTask = async (arn: string) => (await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
const untilStopped = (arn: string) =>
  eventually(`task ${arn} to stop`, async () => {
    const task = await describeTask(arn);
    return task.lastStatus === "STOPPED" ? task : undefined;
  }, 60_000);

describe("DescribeTasks fields on a real agent", () => {
  it("shows the instance's zone and architecture, ECS's normalised cpu/memory and CONNECTED once the agent has it", async () => {
    const task = await run("fields-shape", [{ name: "main", image: TEST_IMAGE, command: ["sleep", "1000"], stopTimeout: 1 }], {
      cpu: "0.25 vCPU",
      memory: "0.5GB",
    });
    // RunTask's answer already carries what placement decided.
    expect(task.cpu).toBe("256");
    expect(task.memory).toBe("512");
    // startSingleHost's agent registers the default zone, "local".
    expect(task.availabilityZone).toBe("local");
    expect(task.attributes).toEqual([{ name: "ecs.cpu-architecture", value: expect.stringMatching(/^(x86_64|arm64)$/) }]);
    const running = await eventually("the task to run", async () => {
      const d = await describeTask(task.taskArn!);
      return d.lastStatus === "RUNNING" ? d : undefined;
    });
    expect(running.connectivity).toBe("CONNECTED");
    expect(running.connectivityAt).toBeInstanceOf(Date);
    // The agent heard of the task before it pulled or started anything.
    expect(running.connectivityAt!.getTime()).toBeGreaterThanOrEqual(running.createdAt!.getTime());
    expect(running.connectivityAt!.getTime()).toBeLessThanOrEqual(running.startedAt!.getTime());
    expect(running.availabilityZone).toBe("local");
  });
});

describe("stopCode, stoppedReason and stoppingAt as ECS sets them", () => {
  it("an essential container that ran and exited 3: EssentialContainerExited, stoppingAt <= stoppedAt", async () => {
    const task = await run("fields-exit", [{ name: "main", image: TEST_IMAGE, memory: 32, command: ["sh", "-c", "sleep 1; exit 3"] }]);
    const stopped = await untilStopped(task.taskArn!);
    expect(stopped.containers![0].exitCode).toBe(3);
    expect(stopped.stopCode).toBe("EssentialContainerExited");
    expect(stopped.stoppedReason).toBe("Essential container in task exited");
    expect(stopped.desiredStatus).toBe("STOPPED");
    expect(stopped.stoppingAt).toBeInstanceOf(Date);
    expect(stopped.stoppingAt!.getTime()).toBeLessThanOrEqual(stopped.stoppedAt!.getTime());
    expect(stopped.stoppingAt!.getTime()).toBeGreaterThanOrEqual(stopped.createdAt!.getTime());
  });

  it("an essential container that exits at once (before berth saw it run) still ran: EssentialContainerExited", async () => {
    const task = await run("fields-quick", [{ name: "main", image: TEST_IMAGE, memory: 32, command: ["sh", "-c", "exit 3"] }]);
    const stopped = await untilStopped(task.taskArn!);
    expect(stopped.containers![0].exitCode).toBe(3);
    expect(stopped.stopCode).toBe("EssentialContainerExited");
    expect(stopped.stoppedReason).toBe("Essential container in task exited");
    expect(stopped.stoppingAt!.getTime()).toBeLessThanOrEqual(stopped.stoppedAt!.getTime());
  });

  it("a two-container task whose essential container exits: the other is stopped, stoppingAt set before stoppedAt", async () => {
    const task = await run("fields-pair", [
      { name: "main", image: TEST_IMAGE, memory: 32, command: ["sh", "-c", "sleep 1; exit 3"] },
      // PID 1 ignores SIGTERM: stopTimeout 2 makes the STOPPING phase last about 2 s
      { name: "helper", image: TEST_IMAGE, memory: 32, essential: false, stopTimeout: 2, command: ["sleep", "1000"] },
    ]);
    const stopping = await eventually("the task to be stopping", async () => {
      const d = await describeTask(task.taskArn!);
      return d.desiredStatus === "STOPPED" ? d : undefined;
    });
    expect(stopping.stoppingAt).toBeInstanceOf(Date);
    expect(stopping.stopCode).toBe("EssentialContainerExited");
    const stopped = await untilStopped(task.taskArn!);
    expect(stopped.stoppingAt).toEqual(stopping.stoppingAt);
    expect(stopped.stoppingAt!.getTime()).toBeLessThan(stopped.stoppedAt!.getTime());
    expect(stopped.stoppedReason).toBe("Essential container in task exited");
    expect(stopped.containers!.find((c) => c.name === "main")?.exitCode).toBe(3);
  });

  it.each([
    // the image does not exist (no registry is reachable): the pull fails
    ["fields-noimage", { image: "berth-test/does-not-exist:1" }, /^CannotPullContainerError/],
    // the command does not exist in the image: Docker cannot start the container
    ["fields-nocmd", { image: TEST_IMAGE, command: ["/no/such/binary"] }, /^CannotStartContainerError/],
  ])("%s: a container that never started: TaskFailedToStart with its reason", async (family, def, reason) => {
    const task = await run(family, [{ name: "main", memory: 32, ...def }]);
    const stopped = await untilStopped(task.taskArn!);
    expect(stopped.stopCode).toBe("TaskFailedToStart");
    expect(stopped.stoppedReason).toMatch(reason);
    expect(stopped.containers![0].reason).toMatch(reason);
    expect(stopped.startedAt).toBeUndefined();
    expect(stopped.stoppingAt!.getTime()).toBeLessThanOrEqual(stopped.stoppedAt!.getTime());
  });
});

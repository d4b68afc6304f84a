import { readdir, readFile, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost } from "../support/berth.js";
import { TEST_IMAGE } from "../support/image.js";

// Task-level cpu and memory enforced on the task as a whole, as the ECS agent does on Linux:
// the agent makes /ecs/<task id> with the limits and creates the task's containers under it.
// This host runs Docker's cgroupfs driver on cgroup v1 (checked below).
const cluster = `limits-${process.pid}`;
const cgroupRoot = "/sys/fs/cgroup";
const v2 = existsSync(`${cgroupRoot}/cgroup.controllers`);
let host: SingleHost;
/** Task ids whose cgroups to remove at the end (an agent stopped mid-task leaves them). */
const taskIds: string[] = [];

const describeTask = async (arn: string): Promise<Task> => (await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
const memoryLimitFile = (id: string) => (v2 ? `${cgroupRoot}/ecs/${id}/memory.max` : `${cgroupRoot}/memory/ecs/${id}/memory.limit_in_bytes`);
const cpuFile = (id: string) => (v2 ? `${cgroupRoot}/ecs/${id}/cpu.max` : `${cgroupRoot}/cpu/ecs/${id}/cpu.cfs_quota_us`);

beforeAll(async () => {
  host = await startSingleHost(cluster);
  await host.t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "hungry",
      cpu: "256",
      memory: "128",
      // No container limit: only the task's 128 MiB stands between dd's 300 MiB buffer and the host.
      containerDefinitions: [{ name: "app", image: TEST_IMAGE, command: ["sh", "-c", "sleep 3; exec dd if=/dev/zero of=/dev/null bs=300M count=1"] }],
    }),
  );
}, 60_000);

afterAll(async () => {
  await host?.stop();
  for (const id of taskIds) {
    for (const c of v2 ? [""] : await readdir(cgroupRoot)) await rmdir(join(cgroupRoot, c, "ecs", id)).catch(() => undefined);
  }
});

describe("task-level limits", () => {
  it("the task's cgroup carries its cpu and memory, and a container allocating past the task's memory is OOM-killed", async () => {
    const arn = (await host.t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "hungry" }))).tasks![0].taskArn!;
    const id = arn.split("/").at(-1)!;
    taskIds.push(id);
    await eventually("the task to run", async () => ((await describeTask(arn)).lastStatus === "RUNNING" ? true : undefined), 20_000);
    expect((await readFile(memoryLimitFile(id), "utf8")).trim()).toBe(v2 ? String(128 << 20) : String(128 << 20));
    expect((await readFile(cpuFile(id), "utf8")).trim()).toBe(v2 ? "25000 100000" : "25000");
    const stopped = await eventually("the task to stop", async () => {
      const t = await describeTask(arn);
      return t.lastStatus === "STOPPED" ? t : undefined;
    }, 30_000);
    // The kernel's OOM killer ends dd with SIGKILL: exit code 137 for the essential container.
    expect(stopped.containers![0].exitCode).toBe(137);
    expect(stopped.stopCode).toBe("EssentialContainerExited");
    // Its containers gone from it, the agent removes the task's cgroup once the task stopped.
    await eventually("the task cgroup to be removed", async () => (existsSync(memoryLimitFile(id)) ? undefined : true), 10_000);
  });
});

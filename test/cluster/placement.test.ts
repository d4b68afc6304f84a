import {
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Failure,
  type PlacementConstraint,
  type PlacementStrategy,
  type RunTaskCommandOutput,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/berth.js";
import { describeInstances, startCluster, type TestCluster } from "../support/hosts.js";
import { TEST_IMAGE } from "../support/image.js";

// Placement through the ECS API on three real hosts: each a network namespace with its own
// dockerd and agent. Every case checks where tasks landed twice: by the ARN the control plane
// recorded, and by the containers actually running in each host's engine.
let c: TestCluster;
const cluster = `placement-${process.pid}`;
/** Tasks a case started; stopped (and waited for) after each case so the next starts empty. */
let started: string[] = [];

beforeAll(async () => {
  // a custom attribute on host 3 only, as ECS_INSTANCE_ATTRIBUTES sets it
  c = await startCluster(3, { cluster, attributes: (i) => (i === 3 ? { tier: "gpu" } : undefined) });
});
afterAll(async () => {
  await c?.stop();
});
afterEach(async () => {
  const arns = started;
  started = [];
  if (arns.length === 0) return;
  await Promise.all(arns.map((task) => c.cp.ecs.send(new StopTaskCommand({ cluster, task, reason: "case done" }))));
  await eventually("the case's tasks to stop", async () => ((await describeTasks(arns)).every((t) => t.lastStatus === "STOPPED") ? true : undefined), 60_000);
});

async function register(family: string, memory: number): Promise<void> {
  await c.cp.ecs.send(new RegisterTaskDefinitionCommand({
    family,
    containerDefinitions: [{ name: "main", image: TEST_IMAGE, memory, essential: true, command: ["sleep", "3600"] }],
  }));
}

async function run(family: string, count: number, placement: { strategy?: PlacementStrategy[]; constraints?: PlacementConstraint[] } = {}): Promise<RunTaskCommandOutput> {
  const res = await c.cp.ecs.send(new RunTaskCommand({
    cluster, taskDefinition: family, count,
    placementStrategy: placement.strategy,
    placementConstraints: placement.constraints,
  }));
  started.push(...(res.tasks ?? []).map((t) => t.taskArn!));
  return res;
}

async function describeTasks(arns: string[]): Promise<Task[]> {
  return (await c.cp.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
}

async function untilRunning(arns: string[]): Promise<Task[]> {
  return eventually(`${arns.length} tasks to be RUNNING`, async () => {
    const tasks = await describeTasks(arns);
    return tasks.length === arns.length && tasks.every((t) => t.lastStatus === "RUNNING") ? tasks : undefined;
  }, 60_000);
}

/** Tasks per host, in host order, by the instance ARN the control plane recorded. */
function perHostByArn(tasks: Task[]): number[] {
  return c.arns.map((arn) => tasks.filter((t) => t.containerInstanceArn === arn).length);
}

/** Running containers of `family` per host, in host order, counted in each host's own engine. */
async function perHostInEngines(family: string): Promise<number[]> {
  return Promise.all(c.hosts.map(async (h) =>
    (await h.docker().listContainers({ filters: { label: [`com.amazonaws.ecs.task-definition-family=${family}`, `com.amazonaws.ecs.cluster=${cluster}`] } })).length,
  ));
}

const compareArn = (a: Failure, b: Failure) => (a.arn ?? "").localeCompare(b.arn ?? "");
/** ECS failures in ARN order, for comparing with a per-instance expectation. */
const byArn = (failures: Failure[]) => [...failures].sort(compareArn);

/** The smallest MEMORY any host registered, in MiB. */
async function smallestHostMemory(): Promise<number> {
  const cis = await describeInstances(c.cp, cluster);
  return Math.min(...cis.map((ci) => ci.registeredResources?.find((r) => r.name === "MEMORY")?.integerValue ?? 0));
}

describe("placement across three namespace hosts", () => {
  it("spread on instanceId: 6 tasks land 2/2/2", async () => {
    await register("spread6", 32);
    const res = await run("spread6", 6, { strategy: [{ type: "spread", field: "instanceId" }] });
    expect(res.failures).toEqual([]);
    const tasks = await untilRunning(res.tasks!.map((t) => t.taskArn!));
    expect(perHostByArn(tasks)).toEqual([2, 2, 2]);
    expect(await perHostInEngines("spread6")).toEqual([2, 2, 2]);
    // each task's container is the one in the engine of the host it was placed on
    for (const t of tasks) {
      const host = c.hosts[c.arns.indexOf(t.containerInstanceArn!)];
      const inspect = await host.docker().getContainer(t.containers![0].runtimeId!).inspect();
      expect(inspect.State.Running).toBe(true);
      expect(inspect.Config.Labels["com.amazonaws.ecs.task-arn"]).toBe(t.taskArn);
    }
  });

  it("binpack on memory: one host fills before the next is used", async () => {
    // two of these fit on a host, a third does not
    const memory = Math.floor((await smallestHostMemory()) * 0.4);
    await register("binpack4", memory);
    const placedOn: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await run("binpack4", 1, { strategy: [{ type: "binpack", field: "memory" }] });
      expect(res.failures).toEqual([]);
      placedOn.push(res.tasks![0].containerInstanceArn!);
    }
    expect(placedOn[1]).toBe(placedOn[0]);
    expect(placedOn[2]).not.toBe(placedOn[0]);
    expect(placedOn[3]).toBe(placedOn[2]);
    const tasks = await untilRunning(started);
    const counts = perHostByArn(tasks);
    expect([...counts].sort()).toEqual([0, 2, 2]);
    expect(await perHostInEngines("binpack4")).toEqual(counts);
  });

  it("distinctInstance: 4 tasks on 3 hosts place 3 and fail 1", async () => {
    await register("distinct4", 32);
    const res = await run("distinct4", 4, { constraints: [{ type: "distinctInstance" }] });
    expect(res.tasks).toHaveLength(3);
    // the one task left over: each instance refused it for the constraint
    expect(byArn(res.failures!)).toEqual(c.arns.map((arn) => ({ arn, reason: "DistinctInstance placement constraint unsatisfied." })).sort(compareArn));
    const tasks = await untilRunning(res.tasks!.map((t) => t.taskArn!));
    expect(perHostByArn(tasks)).toEqual([1, 1, 1]);
    expect(await perHostInEngines("distinct4")).toEqual([1, 1, 1]);
  });

  it("memberOf on ecs.availability-zone: every task on host 2", async () => {
    await register("zone2", 32);
    const res = await run("zone2", 3, { constraints: [{ type: "memberOf", expression: "attribute:ecs.availability-zone == zone-2" }] });
    expect(res.failures).toEqual([]);
    const tasks = await untilRunning(res.tasks!.map((t) => t.taskArn!));
    expect(perHostByArn(tasks)).toEqual([0, 3, 0]);
    expect(await perHostInEngines("zone2")).toEqual([0, 3, 0]);
  });

  it("memberOf on a custom attribute: every task on the one host that has it", async () => {
    await register("gpu", 32);
    const res = await run("gpu", 2, { constraints: [{ type: "memberOf", expression: "attribute:tier == gpu" }] });
    expect(res.failures).toEqual([]);
    const tasks = await untilRunning(res.tasks!.map((t) => t.taskArn!));
    expect(perHostByArn(tasks)).toEqual([0, 0, 2]);
    expect(await perHostInEngines("gpu")).toEqual([0, 0, 2]);
  });

  it("a task that fits nowhere: RESOURCE:MEMORY from each instance, nothing runs", async () => {
    await register("huge", (await smallestHostMemory()) * 4);
    const res = await run("huge", 1);
    expect(res.tasks).toEqual([]);
    expect(byArn(res.failures!)).toEqual(c.arns.map((arn) => ({ arn, reason: "RESOURCE:MEMORY" })).sort(compareArn));
    expect(await perHostInEngines("huge")).toEqual([0, 0, 0]);
  });
});

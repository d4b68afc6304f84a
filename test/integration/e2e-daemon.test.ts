import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type CreateServiceCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { describeService, registerFamily, sleeper, type ServiceScope } from "../support/cluster-services.js";

// A DAEMON service on one host with a real agent: one task on the instance with the desired
// count ECS shows for it, ECS's refusals, a new revision replacing the task in place, a task
// too big for its instance reported as ECS reports it, and a drain that stops the daemon task
// only after the instance's other task is gone; an instance back to ACTIVE gets its task again.
const cluster = `daemon-${process.pid}`;
let host: SingleHost;
let t: TestControlPlane;
let instanceArn: string;

beforeAll(async () => {
  host = await startSingleHost(cluster, { BERTH_RECONCILE_INTERVAL_MS: "300" });
  t = host.t;
  instanceArn = (await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns![0];
});

afterAll(async () => {
  await host?.stop();
});

const scope: ServiceScope = { ecs: () => t.ecs, cluster };
const register = (family: string, c: ContainerDefinition) => registerFamily(scope, family, c);
const describe1 = (name: string) => describeService(scope, name);

async function liveTasks(name: string): Promise<Task[]> {
  const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: name }))).taskArns ?? [];
  if (arns.length === 0) return [];
  return (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!;
}

/** The service's one RUNNING task on `revisionArn`, once it is its only live task. */
const onlyRunning = (name: string, revisionArn: string) =>
  eventually(`one running task of ${name} on ${revisionArn}`, async () => {
    const tasks = await liveTasks(name);
    return tasks.length === 1 && tasks[0].lastStatus === "RUNNING" && tasks[0].taskDefinitionArn === revisionArn ? tasks[0] : undefined;
  }, 30_000, 200);

const setStatus = (status: "ACTIVE" | "DRAINING") =>
  t.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [instanceArn], status }));

describe("DAEMON services end to end", () => {
  it.each<[string, Partial<CreateServiceCommandInput>, RegExp]>([
    // a desired count: ECS's refusal
    ["desiredCount", { desiredCount: 2 }, /desiredCount: The daemon scheduling strategy does not support a desired count/],
    // a placement strategy: refused
    ["placementStrategy", { placementStrategy: [{ type: "spread", field: "instanceId" }] }, /placementStrategy: The daemon scheduling strategy does not support placement strategies/],
    // maximumPercent above 100: refused
    ["maximumPercent 200", { deploymentConfiguration: { maximumPercent: 200 } }, /does not support values above 100 for maximumPercent/],
  ])("CreateService refuses a DAEMON service with %s and writes nothing", async (_name, extra, message) => {
    await register("daemon-refused", sleeper());
    const call = () => t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "refused", taskDefinition: "daemon-refused", schedulingStrategy: "DAEMON", ...extra }));
    await expect(call()).rejects.toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(message) });
    const res = await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["refused"] }));
    expect(res.failures).toEqual([expect.objectContaining({ reason: "MISSING" })]);
  });

  it("runs one task on the instance, rolls a new revision in place, drains last, and comes back on ACTIVE", async () => {
    const v1 = await register("daemon-app", sleeper());
    const created = await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "agentd", taskDefinition: "daemon-app", schedulingStrategy: "DAEMON" }));
    expect(created.service).toMatchObject({ schedulingStrategy: "DAEMON", desiredCount: 1, deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 } });

    const first = await onlyRunning("agentd", v1);
    expect(first.containerInstanceArn).toBe(instanceArn);
    const steady = await eventually("a steady DAEMON service", async () => {
      const s = await describe1("agentd");
      return s.runningCount === 1 && s.deployments?.length === 1 && s.deployments[0].rolloutState === "COMPLETED" ? s : undefined;
    });
    expect(steady).toMatchObject({ desiredCount: 1, schedulingStrategy: "DAEMON" });

    // UpdateService cannot set a desired count on it.
    await expect(t.ecs.send(new UpdateServiceCommand({ cluster, service: "agentd", desiredCount: 3 }))).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: expect.stringMatching(/does not support a desired count/),
    });

    // A new revision: the old task stops, then the new one starts on the same instance.
    const v2 = await register("daemon-app", sleeper({ environment: [{ name: "VERSION", value: "2" }] }));
    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "agentd", taskDefinition: "daemon-app" }));
    const second = await onlyRunning("agentd", v2);
    expect(second.containerInstanceArn).toBe(instanceArn);
    const [old] = (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [first.taskArn!] }))).tasks!;
    expect(old).toMatchObject({ lastStatus: "STOPPED", stopCode: "ServiceSchedulerInitiated" });
    expect(Number(second.startedAt)).toBeGreaterThanOrEqual(Number(old.stoppedAt));
    await eventually("the new deployment alone, completed", async () => {
      const s = await describe1("agentd");
      return s.deployments?.length === 1 && s.deployments[0].rolloutState === "COMPLETED" && s.desiredCount === 1 ? s : undefined;
    });

    // Drain with a standalone task still there: the daemon task waits for it.
    const other = (await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "daemon-app" }))).tasks![0];
    await eventually("the standalone task running", async () =>
      (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [other.taskArn!] }))).tasks![0].lastStatus === "RUNNING" ? true : undefined,
    );
    await setStatus("DRAINING");
    await eventually("desiredCount 0 while draining", async () => ((await describe1("agentd")).desiredCount === 0 ? true : undefined));
    // Several rounds pass (300 ms each): the daemon task is still running.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await liveTasks("agentd")).map((x) => [x.taskArn, x.desiredStatus])).toEqual([[second.taskArn, "RUNNING"]]);
    await t.ecs.send(new StopTaskCommand({ cluster, task: other.taskArn!, reason: "done" }));
    const drained = await eventually("the daemon task stopped after the other one", async () => {
      const [x] = (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [second.taskArn!] }))).tasks!;
      return x.lastStatus === "STOPPED" ? x : undefined;
    });
    expect(drained.stoppedReason).toBe("Container instance is being drained");

    // Back to ACTIVE: the instance gets a daemon task again.
    await setStatus("ACTIVE");
    const back = await onlyRunning("agentd", v2);
    expect(back.containerInstanceArn).toBe(instanceArn);
    expect((await describe1("agentd")).desiredCount).toBe(1);

    // A DAEMON service is deleted without scaling it to 0 first.
    await t.ecs.send(new DeleteServiceCommand({ cluster, service: "agentd" }));
    await eventually("the daemon service's tasks stopped", async () => ((await liveTasks("agentd")).length === 0 ? true : undefined));
  });

  it("reports a daemon task that does not fit its instance with ECS's event, naming the instance", async () => {
    await register("daemon-huge", sleeper({ memory: 4_000_000 }));
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "huge", taskDefinition: "daemon-huge", schedulingStrategy: "DAEMON" }));
    const id = instanceArn.split("/").pop();
    const s = await eventually("the unable-to-place event", async () => {
      const x = await describe1("huge");
      return x.events?.some((e) => e.message?.includes(`was unable to place a task`) && e.message.includes(`(container-instance ${id}) has insufficient memory available`)) ? x : undefined;
    });
    expect(s).toMatchObject({ desiredCount: 1, runningCount: 0 });
    await t.ecs.send(new DeleteServiceCommand({ cluster, service: "huge" }));
  });
});

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CreateServiceCommand,
  DescribeTasksCommand,
  GetTaskProtectionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  UpdateTaskProtectionCommand,
  type ContainerDefinition,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { describeService, registerFamily, runningTasks as serviceRunningTasks, sleeper, type ServiceScope } from "../support/cluster-services.js";

// Task scale-in protection through the JS SDK with a real agent: protected service tasks
// survive a scale-in and hold a deployment back until their protection is removed; StopTask
// still stops them; unknown and standalone tasks come back as ECS's failures.
const run = promisify(execFile);
const cluster = `prot-${process.pid}`;
let host: SingleHost;
let t: TestControlPlane;

beforeAll(async () => {
  host = await startSingleHost(cluster, { BERTH_RECONCILE_INTERVAL_MS: "300" });
  t = host.t;
});

afterAll(async () => {
  await host?.stop();
});

const scope: ServiceScope = { ecs: () => t.ecs, cluster };
const register = (family: string, c: ContainerDefinition = sleeper()) => registerFamily(scope, family, c);
const describe1 = (name: string) => describeService(scope, name);
const runningTasks = (name: string) => serviceRunningTasks(scope, name);

const describeTask = async (arn: string): Promise<Task> => (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];

const untilStopped = (arn: string) =>
  eventually(`task ${arn} to stop`, async () => {
    const d = await describeTask(arn);
    return d.lastStatus === "STOPPED" ? d : undefined;
  }, 30_000, 200);

/** Serviced tasks sorted by ARN, RUNNING and `count` of them. */
const untilRunning = (name: string, count: number) =>
  eventually(`${count} running tasks of ${name}`, async () => {
    const tasks = await runningTasks(name);
    return tasks.length === count ? tasks.sort((a, b) => a.taskArn!.localeCompare(b.taskArn!)) : undefined;
  }, 60_000, 200);

const protect = (tasks: string[], protectionEnabled: boolean, expiresInMinutes?: number) =>
  t.ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks, protectionEnabled, expiresInMinutes }));

/** Several reconcile rounds (300 ms each) pass, so a stop the planner would make has been made. */
const someRounds = () => new Promise((r) => setTimeout(r, 2_000));

describe("task scale-in protection", () => {
  it("a scale-in stops unprotected tasks only, stays above desired while protected ones remain, converges once protection is removed", async () => {
    await register("prot-scale");
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "scale", taskDefinition: "prot-scale", desiredCount: 3 }));
    const [a, b, c] = await untilRunning("scale", 3);

    const before = Date.now();
    // By ARN and by bare id, as ECS takes either.
    const set = await protect([a.taskArn!, b.taskArn!.split("/").pop()!], true, 60);
    expect(set.failures).toEqual([]);
    expect(set.protectedTasks!.map((p) => [p.taskArn, p.protectionEnabled])).toEqual([[a.taskArn, true], [b.taskArn, true]]);
    for (const p of set.protectedTasks!) {
      // 60 minutes from the call, as the SDK parses ECS's epoch seconds.
      expect(Math.abs(p.expirationDate!.getTime() - (before + 60 * 60_000))).toBeLessThan(30_000);
    }
    const got = await t.ecs.send(new GetTaskProtectionCommand({ cluster, tasks: [a.taskArn!, b.taskArn!, c.taskArn!] }));
    expect(got.protectedTasks!.map((p) => p.protectionEnabled)).toEqual([true, true, false]);
    expect(got.protectedTasks![2].expirationDate).toBeUndefined();
    // Without tasks named: every task of the cluster whose protection holds.
    const listed = await t.ecs.send(new GetTaskProtectionCommand({ cluster }));
    expect(listed.protectedTasks!.map((p) => p.taskArn).sort()).toEqual([a.taskArn, b.taskArn].sort());

    // 3 → 1: only c is unprotected, so only c goes; the service keeps 2, above desired.
    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "scale", desiredCount: 1 }));
    const stopped = await untilStopped(c.taskArn!);
    expect(stopped.stoppedReason).toMatch(/^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/);
    await someRounds();
    expect((await runningTasks("scale")).map((x) => x.taskArn).sort()).toEqual([a.taskArn, b.taskArn].sort());
    const above = await describe1("scale");
    expect(above).toMatchObject({ desiredCount: 1, runningCount: 2 });

    // b's protection is removed (through the AWS CLI's --no-protection-enabled): it is the one
    // to go, and the service converges on a alone.
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
    const cli = await run("/usr/bin/aws", ["ecs", "update-task-protection", "--endpoint-url", t.endpoint, "--cluster", cluster, "--tasks", b.taskArn!, "--no-protection-enabled"], { env });
    expect(JSON.parse(cli.stdout)).toEqual({ protectedTasks: [{ taskArn: b.taskArn, protectionEnabled: false }], failures: [] });
    await untilStopped(b.taskArn!);
    await eventually("the service at its desired count", async () => {
      const s = await describe1("scale");
      return s.runningCount === 1 && s.deployments?.length === 1 ? s : undefined;
    }, 30_000, 200);
    expect((await runningTasks("scale")).map((x) => x.taskArn)).toEqual([a.taskArn]);
  });

  it("a deployment waits for a protected old task and completes once its protection is removed", async () => {
    await register("prot-roll");
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "roll", taskDefinition: "prot-roll", desiredCount: 1 }));
    const [old] = await untilRunning("roll", 1);
    await protect([old.taskArn!], true);
    const v2 = await register("prot-roll", sleeper({ environment: [{ name: "VERSION", value: "2" }] }));
    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "roll", taskDefinition: "prot-roll" }));

    // The new task comes up beside the old one, which the deployment may not stop.
    const both = await untilRunning("roll", 2);
    expect(both.map((x) => x.taskDefinitionArn).sort()).toEqual([old.taskDefinitionArn, v2].sort());
    await someRounds();
    expect((await runningTasks("roll")).some((x) => x.taskArn === old.taskArn)).toBe(true);
    const waiting = await describe1("roll");
    expect(waiting.deployments).toHaveLength(2);
    expect(waiting.deployments!.find((d) => d.status === "PRIMARY")?.rolloutState).toBe("IN_PROGRESS");

    await protect([old.taskArn!], false);
    const stopped = await untilStopped(old.taskArn!);
    expect(stopped.stoppedReason).toMatch(/^Scaling activity initiated by/);
    const done = await eventually("the deployment to complete", async () => {
      const s = await describe1("roll");
      return s.deployments?.length === 1 && s.deployments[0].rolloutState === "COMPLETED" ? s : undefined;
    }, 30_000, 200);
    expect(done.taskDefinition).toBe(v2);
  });

  it("does not keep StopTask from stopping a protected task", async () => {
    const [task] = await untilRunning("roll", 1);
    await protect([task.taskArn!], true);
    await t.ecs.send(new StopTaskCommand({ cluster, task: task.taskArn!, reason: "operator" }));
    const stopped = await untilStopped(task.taskArn!);
    expect(stopped).toMatchObject({ stoppedReason: "operator", stopCode: "UserInitiated" });
  });

  it("answers unknown and standalone tasks with ECS's failures, and bad requests with ECS's errors", async () => {
    const standalone = (await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: await register("prot-standalone") }))).tasks![0];
    const refused = await protect([standalone.taskArn!], true);
    expect(refused.protectedTasks).toEqual([]);
    expect(refused.failures).toEqual([{ arn: standalone.taskArn, reason: "TASK_NOT_VALID", detail: "The task is not part of a service: only service tasks can be protected." }]);

    // An unknown task, named by id: MISSING, with the ARN it would have.
    const unknownId = "0123456789abcdef0123456789abcdef";
    const got = await t.ecs.send(new GetTaskProtectionCommand({ cluster, tasks: [unknownId] }));
    expect(got.protectedTasks).toEqual([]);
    expect(got.failures).toEqual([{ arn: standalone.taskArn!.replace(/[^/]+$/, unknownId), reason: "MISSING", detail: "The specified task wasn't found." }]);
    const missingUpdate = await protect([unknownId], true);
    expect(missingUpdate.failures!.map((f) => f.reason)).toEqual(["MISSING"]);
    const asked = await t.ecs.send(new GetTaskProtectionCommand({ cluster, tasks: [standalone.taskArn!] }));
    expect(asked.failures!.map((f) => f.reason)).toEqual(["TASK_NOT_VALID"]);

    await expect(t.ecs.send(new GetTaskProtectionCommand({ cluster: "no-such-cluster", tasks: [unknownId] }))).rejects.toMatchObject({ name: "ClusterNotFoundException" });
    await expect(protect([standalone.taskArn!], true, 0)).rejects.toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(/^expiresInMinutes: /) });
    await expect(protect([standalone.taskArn!], true, 2881)).rejects.toMatchObject({ name: "InvalidParameterException" });
    const eleven = Array.from({ length: 11 }, (_, i) => `task${i}`);
    await expect(protect(eleven, true)).rejects.toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(/^tasks: at most 10/) });
    await expect(protect([], true)).rejects.toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(/^tasks: /) });
    await t.ecs.send(new StopTaskCommand({ cluster, task: standalone.taskArn! }));
  });
});

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type Service,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { docker } from "../support/docker.js";
import { TEST_IMAGE } from "../support/image.js";

// Services on one host with a real agent: keep the count, replace what dies or turns unhealthy,
// roll to a new revision, trip the circuit breaker and roll back, and satisfy `wait services-stable`.
const run = promisify(execFile);
const cluster = `svc-${process.pid}`;
let host: SingleHost;
let t: TestControlPlane;

beforeAll(async () => {
  host = await startSingleHost(cluster, { BERTH_RECONCILE_INTERVAL_MS: "300" });
  t = host.t;
});

afterAll(async () => {
  await host?.stop();
});

const sleeper = (extra: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
  name: "main",
  image: TEST_IMAGE,
  memory: 16,
  essential: true,
  stopTimeout: 1,
  command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"],
  ...extra,
});

async function register(family: string, c: ContainerDefinition): Promise<string> {
  const res = await t.ecs.send(new RegisterTaskDefinitionCommand({ family, networkMode: "bridge", containerDefinitions: [c] }));
  return res.taskDefinition!.taskDefinitionArn!;
}

const describe1 = async (name: string): Promise<Service> => (await t.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))).services![0];

/** Waits until the service is stable as `aws ecs wait services-stable` judges it, plus `extra`. */
const untilStable = (name: string, extra: (s: Service) => boolean = () => true, timeoutMs = 60_000) =>
  eventually(`service ${name} to be stable`, async () => {
    const s = await describe1(name);
    return s.deployments?.length === 1 && s.runningCount === s.desiredCount && extra(s) ? s : undefined;
  }, timeoutMs, 300);

async function runningTasks(name: string) {
  const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: name }))).taskArns ?? [];
  if (arns.length === 0) return [];
  return (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!.filter((x) => x.lastStatus === "RUNNING");
}

describe("services end to end", () => {
  it("starts the desired count, tags tasks with the deployment and group, reaches a steady state", async () => {
    await register("svc-app", sleeper());
    const created = await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "app", taskDefinition: "svc-app", desiredCount: 3 }));
    const deploymentId = created.service!.deployments![0].id!;
    await untilStable("app", (x) => x.runningCount === 3);
    const tasks = await runningTasks("app");
    expect(tasks).toHaveLength(3);
    for (const task of tasks) expect(task).toMatchObject({ group: "service:app", startedBy: deploymentId });
    // The round after the tasks run completes the rollout and says so: read the service as it is then.
    const s = await eventually("the steady-state event", async () => {
      const x = await describe1("app");
      return x.events?.some((e) => e.message === "(service app) has reached a steady state.") ? x : undefined;
    });
    expect(s.deployments![0]).toMatchObject({ status: "PRIMARY", rolloutState: "COMPLETED", runningCount: 3 });
  });

  it("passes `aws ecs wait services-stable`", async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b", AWS_DEFAULT_REGION: "us-east-1" };
    const res = await run("/usr/bin/aws", ["ecs", "wait", "services-stable", "--endpoint-url", t.endpoint, "--cluster", cluster, "--services", "app"], { env });
    expect(res.stderr).toBe("");
  });

  it("replaces a task whose container is killed", async () => {
    const [victim] = await runningTasks("app");
    await docker().getContainer(victim.containers![0].runtimeId!).kill();
    await eventually("a replacement to run", async () => {
      const tasks = await runningTasks("app");
      return tasks.length === 3 && !tasks.some((x) => x.taskArn === victim.taskArn) ? tasks : undefined;
    }, 60_000, 300);
  });

  it("scales out and in", async () => {
    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "app", desiredCount: 5 }));
    await untilStable("app", (x) => x.runningCount === 5);
    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "app", desiredCount: 2 }));
    await untilStable("app", (x) => x.runningCount === 2);
    expect(await runningTasks("app")).toHaveLength(2);
  });

  it("rolls to a new revision without dropping below the desired healthy count (100/200)", async () => {
    const v2 = await register("svc-app", sleeper({ environment: [{ name: "VERSION", value: "2" }] }));
    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "app", taskDefinition: "svc-app" }));
    let lowest = Infinity;
    const done = await eventually("the rollout to finish", async () => {
      const running = await runningTasks("app");
      lowest = Math.min(lowest, running.length);
      const s = await describe1("app");
      return s.deployments?.length === 1 && running.length === 2 && running.every((x) => x.taskDefinitionArn === v2) ? s : undefined;
    }, 90_000, 250);
    expect(done.taskDefinition).toBe(v2);
    expect(done.deployments![0].rolloutState).toBe("COMPLETED");
    expect(lowest).toBeGreaterThanOrEqual(2);
  });

  // The last three touch different services and wait mostly on timers (health check intervals,
  // the breaker's failed starts): they run side by side.
  it.concurrent("replaces a task whose health check fails", async () => {
    // healthy until /tmp/sick exists
    await register("svc-health", sleeper({ healthCheck: { command: ["CMD-SHELL", "test ! -e /tmp/sick"], interval: 5, timeout: 2, retries: 1, startPeriod: 0 } }));
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "health", taskDefinition: "svc-health", desiredCount: 1 }));
    const [first] = await eventually("a healthy task", async () => {
      const tasks = await runningTasks("health");
      return tasks.length === 1 && tasks[0].healthStatus === "HEALTHY" ? tasks : undefined;
    }, 60_000, 300);
    const exec = await docker().getContainer(first.containers![0].runtimeId!).exec({ Cmd: ["touch", "/tmp/sick"] });
    await exec.start({});
    const stopped = await eventually("the unhealthy task to be stopped", async () => {
      const d = (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [first.taskArn!] }))).tasks![0];
      return d.lastStatus === "STOPPED" ? d : undefined;
    }, 60_000, 300);
    expect(stopped.stoppedReason).toBe("Task failed container health checks");
    await eventually("a healthy replacement", async () => {
      const tasks = await runningTasks("health");
      return tasks.length === 1 && tasks[0].taskArn !== first.taskArn && tasks[0].healthStatus === "HEALTHY" ? true : undefined;
    }, 60_000, 300);
  });

  it.concurrent("trips the circuit breaker on a crashing revision and rolls back", async () => {
    await register("svc-breaker", sleeper());
    await t.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: "breaker",
        taskDefinition: "svc-breaker",
        desiredCount: 2,
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    const good = await untilStable("breaker", (x) => x.runningCount === 2);
    const goodTd = good.taskDefinition;
    await register("svc-breaker", sleeper({ image: "berth-test/no-such-image:1" }));
    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "breaker", taskDefinition: "svc-breaker" }));
    const rolledBack = await eventually("the breaker to roll back", async () => {
      const s = await describe1("breaker");
      return s.events?.some((e) => e.message?.includes("rolling back to deployment")) ? s : undefined;
    }, 120_000, 500);
    expect(rolledBack.events?.some((e) => e.message?.includes("deployment failed: tasks failed to start"))).toBe(true);
    const settled = await untilStable("breaker", (x) => x.runningCount === 2 && x.taskDefinition === goodTd, 90_000);
    expect(settled.deployments![0].taskDefinition).toBe(goodTd);
    // the good tasks never went below the desired count
    expect((await runningTasks("breaker")).every((x) => x.taskDefinitionArn === goodTd)).toBe(true);
  });

  it.concurrent("deletes a service: its tasks stop and it becomes INACTIVE", async () => {
    await t.ecs.send(new DeleteServiceCommand({ cluster, service: "app", force: true }));
    const gone = await eventually("the service to become INACTIVE", async () => {
      const s = await describe1("app");
      return s.status === "INACTIVE" ? s : undefined;
    }, 60_000, 300);
    expect(gone.runningCount).toBe(0);
    expect(await runningTasks("app")).toHaveLength(0);
  });
});

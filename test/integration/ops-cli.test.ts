import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import {
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileControlPlaneConfig, startControlPlane } from "@berth/controlplane";
import { eventually, startSingleHost, testCaKeyFile, testLogger, type SingleHost } from "../support/berth.js";
import { TEST_IMAGE } from "../support/image.js";
import { berthBin } from "../support/berth-cli.js";

// The operator commands as a user runs them: the built `berth` binary against a real control
// plane and agent, addressed only by --endpoint and --cluster. The control plane checks SigV4
// (the keys the test support's SDK client signs with), so every command, logs included, must sign.
const env = { ...process.env, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "dummy-secret" };
const run = promisify(execFile);
const cluster = `ops-${process.pid}`;
let host: SingleHost;
let instanceArn: string;
let taskIds: string[];

/** Runs `berth <args> --endpoint E --cluster C`; resolves with the exit code and output. */
function berth(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return berthRaw(...args, "--endpoint", host.t.endpoint, "--cluster", cluster);
}

/** Runs `berth <args>` as given. */
async function berthRaw(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [berthBin, ...args], { timeout: 30_000, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  host = await startSingleHost(cluster, { BERTH_RECONCILE_INTERVAL_MS: "300", BERTH_ACCESS_KEYS: "AKIDEXAMPLE:dummy-secret" });
  const ecs = host.t.ecs;
  instanceArn = (await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns![0];
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "ops-web",
      networkMode: "bridge",
      containerDefinitions: [
        {
          name: "main",
          image: TEST_IMAGE,
          memory: 16,
          essential: true,
          stopTimeout: 1,
          portMappings: [{ containerPort: 80, hostPort: 0 }],
          command: ["sh", "-c", "trap 'exit 0' TERM; echo hello-from-$HOSTNAME; i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.5; done"],
        },
      ],
    }),
  );
  await ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: "ops-web", desiredCount: 2 }));
  taskIds = await eventually("two running tasks of web", async () => {
    const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName: "web" }))).taskArns ?? [];
    const tasks = arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks! : [];
    return tasks.length === 2 && tasks.every((t) => t.lastStatus === "RUNNING") ? tasks.map((t) => t.taskArn!.split("/").pop()!) : undefined;
  }, 60_000, 300);
}, 90_000);

afterAll(async () => {
  await host?.stop();
});

describe("berth operator commands", () => {
  it("node ls shows the instance, connected and active", async () => {
    const r = await berth("node", "ls");
    expect(r.code, r.stderr).toBe(0);
    const row = r.stdout.split("\n").find((l) => l.includes(instanceArn));
    expect(row).toMatch(/ACTIVE.*yes/);
  });

  it("ps --service shows the service's tasks with their host->container ports", async () => {
    const r = await berth("ps", "--service", "web");
    expect(r.code, r.stderr).toBe(0);
    for (const id of taskIds) expect(r.stdout.split("\n").find((l) => l.includes(id))).toMatch(/ops-web:1.*RUNNING\/RUNNING.*\d+->80/);
  });

  it("events shows the service reaching a steady state and the tasks running", async () => {
    const r = await eventually("the steady-state event in `berth events`", async () => {
      const out = await berth("events", "--service", "web");
      return out.stdout.includes("(service web) has reached a steady state.") ? out : undefined;
    });
    expect(r.code).toBe(0);
    for (const id of taskIds) expect(r.stdout).toContain(`task/${id}  (ops-web:1)`);
  });

  it("logs --task prints what the container wrote, prefixed task/container", async () => {
    const r = await berth("logs", "--task", taskIds[0], "--tail", "1000");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${taskIds[0]}/main \\| hello-from-\\w+$`, "m"));
  });

  it("the log endpoint refuses an unsigned request", async () => {
    const res = await fetch(`${host.t.endpoint}/berth/v1/logs?cluster=${cluster}&task=${taskIds[0]}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(((await res.json()) as { __type: string }).__type).toBe("MissingAuthenticationTokenException");
  });

  it("logs -f --service follows every task's output, interleaved, new tasks too, until Ctrl-C", async () => {
    const child = spawn(process.execPath, [berthBin, "logs", "-f", "--service", "web", "--since", "5s", "--endpoint", host.t.endpoint, "--cluster", cluster], { env });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const fromBoth = (since: number) => () =>
        Promise.resolve(taskIds.every((id) => new RegExp(`^${id}/main \\| tick-\\d+$`, "m").test(out.slice(since))) ? true : undefined);
      await eventually("tick lines from both tasks", fromBoth(0), 20_000, 200);
      // Lines that arrive after the first ones prove it follows rather than reads once.
      await eventually("later tick lines from both tasks", fromBoth(out.length), 20_000, 200);
      // A task the service starts later (here by scaling up) is followed too.
      await host.t.ecs.send(new UpdateServiceCommand({ cluster, service: "web", desiredCount: 3 }));
      await eventually("lines of the third task", async () =>
        out.split("\n").some((l) => /^\w+\/main \| hello-from-/.test(l) && !taskIds.some((id) => l.startsWith(`${id}/`))) ? true : undefined,
      20_000, 200);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited, err).toBe(0);
  });

  it("an unknown node, service, cluster or endpoint is a clear error (listing the known ones), exit 1", async () => {
    const node = await berth("node", "drain", "nope");
    expect(node.code).toBe(1);
    expect(node.stderr).toContain(`berth: unknown node 'nope'; known nodes: `);
    expect(node.stderr).toContain(instanceArn.split("/").pop());
    const svc = await berth("ps", "--service", "nope");
    expect(svc.code).toBe(1);
    expect(svc.stderr).toContain(`berth: unknown service 'nope' in cluster ${cluster}; known services: web`);
    const logs = await berth("logs", "--service", "nope");
    expect(logs.code).toBe(1);
    expect(logs.stderr).toContain("known services: web");
    // A cluster the endpoint does not have, and an endpoint with nothing listening.
    const noCluster = await berthRaw("ps", "--endpoint", host.t.endpoint, "--cluster", "nope");
    expect(noCluster).toMatchObject({ code: 1, stderr: expect.stringContaining(`berth: cluster 'nope' does not exist at ${host.t.endpoint}`) });
    const noTask = await berth("logs", "--task", "nope");
    expect(noTask).toMatchObject({ code: 1, stderr: expect.stringContaining(`berth: unknown task 'nope' in cluster ${cluster}; running tasks: `) });
    const noBerth = await berthRaw("node", "ls", "--endpoint", "http://127.0.0.1:1");
    expect(noBerth).toMatchObject({ code: 1, stderr: expect.stringContaining("berth: cannot reach berth at http://127.0.0.1:1 (ECONNREFUSED)") });
  });

  it("logs through a replica that does not hold the agent's session are passed on to the one that does", async () => {
    const other = await startControlPlane(
      compileControlPlaneConfig({ etcdEndpoints: host.t.etcd.endpoint, apiAddress: "127.0.0.1:0", grpcAddress: "127.0.0.1:0", caKeyFile: testCaKeyFile }, { BERTH_ACCESS_KEYS: "AKIDEXAMPLE:dummy-secret" }),
      testLogger(),
    );
    try {
      const r = await berthRaw("logs", "--task", taskIds[0], "--tail", "1000", "--endpoint", `http://127.0.0.1:${other.apiPort}`, "--cluster", cluster);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^${taskIds[0]}/main \\| hello-from-\\w+$`, "m"));
    } finally {
      await other.close();
    }
  });

  it("node drain then node activate change the instance's status", async () => {
    const status = async () => (await host.t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [instanceArn] }))).containerInstances![0].status;
    const hostname = (await host.t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [instanceArn] }))).containerInstances![0].ec2InstanceId!;
    const drain = await berth("node", "drain", hostname);
    expect(drain.code, drain.stderr).toBe(0);
    expect(drain.stdout).toContain("ACTIVE -> DRAINING");
    expect(await status()).toBe("DRAINING");
    expect((await berth("node", "ls")).stdout.split("\n").find((l) => l.includes(instanceArn))).toContain("DRAINING");
    const activate = await berth("node", "activate", instanceArn.split("/").pop()!);
    expect(activate.code, activate.stderr).toBe(0);
    expect(activate.stdout).toContain("DRAINING -> ACTIVE");
    expect(await status()).toBe("ACTIVE");
  });
});


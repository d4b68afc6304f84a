import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@berth/shared";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { docker } from "../support/docker.js";
import { startTestRegistry, type TestRegistry } from "../support/registry.js";

// Task secrets end to end through the AWS CLI: a Secrets Manager JSON key, a whole secret and a
// SecureString parameter injected as a container's environment (its log proves it); references
// that do not resolve stop the task before anything starts, with ECS's stoppedReason; and no
// plaintext in etcd, the control plane's log, DescribeTasks or the agent's state file.
const run = promisify(execFile);
const aws = "/usr/bin/aws";
const cluster = `secrets-${process.pid}`;
const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
const prefix = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ";
const plain = { password: "pw-task-Zr81", token: "token-task-Mk44", param: "param-task-Hb09", user: "reg-user-Tt1", pass: "reg-pass-Uu2" };
const logLines: string[] = [];
let host: SingleHost;
let t: TestControlPlane;
let tmp: string;
let dbArn: string;
let registry: TestRegistry;

async function cli(service: "ecs" | "secretsmanager" | "ssm", ...args: string[]): Promise<any> {
  const { stdout } = await run(aws, [service, "--endpoint-url", t.endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

/** Registers a one-container busybox family with `extra` container fields and runs one task. */
async function runWith(family: string, script: string, extra: object): Promise<string> {
  const file = join(tmp, `${family}.json`);
  await writeFile(file, JSON.stringify({ family, containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", memory: 32, command: ["sh", "-c", script], ...extra }] }));
  await cli("ecs", "register-task-definition", "--cli-input-json", `file://${file}`);
  const res = await cli("ecs", "run-task", "--cluster", cluster, "--task-definition", family);
  expect(res.failures).toEqual([]);
  return res.tasks[0].taskArn;
}

/** Waits for the task to stop, polling with the SDK (a CLI process per poll is slow), then describes it with the CLI. */
async function stopped(taskArn: string): Promise<any> {
  await eventually(`task ${taskArn} to stop`, async () => {
    const d = await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    return d.tasks?.[0]?.lastStatus === "STOPPED" ? true : undefined;
  }, 60_000);
  return (await cli("ecs", "describe-tasks", "--cluster", cluster, "--tasks", taskArn)).tasks[0];
}

/** The containers Docker holds for a task. */
async function containersOf(taskArn: string) {
  return docker().listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.task-arn=${taskArn}`] } });
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "berth-secrets-"));
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  host = await startSingleHost(cluster, {}, createLogger({ level: "debug", destination: sink }));
  registry = await startTestRegistry({ image: "berth-test/busybox:latest", repository: "private/app", tag: "1", username: plain.user, password: plain.pass });
  t = host.t;
  dbArn = (await cli("secretsmanager", "create-secret", "--name", "db", "--secret-string", JSON.stringify({ username: "app", password: plain.password }))).ARN;
  await cli("secretsmanager", "create-secret", "--name", "api-token", "--secret-string", plain.token);
  await cli("secretsmanager", "create-secret", "--name", "registry", "--secret-string", JSON.stringify({ username: plain.user, password: plain.pass }));
  await cli("ssm", "put-parameter", "--name", "/app/param", "--value", plain.param, "--type", "SecureString");
});

afterAll(async () => {
  await host?.stop();
  await registry?.close();
  if (registry) await docker().getImage(`${registry.host}/private/app:1`).remove({ force: true }).catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("task secrets", () => {
  let okArn: string;

  it("injects a JSON key, a whole secret and a SecureString as the container's environment", async () => {
    const tokenArn = (await cli("secretsmanager", "describe-secret", "--secret-id", "api-token")).ARN;
    okArn = await runWith("secrets-ok", 'echo "pw=$DB_PASSWORD token=$API_TOKEN param=$PARAM byarn=$PARAM_ARN"', {
      secrets: [
        { name: "DB_PASSWORD", valueFrom: `${dbArn}:password::` },
        { name: "API_TOKEN", valueFrom: tokenArn },
        { name: "PARAM", valueFrom: "/app/param" },
        { name: "PARAM_ARN", valueFrom: "arn:aws:ssm:us-east-1:000000000000:parameter/app/param" },
      ],
      repositoryCredentials: { credentialsParameter: "registry" },
    });
    const task = await stopped(okArn);
    expect({ exitCode: task.containers[0].exitCode, reason: task.stoppedReason, container: task.containers[0].reason }).toEqual({ exitCode: 0, reason: "Essential container in task exited", container: undefined });
    const [c] = await containersOf(okArn);
    const out = (await docker().getContainer(c.Id).logs({ stdout: true, stderr: true })).toString("latin1");
    expect(out).toContain(`pw=${plain.password} token=${plain.token} param=${plain.param} byarn=${plain.param}`);
  });

  it("pulls a private registry's image with the repositoryCredentials secret", async () => {
    const arn = await runWith("secrets-registry", "echo pulled", { image: `${registry.host}/private/app:1`, repositoryCredentials: { credentialsParameter: "registry" } });
    const task = await stopped(arn);
    expect({ exitCode: task.containers[0].exitCode, reason: task.containers[0].reason }).toEqual({ exitCode: 0, reason: undefined });
    expect(registry.manifestsServed).toBeGreaterThan(0);
    expect(registry.presented).toContainEqual({ username: plain.user, password: plain.pass });
  });

  // Each row: a reference that does not resolve, and the tail of the stoppedReason it gives.
  const badCases: [string, object, string][] = [
    // A secret that does not exist.
    ["missing secret", { secrets: [{ name: "X", valueFrom: "arn:aws:secretsmanager:us-east-1:000000000000:secret:nope-AbCdEf" }] }, "unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:000000000000:secret:nope-AbCdEf from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret."],
    // A JSON key the secret lacks.
    ["missing json key", { secrets: [{ name: "X", valueFrom: "db:nokey::" }] }, "unable to retrieve secret from asm: service call has been retried 1 time(s): retrieved secret from Secrets Manager did not contain json key nokey"],
    // A staging label no version carries.
    ["wrong version stage", { secrets: [{ name: "X", valueFrom: "db:password:AWSPENDING:" }] }, "failed to fetch secret db from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSPENDING"],
    // A parameter that does not exist.
    ["missing parameter", { secrets: [{ name: "X", valueFrom: "arn:aws:ssm:us-east-1:000000000000:parameter/app/none" }] }, "unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid parameters: arn:aws:ssm:us-east-1:000000000000:parameter/app/none"],
    // Registry credentials from a secret that does not exist.
    ["missing registry auth", { repositoryCredentials: { credentialsParameter: "no-registry" } }, "unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching secret from the service for no-registry: ResourceNotFoundException"],
    // A log option from a secret that does not exist.
    ["missing log secret", { logConfiguration: { logDriver: "json-file", secretOptions: [{ name: "x", valueFrom: "nolog:k::" }] } }, "failed to fetch secret nolog from secrets manager: ResourceNotFoundException"],
  ];

  it("stops each task whose references do not resolve before launch, with ECS's wording and nothing started", async () => {
    // All at once: each waits on the same agent, so the rows share the wait.
    const arns = await Promise.all(badCases.map(([label, extra]) => runWith(`secrets-bad-${label.replace(/ /g, "-")}`, "echo never", extra)));
    const tasks = await Promise.all(arns.map(stopped));
    for (const [i, [label, , reason]] of badCases.entries()) {
      expect({ label, stopCode: tasks[i].stopCode, prefixed: tasks[i].stoppedReason.startsWith(prefix) }).toEqual({ label, stopCode: "TaskFailedToStart", prefixed: true });
      expect(tasks[i].stoppedReason).toContain(reason);
      // Nothing was started: the agent never heard of the task.
      expect(await containersOf(arns[i])).toEqual([]);
    }
  });

  it("keeps every plaintext out of etcd, the control plane's log, DescribeTasks and the agent's state", async () => {
    // Every key etcd holds, read raw (not only berth's JSON ones).
    const values = Object.values(await t.cp.ctx.store.kv.client.getAll().strings());
    const described = JSON.stringify(await cli("ecs", "describe-tasks", "--cluster", cluster, "--tasks", okArn));
    const state = await readFile(join(host.agent.dataDir, "agent-state.json"), "utf8");
    expect(state).toContain(okArn);
    const agentLog = host.agent.output();
    for (const p of Object.values(plain)) {
      expect(values.filter((v) => v.includes(p))).toEqual([]);
      expect(logLines.filter((l) => l.includes(p))).toEqual([]);
      expect(described).not.toContain(p);
      expect(state).not.toContain(p);
      expect(agentLog).not.toContain(p);
    }
  });
});

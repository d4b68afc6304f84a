import { spawn } from "node:child_process";
import http from "node:http";
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost } from "../support/berth.js";
import { TEST_IMAGE } from "../support/image.js";
import { berthBin } from "../support/berth-cli.js";

// `berth exec` as a user runs it: the built CLI, through the control plane's exec WebSocket
// (SigV4-checked), over the agent's session, into a real container on the real engine.
const env = { ...process.env, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "dummy-secret" };
const cluster = `exec-${process.pid}`;
let host: SingleHost;
let taskId: string;

/** Runs `berth exec --endpoint E --cluster C <args>`, feeding `stdin` when given. */
function exec(args: string[], stdin?: Buffer | string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [berthBin, "exec", "--endpoint", host.t.endpoint, "--cluster", cluster, ...args], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin.end(stdin);
  });
}

async function runningTask(family: string): Promise<string> {
  const arn = (await host.t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }))).tasks![0].taskArn!;
  await eventually(`task of ${family} running`, async () => {
    const t = (await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
    return t.lastStatus === "RUNNING" ? true : undefined;
  }, 60_000, 200);
  return arn.split("/").pop()!;
}

beforeAll(async () => {
  host = await startSingleHost(cluster, { BERTH_ACCESS_KEYS: "AKIDEXAMPLE:dummy-secret" });
  const sleeper = (name: string, essential: boolean) => ({
    name,
    image: TEST_IMAGE,
    memory: 16,
    essential,
    stopTimeout: 1,
    environment: [{ name: "WHO", value: name }],
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"],
  });
  // The non-essential container first: the default must be the first essential one, not the first.
  await host.t.ecs.send(new RegisterTaskDefinitionCommand({ family: "exec-pair", containerDefinitions: [sleeper("side", false), sleeper("main", true)] }));
  await host.t.ecs.send(
    new RegisterTaskDefinitionCommand({ family: "exec-done", containerDefinitions: [{ name: "once", image: TEST_IMAGE, memory: 16, essential: true, command: ["true"] }] }),
  );
  taskId = await runningTask("exec-pair");
}, 90_000);

afterAll(async () => {
  await host?.stop();
});

describe("berth exec", () => {
  it("runs in the first essential container by default, stdout and stderr apart, exit 0", async () => {
    const r = await exec([taskId, "--", "sh", "-c", "echo out-$WHO; echo err-$WHO >&2"]);
    expect(r).toMatchObject({ code: 0, stdout: "out-main\n", stderr: "err-main\n" });
  });

  it("passes the command's exit code on exactly", async () => {
    expect((await exec([taskId, "--", "sh", "-c", "exit 7"])).code).toBe(7);
    expect((await exec([taskId, "--", "sh", "-c", "exit 0"])).code).toBe(0);
  });

  it("--container picks another container", async () => {
    const r = await exec(["--container", "side", taskId, "--", "sh", "-c", "echo $WHO"]);
    expect(r).toMatchObject({ code: 0, stdout: "side\n" });
  });

  it("-i streams stdin to the command, its end included", async () => {
    const r = await exec(["-i", taskId, "--", "sh", "-c", "cat; echo done"], "line one\nline two\n");
    expect(r).toMatchObject({ code: 0, stdout: "line one\nline two\ndone\n" });
  });

  it("moves a few MiB each way through the bounded windows", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, "x");
    const r = await exec(["-i", taskId, "--", "wc", "-c"], big);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(String(big.length));
    const out = await exec([taskId, "--", "seq", "1", "300000"]);
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.trimEnd().split("\n");
    expect(lines.length).toBe(300000);
    expect(lines.at(-1)).toBe("300000");
  });

  it("-t gives the command a terminal", async () => {
    const r = await exec(["-t", taskId, "--", "sh", "-c", "tty; echo tty-ok; exit 3"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^\/dev\/pts\/\d+\r\ntty-ok\r\n$/);
  });

  it("-it from a terminal (script's pty): keys reach the command's terminal, its exit code comes back", async () => {
    const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
    const line = [process.execPath, berthBin, "exec", "--endpoint", host.t.endpoint, "--cluster", cluster, "-it", taskId, "--", "sh", "-c", "read x; echo got-$x; exit 4"].map(quote).join(" ");
    const child = spawn("/usr/bin/script", ["-qec", line, "/dev/null"], { env });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const code = new Promise<number | null>((resolve) => child.once("close", resolve));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    try {
      // Typed as a terminal does, a carriage return ending the line: raw, it reaches the
      // command's terminal as is (typed before raw mode, the local terminal turns it into \n;
      // either way the command reads one line).
      await new Promise((r) => setTimeout(r, 500));
      child.stdin.write("hello\r");
      expect(await code).toBe(4);
      expect(out).toContain("got-hello");
    } finally {
      clearTimeout(timer);
      child.stdin.end();
    }
  });

  it("-it without a terminal on stdin is refused, as docker does", async () => {
    const r = await exec(["-it", taskId, "--", "sh"], "");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("berth: the input device is not a TTY");
  });

  it("a command that does not exist is Docker's exit code 126/127 with its message", async () => {
    const r = await exec([taskId, "--", "no-such-command"]);
    expect([126, 127]).toContain(r.code);
    expect(r.stdout + r.stderr).toContain("no-such-command");
  });

  it("an unknown task, an unknown container and a stopped task are clear errors, exit 1", async () => {
    const unknown = await exec(["nope", "--", "true"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`berth: task: no task 'nope' in cluster ${cluster}; running tasks: `);
    expect(unknown.stderr).toContain(taskId);
    const container = await exec(["--container", "web", taskId, "--", "true"]);
    expect(container.code).toBe(1);
    expect(container.stderr).toContain(`berth: container: task ${taskId} has no container 'web'; its containers: side, main`);
    const arn = (await host.t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "exec-done" }))).tasks![0].taskArn!;
    await eventually("the one-shot task stopped", async () => {
      const t = (await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
      return t.lastStatus === "STOPPED" ? true : undefined;
    }, 60_000, 200);
    const stopped = await exec([arn, "--", "true"]);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain(`is stopped; a command runs only in a running task`);
  });

  it("an unsigned exec is refused before the upgrade, in ECS's error shape", async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.get(`${host.t.endpoint}/berth/v1/exec?cluster=${cluster}&task=${taskId}&cmd=true`, {
        headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
      });
      req.on("response", (res) => {
        let b = "";
        res.on("data", (c: Buffer) => (b += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: b }));
      });
      req.on("upgrade", () => reject(new Error("upgraded without a signature")));
      req.on("error", reject);
    });
    expect(status).toBeGreaterThanOrEqual(400);
    expect((JSON.parse(body) as { __type: string }).__type).toBe("MissingAuthenticationTokenException");
  });

  it("a task on a disconnected agent is TargetNotConnectedException's message, exit 1", async () => {
    await host.agent.stop();
    await eventually("the agent marked disconnected", async () => {
      const r = await exec([taskId, "--", "true"]);
      return r.code === 1 && r.stderr.includes("is not connected") ? r : undefined;
    }, 20_000, 300);
  });
});

import { spawn } from "node:child_process";
import http from "node:http";
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileControlPlaneConfig, startControlPlane, type ControlPlane } from "@berth/controlplane";
import { eventually, startSingleHost, testCaKeyFile, testLogger, type SingleHost } from "../support/berth.js";
import { TEST_IMAGE } from "../support/image.js";
import { berthBin } from "../support/berth-cli.js";

// Two control-plane replicas on one etcd; the agent holds its session with the first. The CLI
// talks only to the second, which finds the holder through etcd (the session key names its
// replica, each replica advertises its address under a lease) and passes logs and exec on.
const keysEnv = { BERTH_ACCESS_KEYS: "AKIDEXAMPLE:dummy-secret" };
const env = { ...process.env, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "dummy-secret" };
const cluster = `relay-${process.pid}`;
let host: SingleHost;
let other: ControlPlane;
let otherEndpoint: string;
let taskId: string;

/** Runs `berth <cmd> --endpoint <the replica without the session> --cluster C <args>`. */
function berth(cmd: string, args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [berthBin, cmd, "--endpoint", otherEndpoint, "--cluster", cluster, ...args], { env });
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

beforeAll(async () => {
  host = await startSingleHost(cluster, keysEnv);
  other = await startControlPlane(
    compileControlPlaneConfig({ etcdEndpoints: host.t.etcd.endpoint, apiAddress: "127.0.0.1:0", grpcAddress: "127.0.0.1:0", caKeyFile: testCaKeyFile }, keysEnv),
    testLogger(),
  );
  otherEndpoint = `http://127.0.0.1:${other.apiPort}`;
  await host.t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "relay-echo",
      containerDefinitions: [
        { name: "main", image: TEST_IMAGE, memory: 16, essential: true, stopTimeout: 1, command: ["sh", "-c", "trap 'exit 0' TERM; echo started-$HOSTNAME; while true; do sleep 0.2; done"] },
      ],
    }),
  );
  const arn = (await host.t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "relay-echo" }))).tasks![0].taskArn!;
  await eventually("the task running", async () => {
    const t = (await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
    return t.lastStatus === "RUNNING" ? true : undefined;
  }, 60_000, 200);
  taskId = arn.split("/").pop()!;
}, 90_000);

afterAll(async () => {
  await other?.close();
  await host?.stop();
});

describe("logs and exec through the replica that does not hold the session", () => {
  it("logs --task comes through the other replica", async () => {
    const r = await eventually("the task's first line", async () => {
      const out = await berth("logs", ["--task", taskId]);
      return out.stdout.includes(`${taskId}/main | started-`) ? out : undefined;
    }, 10_000, 300);
    expect(r.code, r.stderr).toBe(0);
  });

  it("exec passes output and the exit code through the other replica", async () => {
    const r = await berth("exec", [taskId, "--", "sh", "-c", "echo via-replica; echo oops >&2; exit 7"]);
    expect(r).toMatchObject({ code: 7, stdout: "via-replica\n", stderr: "oops\n" });
  });

  it("exec -i carries stdin through the other replica, and -t a terminal", async () => {
    const i = await berth("exec", ["-i", taskId, "--", "sh", "-c", "tr a-z A-Z"], "piped through two replicas\n");
    expect(i).toMatchObject({ code: 0, stdout: "PIPED THROUGH TWO REPLICAS\n" });
    const t = await berth("exec", ["-t", taskId, "--", "sh", "-c", "tty >/dev/null && echo has-tty"]);
    expect(t).toMatchObject({ code: 0, stdout: "has-tty\r\n" });
  });

  it("a refusal by the holding replica comes back as it was, and a passed-on request is not passed on again", async () => {
    // A replica that checks no signatures: what it passes on, the holder (which does) refuses.
    const open = await startControlPlane(
      compileControlPlaneConfig({ etcdEndpoints: host.t.etcd.endpoint, apiAddress: "127.0.0.1:0", grpcAddress: "127.0.0.1:0", caKeyFile: testCaKeyFile }, {}),
      testLogger(),
    );
    try {
      const base = `http://127.0.0.1:${open.apiPort}`;
      const logs = await fetch(`${base}/berth/v1/logs?cluster=${cluster}&task=${taskId}`);
      expect([400, 403]).toContain(logs.status);
      expect(((await logs.json()) as { __type: string }).__type).toBe("MissingAuthenticationTokenException");
      const exec = await upgrade(`${base}/berth/v1/exec?cluster=${cluster}&task=${taskId}&cmd=true`);
      expect([400, 403]).toContain(exec.status);
      expect((JSON.parse(exec.body) as { __type: string }).__type).toBe("MissingAuthenticationTokenException");
      // Already passed on once: refused here, in words, rather than passed on again.
      const again = await fetch(`${base}/berth/v1/logs?cluster=${cluster}&task=${taskId}`, { headers: { "x-berth-forwarded-by": "replica-x" } });
      expect(again.status).toBe(503);
      expect(((await again.json()) as { message: string }).message).toContain("replica replica-x passed this request on");
      const execAgain = await upgrade(`${base}/berth/v1/exec?cluster=${cluster}&task=${taskId}&cmd=true`, { "x-berth-forwarded-by": "replica-x" });
      expect(execAgain.status).toBe(503);
    } finally {
      await open.close();
    }
  });
});

/** A WebSocket upgrade request by hand; resolves with the HTTP answer when it is refused. */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, {
      headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", ...headers },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("upgrade", (_res, socket) => {
      socket.destroy();
      reject(new Error("upgraded"));
    });
    req.on("error", reject);
  });
}

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateClusterCommand, DescribeContainerInstancesCommand, ECSClient, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { createLogger, silentLogger, type Logger } from "@berth/shared";
import { compileControlPlaneConfig, startControlPlane, type ControlPlane } from "@berth/controlplane";
import { ensureTestImage, removeContainersByLabel } from "./docker.js";
import { startEtcd, type EtcdServer } from "./etcd.js";
import { freePort } from "./ports.js";
import { forgetJoin, joinTokenEnv, rememberJoin } from "./join-tokens.js";

/** A control plane on its own etcd, with an ECS SDK client pointed at it. */
export interface TestControlPlane {
  etcd: EtcdServer;
  cp: ControlPlane;
  ecs: ECSClient;
  endpoint: string;
  grpcAddress: string;
  stop(): Promise<void>;
}

/** Logs of the processes under test go to stderr only when BERTH_TEST_LOGS is set. */
export function testLogger(): Logger {
  return process.env.BERTH_TEST_LOGS ? createLogger({ level: "debug", destination: process.stderr }) : silentLogger;
}

/**
 * Starts etcd and one control-plane replica on free loopback ports. Heartbeats are fast so
 * liveness tests finish quickly; everything else is the default.
 */
export async function startTestControlPlane(env: Record<string, string> = {}, log: Logger = testLogger()): Promise<TestControlPlane> {
  const etcd = await startEtcd();
  // Each control plane keeps its CloudWatch Logs store in its own folder (env BERTH_LOG_DIR wins).
  const logDir = await mkdtemp(join(tmpdir(), "berth-logs-"));
  // And its load balancers' HAProxy files likewise (env BERTH_LB_DIR wins).
  const lbDir = await mkdtemp(join(tmpdir(), "berth-lb-"));
  const config = compileControlPlaneConfig(
    { etcdEndpoints: etcd.endpoint, apiAddress: "127.0.0.1:0", grpcAddress: "127.0.0.1:0", heartbeatIntervalMs: 500, caKeyFile: testCaKeyFile, logDir: env.BERTH_LOG_DIR ?? logDir, lbDir: env.BERTH_LB_DIR ?? lbDir },
    env,
  );
  const cp = await startControlPlane(config, log);
  const endpoint = `http://127.0.0.1:${cp.apiPort}`;
  const ecs = ecsClient(endpoint);
  // Every agent a test starts against this control plane joins with this token.
  rememberJoin([cp.grpcPort], { token: await cp.createJoinToken(86_400_000), caPem: cp.caCertificatePem });
  return {
    etcd,
    cp,
    ecs,
    endpoint,
    grpcAddress: `127.0.0.1:${cp.grpcPort}`,
    async stop() {
      forgetJoin([cp.grpcPort]);
      ecs.destroy();
      await cp.close();
      await etcd.stop();
      await rm(logDir, { recursive: true, force: true });
      await rm(lbDir, { recursive: true, force: true });
    },
  };
}

/** The CA key file of test control planes: one for the test run (each etcd gets its own CA). */
export const testCaKeyFile = join(tmpdir(), "berth-test", "ca.key");

/** An AWS SDK ECS client for a berth endpoint, with dummy credentials as a user would set. */
export function ecsClient(endpoint: string): ECSClient {
  return new ECSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" },
    maxAttempts: 1,
  });
}

/** A berth agent running as its own process (the built agent), killable like a real one. */
export interface TestAgent {
  child: ChildProcess;
  dataDir: string;
  introspectionPort: number;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
  output(): string;
}

const agentBin = fileURLToPath(new URL("../../agent/bin/berth-agent.js", import.meta.url));

/**
 * Starts an agent process joined to `cluster` at `grpcAddress`, with its own data folder unless
 * given, and the join token filed for that control plane (env BERTH_JOIN_TOKEN overrides it;
 * "" joins with none). `bin` runs another build of the agent (a benchmark comparing two).
 */
export async function startTestAgent(opts: { grpcAddress: string; cluster: string; dataDir?: string; env?: Record<string, string>; bin?: string }): Promise<TestAgent> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "berth-agent-")));
  const introspectionPort = await freePort();
  const lines: string[] = [];
  const child = spawn(process.execPath, [opts.bin ?? agentBin], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      ECS_CLUSTER: opts.cluster,
      BERTH_CONTROL_PLANE: opts.grpcAddress,
      BERTH_DATA_DIR: dataDir,
      BERTH_INTROSPECTION_PORT: String(introspectionPort),
      ECS_IMAGE_PULL_BEHAVIOR: "prefer-cached",
      BERTH_LOG_LEVEL: "debug",
      ...joinTokenEnv(opts.grpcAddress),
      ...opts.env,
    },
  });
  const keep = (b: Buffer) => {
    lines.push(...b.toString().split("\n").filter(Boolean));
    if (lines.length > 400) lines.splice(0, lines.length - 400);
    if (process.env.BERTH_TEST_LOGS) process.stderr.write(b);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    child,
    dataDir,
    introspectionPort,
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
    output: () => lines.join("\n"),
  };
}

/** Removes an agent data folder made by {@link startTestAgent}. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs` with
 * `what` and the last value seen. Every wait in the tests is bounded by this.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last error: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A control plane, a cluster and one agent on the main Docker engine: one host's worth of berth. */
export interface SingleHost {
  t: TestControlPlane;
  /** The agent; replaced by {@link SingleHost.restartAgent}. */
  agent: TestAgent;
  cluster: string;
  /** Kills the agent (-9) and starts a new one on the same data folder. */
  restartAgent(): Promise<TestAgent>;
  /** Stops everything and removes the cluster's containers and the agent's data. */
  stop(): Promise<void>;
}

/**
 * Starts a control plane (with `env`), creates `cluster`, starts an agent (with `agentEnv`) on the
 * main engine and waits until its session is open, so tests start from a connected instance.
 */
export async function startSingleHost(cluster: string, env: Record<string, string> = {}, log?: Logger, agentEnv?: Record<string, string>): Promise<SingleHost> {
  await ensureTestImage();
  const t = await startTestControlPlane(env, log);
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const connected = () =>
    eventually("the agent to connect", async () => {
      const arns = (await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
      if (arns.length === 0) return undefined;
      const cis = (await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances!;
      return cis.some((ci) => ci.agentConnected) ? true : undefined;
    });
  const host: SingleHost = {
    t,
    agent: await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: agentEnv }),
    cluster,
    async restartAgent() {
      await host.agent.kill();
      host.agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, dataDir: host.agent.dataDir, env: agentEnv });
      return host.agent;
    },
    async stop() {
      await host.agent.stop();
      await t.stop();
      await removeContainersByLabel(`com.amazonaws.ecs.cluster=${cluster}`);
      await removeDir(host.agent.dataDir);
    },
  };
  await connected();
  return host;
}

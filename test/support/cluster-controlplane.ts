import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import type { ECSClient } from "@aws-sdk/client-ecs";
import etcd3 from "etcd3";
import { compileControlPlaneConfig, startControlPlane } from "@berth/controlplane";
import { ecsClient, testCaKeyFile, testLogger, type TestControlPlane } from "./berth.js";
import { createJoinThroughEtcd, forgetJoin, rememberJoin } from "./join-tokens.js";
import { startEtcd, type EtcdServer } from "./etcd.js";
import { endChild } from "./netns-dockerd.js";
import { freePort } from "./ports.js";

// The control-plane side of the multi-host harness: an in-process replica for tests that only
// need one, and replicas as real processes (the built `berth controlplane`) for tests that kill
// them, so a kill -9 is a real crash: no clean-up code runs, sessions and leases are abandoned.

/** A control plane whose gRPC port the namespaces can reach (bound on every root address). */
export interface ClusterControlPlane extends TestControlPlane {
  grpcPort: number;
}

/**
 * Starts etcd and a control plane like startTestControlPlane, but with gRPC bound on 0.0.0.0:
 * each host reaches it at the root side of its own veth. The ECS API stays on loopback.
 */
export async function startClusterControlPlane(env: Record<string, string> = {}): Promise<ClusterControlPlane> {
  const etcd = await startEtcd();
  // Its CloudWatch Logs store in a folder of its own.
  const logDir = await mkdtemp(join(tmpdir(), "berth-logs-"));
  try {
    const config = compileControlPlaneConfig(
      { etcdEndpoints: etcd.endpoint, apiAddress: "127.0.0.1:0", grpcAddress: "0.0.0.0:0", heartbeatIntervalMs: 500, caKeyFile: testCaKeyFile, logDir },
      env,
    );
    const cp = await startControlPlane(config, testLogger());
    const endpoint = `http://127.0.0.1:${cp.apiPort}`;
    const ecs = ecsClient(endpoint);
    rememberJoin([cp.grpcPort], { token: await cp.createJoinToken(86_400_000), caPem: cp.caCertificatePem });
    return {
      etcd, cp, ecs, endpoint,
      grpcAddress: `127.0.0.1:${cp.grpcPort}`,
      grpcPort: cp.grpcPort,
      async stop() {
        forgetJoin([cp.grpcPort]);
        ecs.destroy();
        await cp.close();
        await etcd.stop();
        await rm(logDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await etcd.stop();
    await rm(logDir, { recursive: true, force: true });
    throw err;
  }
}

const berthBin = fileURLToPath(new URL("../../controlplane/bin/berth.js", import.meta.url));

/** Where the election recipe keeps its candidates' keys (controlplane/src/leader/election.ts). */
const electionPrefix = "/berth/v1/election/leader/";

/**
 * The harness's control-plane settings before the caller's: fast heartbeats as in
 * startClusterControlPlane. Pass `{ BERTH_HEARTBEAT_INTERVAL_MS: "2000" }` for the documented default.
 */
const replicaDefaults: Record<string, string> = { BERTH_HEARTBEAT_INTERVAL_MS: "500", BERTH_CA_KEY_FILE: testCaKeyFile };

/** One control-plane replica, a process of its own on ports fixed for its whole life. */
export interface Replica {
  /** 1-based, in start order. */
  index: number;
  /** The ECS API base URL (loopback). */
  endpoint: string;
  apiPort: number;
  /** The agents' gRPC port, bound on 0.0.0.0. */
  grpcPort: number;
  /** An ECS SDK client for this replica. */
  ecs: ECSClient;
  /** `${hostname}:${pid}:${apiPort}` as the replica names itself in the election; undefined while down. */
  id(): string | undefined;
  running(): boolean;
  /** The process id while it runs (for /proc readings). */
  pid(): number | undefined;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
  /** SIGTERM (clean shutdown: loops stop, leadership resigned) and wait; SIGKILL after 15 s. */
  stop(): Promise<void>;
  /** Starts the process again on the same ports and waits until /healthz answers. */
  start(): Promise<void>;
  /** Whether etcd names this replica leader (its election key is the oldest). */
  isLeader(): Promise<boolean>;
  /** The replica's recent log lines (all its runs). */
  output(lines?: number): string;
}

/** Where replicas find etcd: one member (EtcdServer) or several (EtcdCluster), `endpoint` comma separated. */
export type EtcdEndpoints = Pick<EtcdServer, "endpoint">;

/** The endpoints of `etcd` as a list, for etcd3's `hosts`. */
export function etcdHosts(etcd: EtcdEndpoints): string[] {
  return etcd.endpoint.split(",").map((s) => s.trim()).filter(Boolean);
}

/** Replicas started together on one etcd. */
export interface Replicas {
  replicas: Replica[];
  etcd: EtcdEndpoints;
  /** The replica etcd names leader, or undefined while there is none among these. */
  leader(): Promise<Replica | undefined>;
  /** Stops every replica and the etcd client; etcd itself is the caller's. */
  stop(): Promise<void>;
}

/** Options for startReplicas. */
export interface StartReplicasOptions {
  etcd: EtcdEndpoints;
  /** Control-plane environment (BERTH_*), over the harness defaults. */
  env?: Record<string, string>;
  /** Node flags before the CLI (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

/** The id of the replica etcd names leader: the value of the oldest key under the election prefix. */
async function leaderId(client: etcd3.Etcd3): Promise<string | undefined> {
  const res = await client.getAll().prefix(electionPrefix).sort("Create", "Ascend").limit(1).exec();
  return res.kvs[0]?.value.toString();
}

class ReplicaProcess implements Replica {
  readonly endpoint: string;
  readonly ecs: ECSClient;
  private child?: ChildProcess;
  private readonly lines: string[] = [];

  constructor(
    readonly index: number,
    readonly apiPort: number,
    readonly grpcPort: number,
    private readonly etcd: EtcdEndpoints,
    private readonly env: Record<string, string>,
    private readonly client: etcd3.Etcd3,
    private readonly nodeArgs: string[] = [],
  ) {
    this.endpoint = `http://127.0.0.1:${apiPort}`;
    this.ecs = ecsClient(this.endpoint);
  }

  running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  pid(): number | undefined {
    return this.running() ? this.child!.pid : undefined;
  }

  id(): string | undefined {
    // the replica runs on this machine: os.hostname() there is os.hostname() here
    return this.running() ? `${hostname()}:${this.child!.pid}:${this.apiPort}` : undefined;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    if (this.running()) return;
    const child = spawn(process.execPath, [
      ...this.nodeArgs,
      berthBin, "controlplane",
      "--etcd", this.etcd.endpoint,
      "--api", `127.0.0.1:${this.apiPort}`,
      "--grpc", `0.0.0.0:${this.grpcPort}`,
    ], {
      stdio: ["ignore", "pipe", "pipe"],
      // Each replica's log store in its own folder, kept across its restarts as a host's would be.
      env: { ...process.env, ...replicaDefaults, BERTH_LOG_DIR: join(tmpdir(), "berth-test", `cp-logs-${this.apiPort}`), ...this.env },
    });
    this.child = child;
    child.once("error", () => {});
    const keep = (b: Buffer) => {
      this.lines.push(...b.toString().split("\n").filter(Boolean).map((l) => `[cp${this.index}] ${l}`));
      if (this.lines.length > 2_000) this.lines.splice(0, this.lines.length - 2_000);
      if (process.env.BERTH_TEST_LOGS) process.stderr.write(b);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running()) throw new Error(`control-plane replica ${this.index} exited during start-up\n${this.output()}`);
      const ok = await fetch(`${this.endpoint}/healthz`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline) {
        await endChild(child, "SIGKILL", 0);
        throw new Error(`control-plane replica ${this.index} did not answer within ${timeoutMs} ms\n${this.output()}`);
      }
      await sleep(100);
    }
  }

  async kill(): Promise<void> {
    if (this.child) await endChild(this.child, "SIGKILL", 0);
  }

  async stop(): Promise<void> {
    if (this.child) await endChild(this.child, "SIGTERM", 15_000);
  }

  async isLeader(): Promise<boolean> {
    const id = this.id();
    return id !== undefined && (await leaderId(this.client)) === id;
  }

  output(lines = 60): string {
    return this.lines.slice(-lines).join("\n");
  }
}

/**
 * Starts `n` control-plane replicas as processes of the built CLI against `etcd`, each on an
 * API port (loopback) and a gRPC port (0.0.0.0) chosen once, so a restarted replica comes back
 * where its agents and clients expect it. Resolves when every replica answers /healthz.
 */
export async function startReplicas(n: number, opts: StartReplicasOptions): Promise<Replicas> {
  // the harness's own reads give up after 2 s, so a cut-off etcd member cannot hang a test's wait
  const client = new etcd3.Etcd3({ hosts: etcdHosts(opts.etcd), defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 2_000 }) });
  const replicas: ReplicaProcess[] = [];
  for (let i = 1; i <= n; i++) {
    const apiPort = await freePort();
    const grpcPort = await freePort("0.0.0.0");
    replicas.push(new ReplicaProcess(i, apiPort, grpcPort, opts.etcd, opts.env ?? {}, client, opts.nodeArgs));
  }
  const ports = replicas.map((r) => r.grpcPort);
  const stop = async () => {
    forgetJoin(ports);
    await Promise.all(replicas.map((r) => r.stop()));
    for (const r of replicas) r.ecs.destroy();
    client.close();
  };
  try {
    await Promise.all(replicas.map((r) => r.start()));
    // One token for agents of any of these replicas: they share etcd, so one CA.
    rememberJoin(ports, await createJoinThroughEtcd(opts.etcd.endpoint));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    replicas,
    etcd: opts.etcd,
    async leader() {
      const id = await leaderId(client);
      return replicas.find((r) => r.id() === id);
    },
    stop,
  };
}

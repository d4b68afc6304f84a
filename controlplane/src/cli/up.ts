import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import ora from "ora";
import { type Logger } from "@berth/shared";
import { compileControlPlaneConfig, type ControlPlaneOptions } from "../config.js";
import { startControlPlane, type ControlPlane } from "../controlplane.js";
import { createCluster, isFargateInstance, stopTask } from "../core/index.js";
import { keys } from "../store/index.js";
import { clearWayFor, refuseHeldPorts, removePidFile, writePidFile, type ChildSpec } from "./child-recovery.js";
import { dockerAnswers } from "./docker-ping.js";
import { localEtcdEndpoint, localEtcdSpec, startLocalEtcd, type LocalEtcd } from "./local-etcd.js";
import { lockDataDir, type UpLock } from "./up-lock.js";

/** What `berth up` takes. */
export interface UpOptions {
  cluster: string;
  dataDir: string;
  /** Use this etcd instead of starting one. */
  etcd?: string;
  etcdPort: number;
  dockerSocket: string;
  controlPlane: ControlPlaneOptions;
  /** Leave tasks running on exit (the agent re-adopts them next time). */
  keepTasks: boolean;
  /** Start no Fargate agent beside the EC2 one (the cluster then runs no FARGATE tasks). */
  noFargate?: boolean;
}

/**
 * `berth up`: an all-in-one cluster in the foreground. Starts (unless given) a local etcd, the
 * control plane, and one agent on the local Docker engine joined to `cluster`, plus a second
 * one in Fargate mode (own data dir, introspection port 2 above the first's) serving the
 * cluster's FARGATE and FARGATE_SPOT capacity; waits for the agents to connect, then serves
 * until SIGINT/SIGTERM, when it stops the cluster's tasks (each recorded STOPPED), then the
 * agents, the control plane and etcd, in that order.
 *
 * After a `berth up` that did not stop cleanly (kill -9, the OOM killer) its etcd and agent live
 * on. The next `berth up` on the same data folder first takes the folder's lock (refusing while
 * another `berth up` holds it), then stops those orphans, found by their pid files and checked
 * in /proc to be ours, and starts them afresh; the tasks that kept running are re-adopted.
 */
export async function up(opts: UpOptions, log: Logger): Promise<void> {
  const spinner = ora({ stream: process.stderr });
  const upLog = log.child({ component: "up" });
  // Absolute, so the --data-dir our children carry in /proc identifies them from any cwd.
  const dataDir = resolve(opts.dataDir);
  const stack: { name: string; stop: () => Promise<void> }[] = [];
  let lock: UpLock | undefined;
  let cp: ControlPlane | undefined;
  let agent: ChildProcess | undefined;
  let stopping: Promise<void> | undefined;

  const shutdown = (signal: string) =>
    (stopping ??= (async () => {
      log.info("shutting down", { signal });
      if (cp && !opts.keepTasks) await stopAllTasks(cp, opts.cluster, spinner, agent).catch((err) => log.warn("stopping tasks failed", { err }));
      for (const part of stack.reverse()) {
        spinner.start(`stopping ${part.name}`);
        await part.stop().catch((err) => log.warn(`stopping ${part.name} failed`, { err }));
        spinner.succeed(`${part.name} stopped`);
      }
      await lock?.release().catch((err) => log.warn("releasing the data dir lock failed", { err }));
    })());
  const onSignal = (sig: NodeJS.Signals) => void shutdown(sig).then(() => process.exit(0));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    mkdirSync(dataDir, { recursive: true });
    lock = await lockDataDir(dataDir);
    // Compiled first so a bad flag or a taken API port stops berth up before anything starts.
    // The CA key file lives with the rest of berth up's state unless one is configured.
    const caKeyFile = process.env.BERTH_CA_KEY_FILE || join(dataDir, "ca.key");
    // And the key that seals Secrets Manager values and SecureStrings (unless the env gives one).
    const secretsKeyFile = process.env.BERTH_SECRETS_KEY_FILE || join(dataDir, "secrets.key");
    // The log store, likewise, unless BERTH_LOG_DIR names another folder.
    const logDir = process.env.BERTH_LOG_DIR || join(dataDir, "logs");
    const lbDir = process.env.BERTH_LB_DIR || join(dataDir, "lb");
    const config = compileControlPlaneConfig({ caKeyFile, secretsKeyFile, logDir, lbDir, ...opts.controlPlane, etcdEndpoints: opts.etcd ?? localEtcdEndpoint(opts.etcdPort) });
    await refuseHeldPorts([
      { ...config.api, label: "ECS API port, --api" },
      { ...config.grpc, label: "agent gRPC port, --grpc" },
    ]);
    // Recovered in shutdown order: the orphaned agent (a writer) goes before its etcd.
    const agentChild = agentSpec(dataDir);
    const fargateChild = agentSpec(dataDir, true);
    const etcdChild = localEtcdSpec({ dataDir, clientPort: opts.etcdPort, peerPort: opts.etcdPort + 1 });
    for (const child of opts.etcd ? [fargateChild, agentChild] : [fargateChild, agentChild, etcdChild]) {
      spinner.start(`checking for an ${child.name} left running by an earlier berth up`);
      const stopped = await clearWayFor(child, upLog, (s) => (spinner.text = s));
      if (stopped.length > 0) spinner.succeed(`stopped the ${child.name} an earlier berth up left running (pid ${stopped.join(", ")}); starting afresh`);
      else spinner.stop();
    }
    spinner.start(`checking the Docker engine at ${opts.dockerSocket}`);
    if (!(await dockerAnswers(opts.dockerSocket))) {
      throw new Error(`no Docker engine answers at ${opts.dockerSocket}; start it (deploy/install.sh does) or pass --docker-socket`);
    }
    spinner.succeed("Docker engine is up");

    if (!opts.etcd) {
      spinner.start(`starting etcd on 127.0.0.1:${opts.etcdPort}`);
      const etcd: LocalEtcd = await startLocalEtcd({
        dataDir,
        clientPort: opts.etcdPort,
        peerPort: opts.etcdPort + 1,
        onWait: (ms) => (spinner.text = `starting etcd on 127.0.0.1:${opts.etcdPort} (${Math.round(ms / 1000)} s)`),
      });
      stack.push({ name: "etcd", stop: etcd.stop });
      spinner.succeed(`etcd is up at ${etcd.endpoint} (data in ${etcd.dataDir})`);
    }

    spinner.start("starting the control plane");
    cp = await startControlPlane(config, log.child({ component: "controlplane" }));
    const started = cp;
    stack.push({ name: "control plane", stop: () => started.close() });
    await createCluster(cp.ctx, opts.cluster);
    spinner.succeed(`control plane is up: ECS API http://${config.api.host}:${cp.apiPort}, agents ${config.grpc.host}:${cp.grpcPort}`);

    spinner.start("starting the agent");
    // Its own agent joins with a token made for it; an hour is plenty to join (later starts use
    // the certificate it keeps).
    const agentProcess = await startAgentProcess(opts, agentChild, cp.grpcPort, await cp.createJoinToken(3_600_000), `${cp.ctx.scope.region}a`);
    agent = agentProcess.child;
    const child = agent;
    stack.push({ name: "agent", stop: agentProcess.stop });
    await waitForAgent(cp, opts.cluster, child, false, (s) => (spinner.text = s));
    const introspectionPort = Number(process.env.BERTH_INTROSPECTION_PORT ?? 51678);
    spinner.succeed(`agent joined cluster '${opts.cluster}'; introspection and metrics on http://127.0.0.1:${introspectionPort}`);
    if (!opts.noFargate) {
      spinner.start("starting the Fargate agent");
      const fargatePort = introspectionPort + 2;
      const fargate = await startAgentProcess(opts, fargateChild, cp.grpcPort, await cp.createJoinToken(3_600_000), `${cp.ctx.scope.region}a`, fargatePort);
      stack.push({ name: "Fargate agent", stop: fargate.stop });
      await waitForAgent(cp, opts.cluster, fargate.child, true, (s) => (spinner.text = s));
      spinner.succeed(`Fargate agent joined cluster '${opts.cluster}' (FARGATE and FARGATE_SPOT capacity); introspection on http://127.0.0.1:${fargatePort}`);
    }
    process.stderr.write(
      `\nberth is up. Try:\n  aws ecs list-container-instances --cluster ${opts.cluster} --endpoint-url http://127.0.0.1:${cp.apiPort}\n` +
        `Console: http://127.0.0.1:${cp.apiPort}/console/\n` +
        `Ctrl-C stops the cluster${opts.keepTasks ? " (tasks keep running)" : " and its tasks"}.\n\n`,
    );
    // An agent that exited while we waited for it has fired its exit event already.
    const exited = child.exitCode !== null || child.signalCode !== null;
    const exitCode = exited ? child.exitCode : await new Promise<number | null>((resolve) => child.once("exit", resolve));
    if (!stopping) throw new Error(`the agent exited on its own (code ${exitCode})`);
    await stopping;
  } catch (err) {
    spinner.fail((err as Error).message);
    await shutdown("error");
    throw err;
  }
}

function agentBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@berth/agent/package.json")), "bin", "berth-agent.js");
}

/**
 * The agent is spawned in berth up's process group, so a closed terminal's SIGHUP ends it too,
 * but a kill -9 or the OOM killer takes berth up alone and leaves the agent running against a
 * control plane that is gone. Its pid file and `--data-dir` on its command line let the next
 * berth up find and stop it before starting its own (two agents on one state file would fight).
 */
function agentSpec(dataDir: string, fargate = false): ChildSpec {
  const name = fargate ? "agent-fargate" : "agent";
  return {
    name: fargate ? "Fargate agent" : "agent",
    identity: { program: "berth-agent.js", dataDir: join(dataDir, name) },
    pidFile: join(dataDir, `${name}.pid`),
    ports: [],
    // The agent's own stop gives up after 20 s; a little more before SIGKILL.
    stopGraceMs: 25_000,
  };
}

/**
 * Spawns the agent with its state in the spec's data folder (named on its command line, so
 * /proc identifies it) and its pid in the spec's pid file, removed once it exits.
 */
async function startAgentProcess(
  opts: UpOptions,
  spec: ChildSpec,
  grpcPort: number,
  joinToken: string,
  zone: string,
  fargateIntrospectionPort?: number,
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const fargate = fargateIntrospectionPort === undefined ? [] : ["--fargate", "--introspection-port", String(fargateIntrospectionPort)];
  const child = spawn(process.execPath, [agentBin(), "--data-dir", spec.identity.dataDir, ...fargate], {
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      ECS_CLUSTER: opts.cluster,
      BERTH_CONTROL_PLANE: `127.0.0.1:${grpcPort}`,
      BERTH_JOIN_TOKEN: joinToken,
      DOCKER_HOST: `unix://${opts.dockerSocket}`,
      // The region's first zone, whose default subnet awsvpc tasks use, unless the user names one.
      BERTH_AVAILABILITY_ZONE: process.env.BERTH_AVAILABILITY_ZONE ?? zone,
    },
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const pid = child.pid;
  // Written before anything else happens, so a kill -9 from here on leaves a pid file behind.
  if (pid !== undefined) await writePidFile(spec.pidFile, pid);
  const pidFileGone = pid === undefined ? Promise.resolve() : exited.then(() => removePidFile(spec.pidFile, pid)).catch(() => undefined);
  return { child, stop: () => stopChild(child).then(() => pidFileGone) };
}

async function waitForAgent(cp: ControlPlane, cluster: string, child: ChildProcess, fargate: boolean, progress: (s: string) => void): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the agent exited with code ${child.exitCode} before joining; see its log lines above`);
    const instances = await cp.ctx.store.instances.list(keys.instances(cluster));
    if (instances.items.some((i) => i.value.agentConnected && i.value.status === "ACTIVE" && isFargateInstance(i.value) === fargate)) return;
    const s = Math.round((Date.now() - started) / 1000);
    if (s > 60) throw new Error("the agent did not connect within 60 s; see its log lines above");
    progress(`waiting for the agent to register and connect (${s} s)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Asks every task of the cluster to stop and waits (bounded) until each is recorded STOPPED. */
async function stopAllTasks(cp: ControlPlane, cluster: string, spinner: ReturnType<typeof ora>, agent: ChildProcess | undefined): Promise<void> {
  // Services would replace what is stopped here: stop leading first. Services stay ACTIVE in the
  // store, so the next `berth up` starts their tasks again.
  await cp.stopLeading();
  const live = async () => (await cp.ctx.store.tasks.list(keys.tasks(cluster))).items.map((i) => i.value).filter((t) => t.lastStatus !== "STOPPED");
  const tasks = await live();
  if (tasks.length === 0) return;
  for (const t of tasks) {
    if (t.desiredStatus !== "STOPPED") await stopTask(cp.ctx, cluster, t.id, "berth up is shutting down", "UserInitiated");
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const left = await live();
    if (left.length === 0) break;
    if (Date.now() > deadline || !agent || agent.exitCode !== null) {
      spinner.warn(`${left.length} task(s) did not report STOPPED; the agent re-adopts their containers next time`);
      return;
    }
    spinner.start(`stopping tasks: ${tasks.length - left.length}/${tasks.length} stopped`);
    await new Promise((r) => setTimeout(r, 300));
  }
  spinner.succeed(`${tasks.length} task(s) stopped`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

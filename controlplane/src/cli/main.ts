import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Command, Option } from "commander";
import { createLogger, type LogLevel } from "@berth/shared";
import { compileControlPlaneConfig, redactControlPlaneConfig, type ControlPlaneOptions } from "../config.js";
import { startControlPlane } from "../controlplane.js";
import { up } from "./up.js";
import { registerClusterCommands } from "./cluster/commands.js";
import { registerOpsCommands } from "./ops/index.js";
import { registerTokenCommands } from "./token.js";

const program = new Command("berth")
  .description("berth: a self-hosted container orchestrator that works like AWS ECS")
  .version("0.1.0");

const logLevel = new Option("--log-level <level>", "log level").choices(["trace", "debug", "info", "warn", "error"]);

/** Control-plane flags shared by `up` and `controlplane`. */
function controlPlaneFlags(cmd: Command): Command {
  return cmd
    .option("--api <host:port>", "ECS API address (default 127.0.0.1:7070)")
    .option("--grpc <host:port>", "agent gRPC address (default 0.0.0.0:7071)")
    .option("--region <region>", "region in ARNs (default us-east-1)")
    .option("--account <id>", "account id in ARNs (default 000000000000)")
    .option("--config <file>", "YAML or JSON file of control-plane options")
    .option("--etcd-ca-file <file>", "CA of etcd's server certificate, PEM (https:// endpoints)")
    .option("--etcd-cert-file <file>", "client certificate for etcd, PEM (with --etcd-key-file)")
    .option("--etcd-key-file <file>", "the client certificate's private key, PEM")
    .addOption(logLevel);
}

function cpOptions(o: Record<string, string | undefined>): ControlPlaneOptions {
  return {
    apiAddress: o.api, grpcAddress: o.grpc, region: o.region, account: o.account, logLevel: o.logLevel as LogLevel | undefined,
    etcdCaFile: o.etcdCaFile, etcdCertFile: o.etcdCertFile, etcdKeyFile: o.etcdKeyFile,
  };
}

const defaultHome = process.env.BERTH_HOME ?? join(homedir(), ".berth");

controlPlaneFlags(
  program
    .command("up")
    .description("run an all-in-one cluster in the foreground: etcd (unless --etcd), the control plane and one agent on the local Docker engine")
    .option("--cluster <name>", "cluster the local agent joins", process.env.ECS_CLUSTER ?? "default")
    .option("--data-dir <dir>", "where etcd and the agent keep their state", join(defaultHome, "up"))
    .option("--etcd <endpoints>", "use this etcd instead of starting one")
    .option("--etcd-port <port>", "client port of the etcd started here (peer port is the next one)", "2379")
    .option("--docker-socket <path>", "Docker engine socket", "/var/run/docker.sock")
    .option("--keep-tasks", "leave tasks running on exit; the agent re-adopts them next time", false)
    .option("--no-fargate", "start no Fargate agent (FARGATE tasks then find no capacity)"),
).action(async (o) => {
  const log = createLogger({ level: o.logLevel });
  await up(
    {
      cluster: o.cluster,
      dataDir: o.dataDir,
      etcd: o.etcd ?? process.env.BERTH_ETCD_ENDPOINTS,
      etcdPort: Number(o.etcdPort),
      dockerSocket: o.dockerSocket,
      controlPlane: cpOptions(o),
      keepTasks: o.keepTasks,
      noFargate: o.fargate === false,
    },
    log,
  );
});

controlPlaneFlags(
  program
    .command("controlplane")
    .description("run one control-plane replica (ECS API and agent gRPC) against etcd")
    .option("--etcd <endpoints>", "etcd endpoints, comma separated (default http://127.0.0.1:2379)"),
).action(async (o) => {
  const config = compileControlPlaneConfig({ ...cpOptions(o), etcdEndpoints: o.etcd }, process.env, o.config);
  const log = createLogger({ level: config.logLevel });
  log.info("configuration", { config: redactControlPlaneConfig(config) });
  const cp = await startControlPlane(config, log);
  const stop = async (signal: string) => {
    log.info("stopping", { signal });
    // A stop stuck on an unreachable etcd must not keep the process alive forever.
    setTimeout(() => {
      log.error("stopping took longer than 20 s; exiting anyway");
      process.exit(1);
    }, 20_000).unref();
    await cp.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
});

program
  .command("agent")
  .description("run a container-instance agent on this host (same as berth-agent)")
  .allowUnknownOption()
  .helpOption(false)
  .argument("[args...]")
  .action((args: string[]) => {
    const require = createRequire(import.meta.url);
    const bin = join(dirname(require.resolve("@berth/agent/package.json")), "bin", "berth-agent.js");
    const child = spawn(process.execPath, [bin, ...args], { stdio: "inherit" });
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
    child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  });

// Operator commands (node, ps, events, logs) against any berth endpoint.
registerOpsCommands(program);
// Agent join tokens, through etcd.
registerTokenCommands(program);
// Multi-node clusters on this machine (Docker-in-Docker nodes) and their node faults.
registerClusterCommands(program);

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`berth: ${err.message}\n`);
  process.exit(1);
});

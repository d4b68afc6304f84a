import { Command } from "commander";
import { createLogger } from "@berth/shared";
import { startAgent } from "./agent.js";
import { compileAgentConfig, redactAgentConfig, type AgentOptions } from "./config/index.js";

// The berth-agent command (main.ts loads it after the agent's V8 flags): flags > env (ECS_* / BERTH_*) > --config file > defaults.
const program = new Command("berth-agent")
  .description("berth container-instance agent: registers this host and runs tasks on its Docker engine")
  .option("--cluster <name>", "cluster to join (ECS_CLUSTER)")
  .option("--control-plane <host:port>", "control plane gRPC address (BERTH_CONTROL_PLANE)")
  .option("--data-dir <dir>", "state folder (BERTH_DATA_DIR)")
  .option("--docker-socket <path>", "Docker engine socket (DOCKER_HOST)")
  .option("--introspection-port <port>", "introspection and /metrics port (BERTH_INTROSPECTION_PORT)")
  .option("--config <file>", "YAML or JSON file of agent options")
  .option("--log-level <level>", "trace, debug, info, warn or error")
  .option("--fargate", "serve as the cluster's Fargate capacity (BERTH_AGENT_FARGATE=1)")
  .action(async (o) => {
    const flags: Partial<AgentOptions> = {
      cluster: o.cluster,
      controlPlane: o.controlPlane,
      dataDir: o.dataDir,
      dockerSocket: o.dockerSocket,
      introspectionPort: o.introspectionPort === undefined ? undefined : Number(o.introspectionPort),
      logLevel: o.logLevel,
      fargate: o.fargate === true ? true : undefined,
    };
    const config = compileAgentConfig({ flags: stripUndefined(flags), env: process.env, file: o.config });
    const log = createLogger({ level: config.logLevel });
    log.info("configuration", { config: redactAgentConfig(config) });
    const agent = await startAgent(config, log);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info("stopping", { signal });
      // A stop stuck on a hung engine or control plane must not keep the agent alive forever.
      setTimeout(() => {
        log.error("stopping took longer than 20 s; exiting anyway");
        process.exit(1);
      }, 20_000).unref();
      agent.close().then(
        () => process.exit(0),
        (err) => {
          log.error("stop failed", { err });
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`berth-agent: ${err.message}\n`);
  process.exit(1);
});

import { createLogger } from "@berth/shared";
import { startAgent } from "./agent.js";
import { agentUsage, parseAgentArgs } from "./cli-args.js";
import { compileAgentConfig, redactAgentConfig } from "./config/index.js";

// The berth-agent command (main.ts loads it after the agent's V8 flags): flags > env (ECS_* / BERTH_*) > --config file > defaults.
async function run(argv: string[]): Promise<void> {
  const { flags, configFile, help } = parseAgentArgs(argv);
  if (help) {
    process.stdout.write(agentUsage());
    return;
  }
  const config = compileAgentConfig({ flags, env: process.env, file: configFile });
  const log = createLogger({ level: config.logLevel });
  // A fault nothing caught still ends the agent (its containers run on and a restart re-adopts
  // them), but as a JSON line with the stack, where the host's log collection finds it.
  process.on("uncaughtException", (err) => {
    log.error("uncaught exception; exiting", { err });
    process.exit(1);
  });
  process.on("unhandledRejection", (err) => {
    log.error("unhandled promise rejection; exiting", { err });
    process.exit(1);
  });
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
}

run(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`berth-agent: ${err.message}\n`);
  process.exit(1);
});

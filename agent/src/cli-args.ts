import { parseArgs } from "node:util";
import type { AgentOptions } from "./config/index.js";

/**
 * The berth-agent command line, read with node's own `util.parseArgs`: eight flags do not need a
 * CLI library held in memory for the agent's whole life (commander cost about 1 MiB of an idle
 * agent's RSS; docs/BENCHMARKS.md, "A real agent's idle RSS").
 */
const flagTable = [
  { flag: "cluster", arg: "<name>", help: "cluster to join (ECS_CLUSTER)" },
  { flag: "control-plane", arg: "<host:port>", help: "control plane gRPC address (BERTH_CONTROL_PLANE)" },
  { flag: "data-dir", arg: "<dir>", help: "state folder (BERTH_DATA_DIR)" },
  { flag: "docker-socket", arg: "<path>", help: "Docker engine socket (DOCKER_HOST)" },
  { flag: "introspection-port", arg: "<port>", help: "introspection and /metrics port (BERTH_INTROSPECTION_PORT)" },
  { flag: "config", arg: "<file>", help: "YAML or JSON file of agent options" },
  { flag: "log-level", arg: "<level>", help: "trace, debug, info, warn or error" },
  { flag: "fargate", help: "serve as the cluster's Fargate capacity (BERTH_AGENT_FARGATE=1)" },
  { flag: "help", short: "h", help: "display this help" },
] as const;

/** What the command line asks for: the flags as agent options, the config file, or help. */
export interface AgentArgs {
  flags: Partial<AgentOptions>;
  configFile?: string;
  help: boolean;
}

/** The `--help` text. */
export function agentUsage(): string {
  const left = (f: (typeof flagTable)[number]) => `${"short" in f ? `-${f.short}, ` : ""}--${f.flag}${"arg" in f ? ` ${f.arg}` : ""}`;
  const width = Math.max(...flagTable.map((f) => left(f).length)) + 2;
  return [
    "Usage: berth-agent [options]",
    "",
    "berth container-instance agent: registers this host and runs tasks on its Docker engine",
    "",
    "Options:",
    ...flagTable.map((f) => `  ${left(f).padEnd(width)}${f.help}`),
    "",
  ].join("\n");
}

/**
 * Reads `argv` (without node and the script). An unknown flag, a missing value or a stray
 * argument throws (parseArgs' own message names it). Flags not given are absent, so env and the
 * config file still apply beneath them.
 */
export function parseAgentArgs(argv: string[]): AgentArgs {
  const options = Object.fromEntries(flagTable.map((f) => [f.flag, { type: "arg" in f ? "string" : "boolean", ...("short" in f && { short: f.short }) }])) as Record<string, { type: "string" | "boolean"; short?: string }>;
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  const s = (k: string) => values[k] as string | undefined;
  const port = s("introspection-port");
  const flags: Partial<AgentOptions> = {
    ...(s("cluster") !== undefined && { cluster: s("cluster") }),
    ...(s("control-plane") !== undefined && { controlPlane: s("control-plane") }),
    ...(s("data-dir") !== undefined && { dataDir: s("data-dir") }),
    ...(s("docker-socket") !== undefined && { dockerSocket: s("docker-socket") }),
    ...(port !== undefined && { introspectionPort: Number(port) }),
    ...(s("log-level") !== undefined && { logLevel: s("log-level") as AgentOptions["logLevel"] }),
    ...(values.fargate === true && { fargate: true }),
  };
  return { flags, ...(s("config") !== undefined && { configFile: s("config") }), help: values.help === true };
}

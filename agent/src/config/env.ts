import type { LogLevel } from "@berth/shared";
import { ConfigError } from "./errors.js";
import type { AgentOptions, PullPolicy } from "./options.js";

/**
 * Environment variables per option, first match wins. ECS agent names come first where ECS has
 * the setting, so an ECS host's environment file carries over.
 */
export const agentEnvNames: Record<keyof AgentOptions, readonly string[]> = {
  cluster: ["ECS_CLUSTER"],
  controlPlane: ["BERTH_CONTROL_PLANE"],
  dataDir: ["ECS_DATADIR", "BERTH_DATA_DIR"],
  dockerSocket: ["DOCKER_HOST"],
  reservedMemoryMiB: ["ECS_RESERVED_MEMORY"],
  reservedPorts: ["ECS_RESERVED_PORTS"],
  reservedPortsUdp: ["ECS_RESERVED_PORTS_UDP"],
  pullPolicy: ["ECS_IMAGE_PULL_BEHAVIOR"],
  imagePullInactivityTimeout: ["ECS_IMAGE_PULL_INACTIVITY_TIMEOUT"],
  imagePullTimeout: ["ECS_IMAGE_PULL_TIMEOUT"],
  taskCleanupWait: ["ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION"],
  containerStopTimeout: ["ECS_CONTAINER_STOP_TIMEOUT"],
  introspectionPort: ["BERTH_INTROSPECTION_PORT"],
  introspectionBindAddress: ["BERTH_INTROSPECTION_BIND_ADDRESS"],
  attributes: ["ECS_INSTANCE_ATTRIBUTES"],
  availabilityZone: ["BERTH_AVAILABILITY_ZONE"],
  dynamicPortRange: ["ECS_DYNAMIC_HOST_PORT_RANGE"],
  hostIp: ["BERTH_HOST_IP"],
  logLevel: ["BERTH_LOG_LEVEL", "ECS_LOGLEVEL"],
  joinToken: ["BERTH_JOIN_TOKEN"],
  fargate: ["BERTH_AGENT_FARGATE"],
  statsReportInterval: ["BERTH_STATS_REPORT_INTERVAL"],
};

type Reader = (raw: string, name: string) => unknown;

const text: Reader = (raw) => raw;

const integer: Reader = (raw, name) => {
  if (!/^\s*-?\d+\s*$/.test(raw)) throw new ConfigError(name, `'${raw}' is not an integer`);
  return Number(raw);
};

const json = (shape: "array" | "object"): Reader => (raw, name) => {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(name, `not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const isArray = Array.isArray(v);
  const ok = shape === "array" ? isArray : typeof v === "object" && v !== null && !isArray;
  if (!ok) throw new ConfigError(name, `must be a JSON ${shape}, got ${raw}`);
  return v;
};

// ECS spells its highest level `crit`; berth has no level above error.
const logLevel: Reader = (raw) => (raw.toLowerCase() === "crit" ? "error" : raw.toLowerCase()) as LogLevel;

// DOCKER_HOST is a URL to Docker clients; the compile step checks it is a unix socket.
const readers: Record<keyof AgentOptions, Reader> = {
  cluster: text,
  controlPlane: text,
  dataDir: text,
  dockerSocket: text,
  reservedMemoryMiB: integer,
  reservedPorts: json("array"),
  reservedPortsUdp: json("array"),
  pullPolicy: (raw) => raw as PullPolicy,
  imagePullInactivityTimeout: text,
  imagePullTimeout: text,
  taskCleanupWait: text,
  containerStopTimeout: text,
  introspectionPort: integer,
  introspectionBindAddress: text,
  attributes: json("object"),
  availabilityZone: text,
  dynamicPortRange: text,
  hostIp: text,
  logLevel,
  joinToken: text,
  // 1/true/yes as on most agents' switches; anything else is off.
  fargate: (raw) => /^(1|true|yes)$/i.test(raw.trim()),
  statsReportInterval: text,
};

/**
 * The options set in `env`. Empty variables count as unset (as ECS's agent treats them). Values
 * that cannot be read at all (bad JSON, a non-integer) throw a {@link ConfigError} naming the
 * variable; range checks happen later, on the merged options.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): Partial<AgentOptions> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(agentEnvNames) as (keyof AgentOptions)[]) {
    const name = agentEnvNames[key].find((n) => (env[n] ?? "").trim() !== "");
    if (name === undefined) continue;
    out[key] = readers[key]((env[name] as string).trim(), name);
  }
  return out as Partial<AgentOptions>;
}

/** The environment variable that set `key`, for error messages; undefined when none did. */
export function envNameFor(key: keyof AgentOptions, env: NodeJS.ProcessEnv): string | undefined {
  return agentEnvNames[key].find((n) => (env[n] ?? "").trim() !== "");
}

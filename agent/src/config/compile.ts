import { readFileSync } from "node:fs";
import { ConfigError } from "./errors.js";
import { optionsFromEnv, envNameFor } from "./env.js";
import { optionsFromFile } from "./file.js";
import { hostDefaultsReader } from "./host-defaults.js";
import {
  agentDefaults, agentOptionKeys, logLevels, pullPolicies,
  type AgentConfig, type AgentOptions, type HostDefaults, type OptionSource,
} from "./options.js";
import {
  absolutePath, customAttributes, dockerSocket, durationIn, hostPort, intIn, ipAddress, oneOf,
  portList, portRange, textMatching,
} from "./validate.js";

/** Where an agent's settings come from; all optional. `file` is a YAML or JSON file's path. */
export interface AgentConfigSources {
  /** Command-line flags, highest precedence. */
  flags?: Partial<AgentOptions>;
  /** Environment (pass `process.env`); absent means no variables are read. */
  env?: NodeJS.ProcessEnv;
  /** Path of a YAML or JSON config file, lowest precedence before the defaults. */
  file?: string;
}

/** The options each source set, already read (the file parsed, the environment decoded). */
export interface AgentOptionLayers {
  flags?: Partial<AgentOptions>;
  env?: Partial<AgentOptions>;
  file?: Partial<AgentOptions>;
  /** Names the environment variables and file in messages. */
  envNames?: Partial<Record<keyof AgentOptions, string>>;
  filePath?: string;
}

const second = 1000;
const hour = 3_600_000;

/**
 * Merges the layers (flags > env > file > defaults), checks every value and compiles it. Pure:
 * host facts come in through `host`, asked for only when nothing sets them. Throws a
 * ConfigError whose key and message name the option and where its value came from.
 */
export function resolveAgentConfig(layers: AgentOptionLayers, host: HostDefaults): AgentConfig {
  const sources = {} as Record<keyof AgentOptions, OptionSource>;
  const where = {} as Record<keyof AgentOptions, string>;
  const pick = <K extends keyof AgentOptions>(key: K, fallback: () => AgentOptions[K]): unknown => {
    const order: [OptionSource, Partial<AgentOptions> | undefined, string][] = [
      ["flag", layers.flags, `flag ${key}`],
      ["env", layers.env, `env ${layers.envNames?.[key] ?? key}`],
      ["file", layers.file, `file ${layers.filePath ?? "config"}`],
    ];
    for (const [source, layer, label] of order) {
      if (layer && layer[key] !== undefined) {
        sources[key] = source;
        where[key] = label;
        return layer[key];
      }
    }
    const isHost = key === "dynamicPortRange" || key === "hostIp";
    sources[key] = isHost ? "host" : "default";
    where[key] = isHost ? "host default" : "default";
    return fallback();
  };
  const d = agentDefaults;
  const v = {
    cluster: pick("cluster", () => d.cluster),
    controlPlane: pick("controlPlane", () => d.controlPlane),
    dataDir: pick("dataDir", () => d.dataDir),
    dockerSocket: pick("dockerSocket", () => d.dockerSocket),
    reservedMemoryMiB: pick("reservedMemoryMiB", () => d.reservedMemoryMiB),
    reservedPorts: pick("reservedPorts", () => d.reservedPorts),
    reservedPortsUdp: pick("reservedPortsUdp", () => d.reservedPortsUdp),
    pullPolicy: pick("pullPolicy", () => d.pullPolicy),
    imagePullInactivityTimeout: pick("imagePullInactivityTimeout", () => d.imagePullInactivityTimeout),
    imagePullTimeout: pick("imagePullTimeout", () => d.imagePullTimeout),
    taskCleanupWait: pick("taskCleanupWait", () => d.taskCleanupWait),
    containerStopTimeout: pick("containerStopTimeout", () => d.containerStopTimeout),
    introspectionPort: pick("introspectionPort", () => d.introspectionPort),
    introspectionBindAddress: pick("introspectionBindAddress", () => d.introspectionBindAddress),
    attributes: pick("attributes", () => d.attributes),
    availabilityZone: pick("availabilityZone", () => d.availabilityZone),
    dynamicPortRange: pick("dynamicPortRange", () => host.dynamicPortRange()),
    hostIp: pick("hostIp", () => host.hostIp()),
    logLevel: pick("logLevel", () => d.logLevel),
    joinToken: pick("joinToken", () => undefined),
    fargate: pick("fargate", () => d.fargate),
    statsReportInterval: pick("statsReportInterval", () => d.statsReportInterval),
  };
  const w = where;
  const introspectionPort = intIn(0, 65535)(v.introspectionPort, "introspectionPort", w.introspectionPort);
  const bind = ipAddress(v.introspectionBindAddress, "introspectionBindAddress", w.introspectionBindAddress);
  const joinToken = v.joinToken === undefined ? undefined : textMatching(/^\S+$/, "a token without spaces")(v.joinToken, "joinToken", w.joinToken);
  return {
    cluster: textMatching(/^[a-zA-Z0-9_-]{1,255}$/, "a cluster name (1-255 letters, digits, - or _)")(v.cluster, "cluster", w.cluster),
    // A comma-separated list: every control-plane replica the agent may hold its session with.
    controlPlanes: (typeof v.controlPlane === "string" ? v.controlPlane.split(",").map((one) => one.trim()) : [v.controlPlane]).map((one: unknown) =>
      hostPort(one, "controlPlane", w.controlPlane),
    ),
    dataDir: absolutePath(v.dataDir, "dataDir", w.dataDir),
    dockerSocketPath: dockerSocket(v.dockerSocket, "dockerSocket", w.dockerSocket),
    reservedMemoryMiB: intIn(0, 2 ** 31 - 1)(v.reservedMemoryMiB, "reservedMemoryMiB", w.reservedMemoryMiB),
    reservedPorts: portList(100)(v.reservedPorts, "reservedPorts", w.reservedPorts),
    reservedPortsUdp: portList(100)(v.reservedPortsUdp, "reservedPortsUdp", w.reservedPortsUdp),
    pullPolicy: oneOf(pullPolicies)(v.pullPolicy, "pullPolicy", w.pullPolicy),
    // A second is the least that outlasts a registry's normal gaps between progress lines (a
    // layer's first bytes, a slow manifest); an hour without a single line is a hang, not a pull.
    imagePullInactivityTimeoutMs: durationIn(second, hour, "from 1s to 1h")(v.imagePullInactivityTimeout, "imagePullInactivityTimeout", w.imagePullInactivityTimeout),
    // A day bounds how long one pull can hold a task PENDING; ECS's default is 2h.
    imagePullTimeoutMs: durationIn(second, 24 * hour, "from 1s to 24h")(v.imagePullTimeout, "imagePullTimeout", w.imagePullTimeout),
    // ECS refuses cleanup waits under a minute; berth allows a second so tests need not wait.
    taskCleanupWaitMs: durationIn(second, 30 * 24 * hour, "from 1s to 720h")(v.taskCleanupWait, "taskCleanupWait", w.taskCleanupWait),
    // ECS's minimum is 1s; an hour bounds how long one stop can hold a task's shutdown.
    containerStopTimeoutMs: durationIn(second, hour, "from 1s to 1h")(v.containerStopTimeout, "containerStopTimeout", w.containerStopTimeout),
    introspection: { host: bind, port: introspectionPort },
    attributes: customAttributes(v.attributes, "attributes", w.attributes),
    availabilityZone: textMatching(/^[a-zA-Z0-9_.-]{1,128}$/, "1-128 letters, digits, or _ . -")(v.availabilityZone, "availabilityZone", w.availabilityZone),
    dynamicPortRange: portRange(v.dynamicPortRange, "dynamicPortRange", w.dynamicPortRange),
    hostIp: ipAddress(v.hostIp, "hostIp", w.hostIp),
    logLevel: oneOf(logLevels)(v.logLevel, "logLevel", w.logLevel),
    ...(joinToken === undefined ? {} : { joinToken }),
    fargate: v.fargate === true,
    statsReportIntervalMs: durationIn(second, hour, "from 1s to 1h")(v.statsReportInterval, "statsReportInterval", w.statsReportInterval),
    sources,
  };
}

/**
 * The agent's configuration from flags, environment, config file and defaults, in that order of
 * precedence. Reads the file and, only when needed, the host's port range and address.
 */
export function compileAgentConfig(sources: AgentConfigSources, host: HostDefaults = hostDefaultsReader): AgentConfig {
  const env = sources.env ?? {};
  const envNames: Partial<Record<keyof AgentOptions, string>> = {};
  for (const key of agentOptionKeys) {
    const name = envNameFor(key, env);
    if (name !== undefined) envNames[key] = name;
  }
  const envOptions = optionsFromEnv(env);
  // The token from a file, so it need not sit in the environment (where `docker inspect` or a
  // unit file shows it); BERTH_JOIN_TOKEN itself wins.
  const tokenFile = (env.BERTH_JOIN_TOKEN_FILE ?? "").trim();
  if (tokenFile && envOptions.joinToken === undefined) {
    const token = readTokenFile(tokenFile);
    if (token !== undefined) {
      envOptions.joinToken = token;
      envNames.joinToken = `BERTH_JOIN_TOKEN_FILE (${tokenFile})`;
    }
  }
  return resolveAgentConfig(
    {
      flags: sources.flags,
      env: envOptions,
      file: sources.file === undefined ? undefined : optionsFromFile(sources.file),
      envNames,
      filePath: sources.file,
    },
    host,
  );
}

/**
 * The join token in `path`, trimmed; undefined when the file is gone or empty (an agent with a
 * certificate needs none, and whoever made the file may remove it once the agent joined).
 */
function readTokenFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ConfigError("BERTH_JOIN_TOKEN_FILE", `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

import type { LogLevel } from "@berth/shared";
import type { Duration } from "./duration.js";

/** How the agent treats images it already has (ECS_IMAGE_PULL_BEHAVIOR). */
export type PullPolicy = "default" | "always" | "once" | "prefer-cached";

/** The pull policies in the order ECS documents them. */
export const pullPolicies: readonly PullPolicy[] = ["default", "always", "once", "prefer-cached"];

/** Log levels a user may set; ECS's `crit` is accepted from the environment and read as `error`. */
export const logLevels: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "silent"];

/**
 * What a user may set for an agent, by flag, environment or config file. Every field is optional;
 * the default is in each comment, with the environment variable in parentheses (the ECS agent's
 * name where one exists).
 */
export interface AgentOptions {
  /** Cluster to join (ECS_CLUSTER). Default "default". */
  cluster?: string;
  /**
   * Control plane gRPC address, host:port, or several replicas' addresses separated by commas
   * (BERTH_CONTROL_PLANE); a session that ends moves on to the next. Default "127.0.0.1:7071".
   */
  controlPlane?: string;
  /** Folder for the agent's state file (ECS_DATADIR, BERTH_DATA_DIR). Default "/var/lib/berth/agent". */
  dataDir?: string;
  /** Docker engine socket, a path or unix:///path (DOCKER_HOST). Default "/var/run/docker.sock". */
  dockerSocket?: string;
  /** MiB of host memory kept from tasks (ECS_RESERVED_MEMORY). Default 0. */
  reservedMemoryMiB?: number;
  /** TCP host ports tasks may not use (ECS_RESERVED_PORTS, a JSON array). Default [22, 2375, 2376, 51678, 51679]. */
  reservedPorts?: number[];
  /** UDP host ports tasks may not use (ECS_RESERVED_PORTS_UDP, a JSON array). Default []. */
  reservedPortsUdp?: number[];
  /** When to pull images (ECS_IMAGE_PULL_BEHAVIOR). Default "default": always pull, fall back to a cached image. */
  pullPolicy?: PullPolicy;
  /**
   * Abort an image pull when no progress message arrives for this long
   * (ECS_IMAGE_PULL_INACTIVITY_TIMEOUT). From 1s to 1h. Default "1m".
   */
  imagePullInactivityTimeout?: Duration;
  /** Abort an image pull that has not finished after this long (ECS_IMAGE_PULL_TIMEOUT). From 1s to 24h. Default "2h". */
  imagePullTimeout?: Duration;
  /** Wait before removing a stopped task's containers (ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION). Default "3h". */
  taskCleanupWait?: Duration;
  /** Stop timeout for containers that set none (ECS_CONTAINER_STOP_TIMEOUT). Default "30s". */
  containerStopTimeout?: Duration;
  /** Port of the introspection and /metrics server, 0 for any free port (BERTH_INTROSPECTION_PORT). Default 51678. */
  introspectionPort?: number;
  /** Address the introspection server binds (BERTH_INTROSPECTION_BIND_ADDRESS). Default "0.0.0.0". */
  introspectionBindAddress?: string;
  /** Custom instance attributes for placement constraints (ECS_INSTANCE_ATTRIBUTES, a JSON object). Default {}. */
  attributes?: Record<string, string>;
  /** Value of the `ecs.availability-zone` attribute (BERTH_AVAILABILITY_ZONE). Default "local". */
  availabilityZone?: string;
  /**
   * Host ports handed to dynamic port mappings, "first-last" (ECS_DYNAMIC_HOST_PORT_RANGE).
   * Default the kernel's /proc/sys/net/ipv4/ip_local_port_range.
   */
  dynamicPortRange?: string;
  /** Address reported in network bindings (BERTH_HOST_IP). Default the first non-internal IPv4 address. */
  hostIp?: string;
  /** Log level (BERTH_LOG_LEVEL, ECS_LOGLEVEL). Default "info". */
  logLevel?: LogLevel;
  /** Token presented when joining the cluster (BERTH_JOIN_TOKEN); a secret, printed redacted. Default none. */
  joinToken?: string;
  /**
   * Serve as Fargate capacity (BERTH_AGENT_FARGATE=1, --fargate): the instance registers with
   * the attribute `berth.fargate=true`, runs FARGATE tasks only and is not listed as a container
   * instance. Default false.
   */
  fargate?: boolean;
  /**
   * How often the running containers' CPU and memory go to the control plane, for service
   * metrics and auto scaling (BERTH_STATS_REPORT_INTERVAL). From 1s to 1h. Default "10s".
   */
  statsReportInterval?: Duration;
}

/** The option names, for checking config files for typos. */
export const agentOptionKeys: readonly (keyof AgentOptions)[] = [
  "cluster", "controlPlane", "dataDir", "dockerSocket", "reservedMemoryMiB", "reservedPorts",
  "reservedPortsUdp", "pullPolicy", "imagePullInactivityTimeout", "imagePullTimeout", "taskCleanupWait", "containerStopTimeout", "introspectionPort",
  "introspectionBindAddress", "attributes", "availabilityZone", "dynamicPortRange", "hostIp",
  "logLevel", "joinToken", "fargate", "statsReportInterval",
];

/** Options with every default filled in, before compiling (durations and addresses still as given). */
export type AgentOptionsWithDefaults = Required<Omit<AgentOptions, "joinToken">> & Pick<AgentOptions, "joinToken">;

/** Where a setting came from, for error messages and the startup log. */
export type OptionSource = "flag" | "env" | "file" | "default" | "host";

/** A TCP address split into its parts. */
export interface HostPort {
  host: string;
  port: number;
}

/** The agent's configuration as its components use it: milliseconds, parsed addresses, checked bounds. */
export interface AgentConfig {
  cluster: string;
  /** Every replica's address, in the order tried. */
  controlPlanes: HostPort[];
  dataDir: string;
  /** Path of the Docker engine's unix socket. */
  dockerSocketPath: string;
  reservedMemoryMiB: number;
  /** Sorted, without duplicates. */
  reservedPorts: number[];
  reservedPortsUdp: number[];
  pullPolicy: PullPolicy;
  imagePullInactivityTimeoutMs: number;
  imagePullTimeoutMs: number;
  taskCleanupWaitMs: number;
  containerStopTimeoutMs: number;
  introspection: HostPort;
  attributes: Record<string, string>;
  availabilityZone: string;
  /** Inclusive range of host ports for dynamic mappings. */
  dynamicPortRange: { first: number; last: number };
  hostIp: string;
  logLevel: LogLevel;
  joinToken?: string;
  /** Whether this agent is Fargate capacity (see AgentOptions.fargate). */
  fargate: boolean;
  /** How often container stats are reported over the session. */
  statsReportIntervalMs: number;
  /** Where each setting came from. */
  sources: Record<keyof AgentOptions, OptionSource>;
}

/** Defaults that need no look at the host. */
export const agentDefaults: Omit<AgentOptionsWithDefaults, "dynamicPortRange" | "hostIp"> = {
  cluster: "default",
  controlPlane: "127.0.0.1:7071",
  dataDir: "/var/lib/berth/agent",
  dockerSocket: "/var/run/docker.sock",
  reservedMemoryMiB: 0,
  // ssh, Docker's plain and TLS ports, and the agent's introspection ports (as ECS reserves them).
  reservedPorts: [22, 2375, 2376, 51678, 51679],
  reservedPortsUdp: [],
  pullPolicy: "default",
  imagePullInactivityTimeout: "1m",
  imagePullTimeout: "2h",
  taskCleanupWait: "3h",
  containerStopTimeout: "30s",
  introspectionPort: 51678,
  introspectionBindAddress: "0.0.0.0",
  attributes: {},
  availabilityZone: "local",
  logLevel: "info",
  fargate: false,
  statsReportInterval: "10s",
};

/**
 * Defaults that come from the host, asked for only when no source sets the option; the compile
 * step takes them as an argument so it stays free of I/O (`hostDefaultsReader` reads the host).
 */
export interface HostDefaults {
  /** "first-last", as in ip_local_port_range. */
  dynamicPortRange(): string;
  hostIp(): string;
}

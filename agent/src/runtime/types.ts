import type { DecodedLogLine, LogStreamName } from "./log-frames.js";

import type { NetworkBinding } from "@berth/proto";
import type { RuntimeError } from "./errors.js";

/** A private registry's credentials for one pull (a task's repositoryCredentials). */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/**
 * The container runtime as the task engine needs it: one small interface that the Docker
 * implementation and the in-memory simulation both satisfy (swarmkit's `Controller`, the ECS
 * agent's DockerClient). Every method throws a {@link RuntimeError} subclass on failure.
 */
export interface ContainerRuntime {
  /** Engine version facts for registration (`dockerVersion`) and logs. */
  version(): Promise<RuntimeVersion>;
  /** Host facts the engine reports (CPUs, memory). */
  info(): Promise<RuntimeInfo>;
  /** Whether `image` is present locally. */
  imageExists(image: string): Promise<boolean>;
  /**
   * Pulls `image` from its registry; resolves when the pull finished. `auth` is the registry's
   * username and password (a task's repositoryCredentials), never logged.
   */
  pullImage(image: string, auth?: RegistryCredentials): Promise<void>;
  /**
   * Makes image `ref` (`repo:tag`) from a root filesystem tar, as `docker import` does, with
   * Dockerfile `changes` (e.g. `CMD ["/bin/busybox","sleep","1"]`): the agent's own pause image.
   */
  importImage(rootfsTar: Buffer, ref: string, changes: string[]): Promise<void>;
  /** Creates a container and returns its runtime id. */
  createContainer(spec: CreateContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM (or the image's stop signal), then SIGKILL once `timeoutMs` has passed. */
  stopContainer(id: string, timeoutMs: number): Promise<void>;
  /** Removes a container (forced); a container already gone is not an error. */
  removeContainer(id: string): Promise<void>;
  /** The container's current state, or undefined when no container has that id or name. */
  inspectContainer(id: string): Promise<ContainerInspect | undefined>;
  /** Every container (running or not) whose labels include all of `labels` (an empty value: any value). */
  listContainers(labels: Record<string, string>): Promise<ContainerSummary[]>;
  /**
   * Streams exits and health changes of containers carrying all of `labels` until the
   * subscription is closed. Implementations reconnect on their own and replay what they missed.
   */
  subscribe(labels: Record<string, string>, onEvent: (e: RuntimeEvent) => void): RuntimeSubscription;
  /**
   * Creates a named volume; creating one that already exists (same driver) is not an error, so
   * a retried or restarted provisioning converges. Throws {@link CannotCreateVolumeError}.
   */
  createVolume(spec: VolumeSpec): Promise<void>;
  /** The named volume, or undefined when there is none. Throws {@link CannotInspectVolumeError}. */
  inspectVolume(name: string): Promise<VolumeInfo | undefined>;
  /** Every volume whose labels include all of `labels`. */
  listVolumes(labels: Record<string, string>): Promise<VolumeInfo[]>;
  /** Removes a volume; one already gone is not an error, one in use is ({@link CannotRemoveVolumeError}). */
  removeVolume(name: string): Promise<void>;
  /**
   * Makes the task's cgroup with its task-level limits (CPU units, MiB) and returns the cgroup
   * parent its containers are created under, or undefined when this runtime cannot hold tasks
   * in one (then the containers' own limits are all there is).
   */
  prepareTaskCgroup(taskId: string, limits: { cpuUnits?: number; memoryMiB?: number }): Promise<string | undefined>;
  /** Removes the task's cgroup after its containers; one already gone is not an error. */
  removeTaskCgroup(taskId: string): Promise<void>;
}

/** A named volume to create. */
export interface VolumeSpec {
  name: string;
  /** Volume driver; `local` is Docker's own. */
  driver: string;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
}

/** A volume as the runtime reports it. */
export interface VolumeInfo {
  name: string;
  driver: string;
  labels: Record<string, string>;
  /** The driver options it was created with. */
  options: Record<string, string>;
}

/** What the runtime says about itself. */
export interface RuntimeVersion {
  version: string;
  apiVersion: string;
}

/** Host facts from the runtime. */
export interface RuntimeInfo {
  cpus: number;
  memoryBytes: number;
}

/** One host port binding requested at create time; hostPort undefined lets the runtime pick. */
export interface PortBindingSpec {
  containerPort: number;
  protocol: "tcp" | "udp";
  hostPort?: number;
  hostIp?: string;
}

/** A Docker health check in the units the Docker API takes (nanoseconds). */
export interface HealthcheckSpec {
  test: string[];
  intervalNs: number;
  timeoutNs: number;
  retries: number;
  startPeriodNs: number;
}

/** Everything needed to create one container; built from an ECS container definition. */
export interface CreateContainerSpec {
  name: string;
  image: string;
  command?: string[];
  entryPoint?: string[];
  /** `NAME=value` strings. */
  env: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  labels: Record<string, string>;
  /** `container:<id>` joins another container's network namespace (an awsvpc task's pause container). */
  networkMode: "bridge" | "host" | "none" | `container:${string}`;
  ports: PortBindingSpec[];
  cpuShares: number;
  memoryBytes?: number;
  /** The task's cgroup (HostConfig.CgroupParent), holding the task-level limits. */
  cgroupParent?: string;
  memoryReservationBytes?: number;
  ulimits?: { name: string; soft: number; hard: number }[];
  healthcheck?: HealthcheckSpec;
  stopTimeoutSec?: number;
  privileged?: boolean;
  readonlyRootfs?: boolean;
  dns?: string[];
  dnsSearch?: string[];
  extraHosts?: string[];
  /**
   * Docker `Binds`: `<host path or volume name>:<container path>[:ro]`. Binds (not Mounts) as
   * ECS uses them: Docker creates a missing host path for a bind, the Mounts API refuses it.
   */
  binds?: string[];
  /** Docker `VolumesFrom`: `<container name or id>[:ro]`. */
  volumesFrom?: string[];
}

/** Docker's health words. */
export type RuntimeHealth = "starting" | "healthy" | "unhealthy";

/** A container's state as inspect reports it. */
export interface ContainerInspect {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  status: "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";
  running: boolean;
  exitCode?: number;
  oomKilled: boolean;
  /** Docker's own error text when start failed. */
  error?: string;
  startedAtMs?: number;
  finishedAtMs?: number;
  health?: RuntimeHealth;
  networkBindings: NetworkBinding[];
  /** The main process's host pid while it runs (its /proc/PID/ns/net is the container's namespace). */
  pid?: number;
  /** The image's id (`sha256:…`), as Docker resolved the image when the container was made. */
  imageId?: string;
  /** When the container was made. */
  createdAtMs?: number;
  /** Its addresses on the Docker networks it is attached to (none in host mode or a joined namespace). */
  networks?: { name: string; ipv4Address: string; macAddress?: string }[];
}

/** One row of a list. */
export interface ContainerSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
  state: string;
}

/** An exit or health change of one container. */
export type RuntimeEvent =
  | { kind: "die"; id: string; labels: Record<string, string>; exitCode?: number; atMs: number }
  | { kind: "health"; id: string; labels: Record<string, string>; health: RuntimeHealth; atMs: number }
  | { kind: "oom"; id: string; labels: Record<string, string>; atMs: number }
  /** The stream broke and was re-established; events in between may be lost, so re-inspect. */
  | { kind: "resync"; atMs: number };

/** A live event subscription. */
export interface RuntimeSubscription {
  close(): void;
}

/** What a container's log is read with. */
export interface ContainerLogOptions {
  /** Keep reading new lines until closed or the container stops. */
  follow: boolean;
  /** Only lines from this unix-ms time on; 0: from the start. */
  sinceMs: number;
  /** Only this many lines from the end; 0: all. */
  tail: number;
}

/** Where a log reader delivers. `end` is called once, last; `error` set when reading failed. */
export interface ContainerLogSink {
  lines(lines: DecodedLogLine[]): void;
  end(error?: string): void;
}

/** An open log read: paused while the consumer has no room, closed when it goes away. */
export interface ContainerLogReader {
  pause(): void;
  resume(): void;
  close(): void;
}

/** A runtime that can read containers' logs (Docker can; the simulated runtime has none). */
export interface ContainerLogSource {
  openLog(containerId: string, opts: ContainerLogOptions, sink: ContainerLogSink): Promise<ContainerLogReader>;
}

/** A command to run in a running container (`docker exec`). */
export interface ExecSpec {
  command: string[];
  tty: boolean;
  /** Attach stdin, so the command reads what {@link ContainerExec.write} gives it. */
  stdin: boolean;
  /** Terminal size for a tty; 0 leaves Docker's default. */
  cols: number;
  rows: number;
}

/** Where an exec'd command's output goes. `exit` is called once, last. */
export interface ExecSink {
  output(stream: LogStreamName, data: Buffer): void;
  /** The command ended with `exitCode`, or (`error` set) could not be followed to its end. */
  exit(exitCode: number, error?: string): void;
}

/** A running exec: stdin in, flow control and resize, closed when the client goes away. */
export interface ContainerExec {
  /** Hands `data` to the command's stdin; `written` once the runtime took it (flow control). */
  write(data: Buffer, written: () => void): void;
  /** Closes the command's stdin (after what was written). */
  closeStdin(): void;
  /** Sets the tty's size (ignored without a tty). */
  resize(cols: number, rows: number): Promise<void>;
  /** Stops reading output until {@link ContainerExec.resume}: the reader has no room. */
  pause(): void;
  resume(): void;
  /** Stops relaying; `exit` follows. */
  close(): void;
}

/** A runtime that can run commands in containers (Docker can; the simulated runtime has none). */
export interface ContainerExecSource {
  /** Starts `spec` in the container; throws a {@link RuntimeError} when it cannot be started. */
  openExec(containerId: string, spec: ExecSpec, sink: ExecSink): Promise<ContainerExec>;
}

import { randomBytes } from "node:crypto";
import type { NetworkBinding } from "@berth/proto";
import { CannotCreateContainerError, CannotCreateVolumeError, CannotExecError, CannotPullContainerError, CannotRemoveVolumeError, CannotStartContainerError, ContainerNotFoundError } from "./errors.js";
import type { AgentRuntime, EngineFacts } from "./agent-runtime.js";
import {
  type ContainerExec,
  type ContainerLogOptions,
  type ContainerLogReader,
  type ContainerLogSink,
  type ContainerInspect,
  type ContainerRuntime,
  type ContainerSummary,
  type CreateContainerSpec,
  type ExecSink,
  type RegistryCredentials,
  type ExecSpec,
  type RuntimeEvent,
  type RuntimeHealth,
  type RuntimeInfo,
  type RuntimeSubscription,
  type RuntimeVersion,
  type VolumeInfo,
  type VolumeSpec,
} from "./types.js";

/** How a simulated container behaves once started. */
export interface SimulatedBehavior {
  /** Exit on its own after this long. */
  exitAfterMs?: number;
  exitCode?: number;
  /** Ignore SIGTERM, so a stop waits for the timeout and ends in SIGKILL (137). */
  ignoreSigterm?: boolean;
  /** Report this health this long after start (needs a healthcheck in the spec). */
  healthAfterMs?: number;
  health?: RuntimeHealth;
}

/** The runtime calls a simulation can slow down, named as {@link SimulatedRuntime.calls} records them. */
export type SimulatedOp =
  | "imageExists" | "pull" | "create" | "start" | "stop" | "remove" | "inspect" | "list"
  | "createVolume" | "inspectVolume" | "listVolumes" | "removeVolume" | "importImage";

/** Options for {@link SimulatedRuntime}. */
export interface SimulatedRuntimeOptions {
  /** Images present from the start. */
  images?: string[];
  /** Images a pull can fetch; others fail like an unknown repository. Default: any. */
  pullable?: (image: string) => boolean;
  /** Per-container behaviour, decided at create time. */
  behavior?: (spec: CreateContainerSpec) => SimulatedBehavior;
  /** Latency added to every call, to model a busy daemon. */
  latencyMs?: number;
  /** Per-call latency (a timing model's draw), instead of `latencyMs`. */
  delayMs?: (op: SimulatedOp, arg: string) => number;
  /** Record every call in {@link SimulatedRuntime.calls}; default true. A long simulation turns it off. */
  recordCalls?: boolean;
  /** The host it pretends to be (registration's CPUs, memory, name); default 4 CPUs, 8 GiB, this machine's name. */
  host?: { cpus: number; memoryBytes: number; hostname?: string };
  /** Volumes present from the start (shared volumes made outside the agent). */
  volumes?: VolumeInfo[];
  /** Volume creates that fail, as a driver that refuses them would. */
  failVolumeCreate?: (spec: VolumeSpec) => boolean;
}

interface SimContainer {
  id: string;
  spec: CreateContainerSpec;
  behavior: SimulatedBehavior;
  status: ContainerInspect["status"];
  exitCode?: number;
  startedAtMs?: number;
  finishedAtMs?: number;
  health?: RuntimeHealth;
  bindings: NetworkBinding[];
  timers: NodeJS.Timeout[];
}

/**
 * An in-memory {@link ContainerRuntime} for scale tests and unit tests of the engine: containers
 * run, exit, report health and stop with SIGTERM/SIGKILL semantics on real timers. It never
 * stands in for Docker in integration tests.
 */
export class SimulatedRuntime implements ContainerRuntime, AgentRuntime {
  private readonly images: Set<string>;
  private readonly containers = new Map<string, SimContainer>();
  private readonly volumes = new Map<string, VolumeInfo>();
  /** Task cgroups made, by task id, with their limits (what a real host would enforce). */
  readonly taskCgroups = new Map<string, { cpuUnits?: number; memoryMiB?: number }>();
  private readonly subs = new Set<{ labels: Record<string, string>; onEvent: (e: RuntimeEvent) => void }>();
  private nextPort = 40000;
  /** Every call made, for assertions on idempotency (`create` counted twice is a bug). */
  readonly calls: { op: string; arg: string }[] = [];

  constructor(private readonly opts: SimulatedRuntimeOptions = {}) {
    this.images = new Set(opts.images ?? []);
    for (const v of opts.volumes ?? []) this.volumes.set(v.name, v);
  }

  private async tick(op: SimulatedOp, arg: string): Promise<void> {
    if (this.opts.recordCalls ?? true) this.calls.push({ op, arg });
    await new Promise((r) => setTimeout(r, this.opts.delayMs?.(op, arg) ?? this.opts.latencyMs ?? 0));
  }

  async ping(): Promise<void> {}

  async engineFacts(): Promise<EngineFacts> {
    const { cpus, memoryBytes } = await this.info();
    return { cpus, memoryBytes, hostname: this.opts.host?.hostname ?? "", version: "simulated", apiVersion: "1.41", minApiVersion: "1.12", logDrivers: ["json-file", "none"] };
  }

  /**
   * A Docker-shaped stats document from the simulation's model: a running container uses its
   * CPU shares' worth of a core since it started and the memory it reserved.
   */
  async containerStats(id: string): Promise<unknown> {
    const c = this.containers.get(id);
    if (!c) throw new ContainerNotFoundError(`No such container: ${id}`, { retryable: false, statusCode: 404 });
    const limit = c.spec.memoryBytes ?? this.opts.host?.memoryBytes ?? 8 * 1024 ** 3;
    const runningMs = c.startedAtMs === undefined ? 0 : (c.finishedAtMs ?? Date.now()) - c.startedAtMs;
    return {
      cpu_stats: { cpu_usage: { total_usage: Math.round(runningMs * 1e6 * (c.spec.cpuShares / 1024)) } },
      memory_stats: { usage: c.status === "running" ? (c.spec.memoryReservationBytes ?? c.spec.memoryBytes ?? 0) : 0, limit, stats: {} },
      networks: {},
    };
  }

  /** Simulated containers print nothing: a read ends at once, a follow when the container stops or the reader closes. */
  async openLog(containerId: string, opts: ContainerLogOptions, sink: ContainerLogSink): Promise<ContainerLogReader> {
    const c = this.containers.get(containerId);
    if (!c) throw new ContainerNotFoundError(`No such container: ${containerId}`, { retryable: false, statusCode: 404 });
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.subs.delete(sub);
      sink.end();
    };
    const sub = { labels: c.spec.labels, onEvent: (e: RuntimeEvent) => void (e.kind === "die" && e.id === containerId && end()) };
    if (opts.follow && c.status === "running") this.subs.add(sub);
    else queueMicrotask(end);
    return { pause() {}, resume() {}, close: end };
  }

  /** The simulation runs no processes, so there is nothing to exec into; the refusal names why. */
  async openExec(containerId: string, _spec: ExecSpec, _sink: ExecSink): Promise<ContainerExec> {
    throw new CannotExecError(`exec in ${containerId}: the simulated runtime runs no processes`, { retryable: false, statusCode: 501 });
  }

  async version(): Promise<RuntimeVersion> {
    return { version: "simulated", apiVersion: "1.41" };
  }

  async info(): Promise<RuntimeInfo> {
    return { cpus: this.opts.host?.cpus ?? 4, memoryBytes: this.opts.host?.memoryBytes ?? 8 * 1024 ** 3 };
  }

  async importImage(_rootfsTar: Buffer, ref: string): Promise<void> {
    await this.tick("importImage", ref);
    this.images.add(ref);
  }

  async imageExists(image: string): Promise<boolean> {
    await this.tick("imageExists", image);
    return this.images.has(image);
  }

  async pullImage(image: string, _auth?: RegistryCredentials): Promise<void> {
    await this.tick("pull", image);
    if (this.opts.pullable && !this.opts.pullable(image)) {
      throw new CannotPullContainerError(`pull access denied for ${image}, repository does not exist`, { retryable: false });
    }
    this.images.add(image);
  }

  async createContainer(spec: CreateContainerSpec): Promise<string> {
    await this.tick("create", spec.name);
    if (!this.images.has(spec.image)) throw new CannotCreateContainerError(`No such image: ${spec.image}`, { retryable: false, statusCode: 404 });
    for (const c of this.containers.values()) {
      if (c.spec.name === spec.name) throw new CannotCreateContainerError(`Conflict. The container name "/${spec.name}" is already in use`, { retryable: false, statusCode: 409 });
    }
    // As Docker does: a bind whose source is a name, not a path, makes that local volume.
    for (const b of spec.binds ?? []) {
      const source = b.split(":")[0];
      if (!source.startsWith("/") && !this.volumes.has(source)) this.volumes.set(source, { name: source, driver: "local", labels: {}, options: {} });
    }
    const id = randomBytes(32).toString("hex");
    this.containers.set(id, { id, spec, behavior: this.opts.behavior?.(spec) ?? {}, status: "created", bindings: [], timers: [] });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    await this.tick("start", id);
    const c = this.containers.get(id);
    if (!c) throw new CannotStartContainerError(`No such container: ${id}`, { retryable: false, statusCode: 404 });
    if (c.status === "running") return;
    c.status = "running";
    c.startedAtMs = Date.now();
    c.health = c.spec.healthcheck ? "starting" : undefined;
    c.bindings = c.spec.networkMode === "bridge"
      ? c.spec.ports.map((p) => ({ bindIp: "0.0.0.0", containerPort: p.containerPort, hostPort: p.hostPort ?? this.nextPort++, protocol: p.protocol }))
      : [];
    const b = c.behavior;
    if (b.exitAfterMs !== undefined) c.timers.push(setTimeout(() => this.exit(c, b.exitCode ?? 0), b.exitAfterMs));
    if (c.spec.healthcheck && b.health) {
      const health = b.health;
      c.timers.push(setTimeout(() => {
        if (c.status !== "running") return;
        c.health = health;
        this.emit(c, { kind: "health", id: c.id, labels: c.spec.labels, health, atMs: Date.now() });
      }, b.healthAfterMs ?? 0));
    }
  }

  async stopContainer(id: string, timeoutMs: number): Promise<void> {
    await this.tick("stop", id);
    const c = this.containers.get(id);
    if (!c || c.status !== "running") return;
    if (c.behavior.ignoreSigterm) await new Promise((r) => setTimeout(r, timeoutMs));
    this.exit(c, c.behavior.ignoreSigterm ? 137 : 143);
  }

  async removeContainer(id: string): Promise<void> {
    await this.tick("remove", id);
    const c = this.containers.get(id);
    if (!c) return;
    c.timers.forEach(clearTimeout);
    this.containers.delete(id);
  }

  async inspectContainer(id: string): Promise<ContainerInspect | undefined> {
    await this.tick("inspect", id);
    const c = this.containers.get(id) ?? [...this.containers.values()].find((x) => x.spec.name === id);
    if (!c) return undefined;
    return {
      id: c.id,
      name: c.spec.name,
      image: c.spec.image,
      labels: c.spec.labels,
      status: c.status,
      running: c.status === "running",
      exitCode: c.exitCode,
      oomKilled: false,
      startedAtMs: c.startedAtMs,
      finishedAtMs: c.finishedAtMs,
      health: c.health,
      networkBindings: c.status === "running" ? c.bindings : [],
    };
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    await this.tick("list", "");
    return [...this.containers.values()]
      .filter((c) => matches(c.spec.labels, labels))
      .map((c) => ({ id: c.id, name: c.spec.name, labels: c.spec.labels, state: c.status }));
  }

  subscribe(labels: Record<string, string>, onEvent: (e: RuntimeEvent) => void): RuntimeSubscription {
    const sub = { labels, onEvent };
    this.subs.add(sub);
    return { close: () => void this.subs.delete(sub) };
  }

  async createVolume(spec: VolumeSpec): Promise<void> {
    await this.tick("createVolume", spec.name);
    if (this.opts.failVolumeCreate?.(spec)) throw new CannotCreateVolumeError(`create ${spec.name}: driver ${spec.driver} refused`, { retryable: false, statusCode: 500 });
    const existing = this.volumes.get(spec.name);
    if (existing && existing.driver !== spec.driver) {
      throw new CannotCreateVolumeError(`create ${spec.name}: volume name is already in use with driver ${existing.driver}`, { retryable: false, statusCode: 409 });
    }
    if (!existing) this.volumes.set(spec.name, { name: spec.name, driver: spec.driver, labels: { ...spec.labels }, options: { ...spec.driverOpts } });
  }

  async inspectVolume(name: string): Promise<VolumeInfo | undefined> {
    await this.tick("inspectVolume", name);
    return this.volumes.get(name);
  }

  async listVolumes(labels: Record<string, string>): Promise<VolumeInfo[]> {
    await this.tick("listVolumes", "");
    return [...this.volumes.values()].filter((v) => matches(v.labels, labels));
  }

  async prepareTaskCgroup(taskId: string, limits: { cpuUnits?: number; memoryMiB?: number }): Promise<string | undefined> {
    this.taskCgroups.set(taskId, { ...limits });
    return `/ecs/${taskId}`;
  }

  async removeTaskCgroup(taskId: string): Promise<void> {
    this.taskCgroups.delete(taskId);
  }

  async removeVolume(name: string): Promise<void> {
    await this.tick("removeVolume", name);
    // Docker refuses to remove a volume any container (running or not) still mounts.
    const user = [...this.containers.values()].find((c) => c.spec.binds?.some((b) => b.split(":")[0] === name));
    if (user) throw new CannotRemoveVolumeError(`remove ${name}: volume is in use - [${user.id}]`, { retryable: false, statusCode: 409 });
    this.volumes.delete(name);
  }

  /** Names of every volume the simulation holds. */
  volumeNames(): string[] {
    return [...this.volumes.keys()];
  }

  /** The create spec a container was made with, by id or name (for assertions on mounts). */
  specOf(id: string): CreateContainerSpec | undefined {
    return (this.containers.get(id) ?? [...this.containers.values()].find((c) => c.spec.name === id))?.spec;
  }

  /** Makes a running container exit now with `exitCode`, as if its process ended. */
  kill(id: string, exitCode: number): void {
    const c = this.containers.get(id);
    if (c && c.status === "running") this.exit(c, exitCode);
  }

  /** How many simulated containers are running now. */
  runningCount(): number {
    let n = 0;
    for (const c of this.containers.values()) if (c.status === "running") n++;
    return n;
  }

  /** Ids of every container the simulation holds. */
  containerIds(): string[] {
    return [...this.containers.keys()];
  }

  private exit(c: SimContainer, code: number): void {
    if (c.status !== "running") return;
    c.timers.forEach(clearTimeout);
    c.status = "exited";
    c.exitCode = code;
    c.finishedAtMs = Date.now();
    this.emit(c, { kind: "die", id: c.id, labels: c.spec.labels, exitCode: code, atMs: c.finishedAtMs });
  }

  private emit(c: SimContainer, e: RuntimeEvent): void {
    for (const s of this.subs) if (matches(c.spec.labels, s.labels)) s.onEvent(e);
  }
}

function matches(have: Record<string, string>, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => (v === "" ? k in have : have[k] === v));
}

import { Readable } from "node:stream";
import type Docker from "dockerode";
import type { Logger } from "@berth/shared";
import {
  CannotCreateContainerError,
  CannotInspectContainerError,
  CannotPullContainerError,
  CannotRemoveContainerError,
  CannotStartContainerError,
  CannotStopContainerError,
  ContainerNotFoundError,
  ImagePullTimeoutError,
  classifyDockerError,
  CannotCreateVolumeError,
  CannotInspectVolumeError,
  CannotRemoveVolumeError,
} from "./errors.js";
import { toCreateOptions, toInspect, toVolumeInfo } from "./docker-mapping.js";
import { defaultPullTimeouts, watchPull, type PullProgressLine, type PullStream, type PullTimeouts } from "./pull-policy.js";
import { subscribeDockerEvents } from "./docker-events.js";
import { openDockerLog } from "./docker-logs.js";
import { openDockerExec } from "./docker-exec.js";
import { TaskCgroups, type TaskLimits } from "./task-cgroup.js";
import { loadDockerode } from "./dockerode.js";
import type { AgentRuntime, EngineFacts } from "./agent-runtime.js";
import {
  type ContainerExec,
  type ContainerInspect,
  type ContainerLogOptions,
  type ContainerLogReader,
  type ContainerLogSink,
  type ContainerSummary,
  type CreateContainerSpec,
  type ExecSink,
  type RegistryCredentials,
  type ExecSpec,
  type RuntimeEvent,
  type RuntimeInfo,
  type RuntimeSubscription,
  type RuntimeVersion,
  type VolumeInfo,
  type VolumeSpec,
} from "./types.js";

/** Options for {@link DockerRuntime}. */
export interface DockerRuntimeOptions {
  /** The daemon's socket; default /var/run/docker.sock. */
  socketPath?: string;
  /** Abort a pull after this long without a progress line (ECS_IMAGE_PULL_INACTIVITY_TIMEOUT); default 1 min. */
  pullInactivityTimeoutMs?: number;
  /** Abort a pull not finished after this long (ECS_IMAGE_PULL_TIMEOUT); default 2 h. */
  pullTimeoutMs?: number;
  /** Where task cgroups are made (the engine's cgroup mount); default /sys/fs/cgroup. */
  cgroupRoot?: string;
  logger: Logger;
}

/**
 * {@link ContainerRuntime} over the Docker Engine API through dockerode. dockerode never
 * negotiates a version, so it is pinned to v1.41 (Docker 20.10) and no request uses a field
 * newer than that.
 */
export class DockerRuntime implements AgentRuntime {
  /** The dockerode client, for callers needing more than the interface (tests, exec). */
  readonly docker: Docker;
  private readonly logger: Logger;
  private readonly pullTimeouts: PullTimeouts;
  private readonly cgroups: TaskCgroups;
  /** Whether the engine can take a cgroupfs parent path; learned from its first answer. */
  private cgroupDriver?: Promise<string>;

  constructor(opts: DockerRuntimeOptions) {
    // Loaded here, not at import: an agent on the simulated runtime never loads dockerode.
    const Dockerode = loadDockerode();
    this.docker = new Dockerode({ socketPath: opts.socketPath ?? "/var/run/docker.sock", version: "v1.41" });
    this.logger = opts.logger.child({ component: "docker" });
    this.pullTimeouts = {
      inactivityMs: opts.pullInactivityTimeoutMs ?? defaultPullTimeouts.inactivityMs,
      overallMs: opts.pullTimeoutMs ?? defaultPullTimeouts.overallMs,
    };
    this.cgroups = new TaskCgroups(opts.cgroupRoot);
  }

  async prepareTaskCgroup(taskId: string, limits: TaskLimits): Promise<string | undefined> {
    this.cgroupDriver ??= this.docker.info().then((i: { CgroupDriver?: string }) => i.CgroupDriver ?? "cgroupfs", () => "cgroupfs");
    const driver = await this.cgroupDriver;
    // The systemd driver takes slices, not paths; berth makes cgroupfs paths only.
    if (driver !== "cgroupfs") {
      this.logger.warn("task-level cpu/memory not enforced: the engine's cgroup driver is not cgroupfs", { driver, taskId });
      return undefined;
    }
    try {
      return await this.cgroups.prepare(taskId, limits);
    } catch (err) {
      // A read-only cgroup mount (some nested containers) leaves the containers' own limits.
      this.logger.warn("task-level cpu/memory not enforced: cannot write the task cgroup", { err, taskId, cgroupVersion: this.cgroups.version });
      return undefined;
    }
  }

  async removeTaskCgroup(taskId: string): Promise<void> {
    await this.cgroups.remove(taskId).catch((err: unknown) => this.logger.warn("task cgroup removal failed", { err, taskId }));
  }

  /** Reads a container's log (see docker-logs.ts). */
  openLog(containerId: string, opts: ContainerLogOptions, sink: ContainerLogSink): Promise<ContainerLogReader> {
    return openDockerLog(this.docker, containerId, opts, sink);
  }

  /** Runs a command in a running container (see docker-exec.ts). */
  openExec(containerId: string, spec: ExecSpec, sink: ExecSink): Promise<ContainerExec> {
    return openDockerExec(this.docker, containerId, spec, sink);
  }

  /** Resolves when dockerd answers /_ping. */
  async ping(): Promise<void> {
    await this.docker.ping();
  }

  /** dockerd's info and version: CPUs and memory where containers run, API range, log drivers. */
  async engineFacts(): Promise<EngineFacts> {
    const [info, v] = await Promise.all([
      this.docker.info() as Promise<{ NCPU?: number; MemTotal?: number; Name?: string; Plugins?: { Log?: string[] } }>,
      this.docker.version(),
    ]);
    return {
      cpus: info.NCPU ?? 0,
      memoryBytes: info.MemTotal ?? 0,
      // The agent registers its own machine's name, as before; dockerd's Name is the same host.
      hostname: "",
      version: v.Version,
      apiVersion: v.ApiVersion,
      minApiVersion: v.MinAPIVersion ?? v.ApiVersion,
      logDrivers: [...(info.Plugins?.Log ?? [])].sort(),
    };
  }

  /**
   * One sample of a container's stats. `one-shot` (API 1.41) answers from one sample instead of
   * two, as a counter needs no CPU delta; dockerd still answers on its collector's next 1 s tick.
   */
  containerStats(id: string): Promise<unknown> {
    return this.docker.getContainer(id).stats({ stream: false, "one-shot": true });
  }

  async version(): Promise<RuntimeVersion> {
    try {
      const v = await this.docker.version();
      return { version: v.Version, apiVersion: v.ApiVersion };
    } catch (err) {
      throw classifyDockerError(err, CannotInspectContainerError);
    }
  }

  async info(): Promise<RuntimeInfo> {
    try {
      const i = (await this.docker.info()) as { NCPU: number; MemTotal: number };
      return { cpus: i.NCPU, memoryBytes: i.MemTotal };
    } catch (err) {
      throw classifyDockerError(err, CannotInspectContainerError);
    }
  }

  async imageExists(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw classifyDockerError(err, CannotPullContainerError);
    }
  }

  async pullImage(image: string, auth?: RegistryCredentials): Promise<void> {
    const started = Date.now();
    try {
      const modem = this.docker.modem;
      const output = await watchPull(
        image,
        {
          open: (signal) =>
            this.docker.pull(image, {
              abortSignal: signal,
              ...(auth && { authconfig: { username: auth.username, password: auth.password, serveraddress: registryOf(image) } }),
            }) as Promise<PullStream>,
          follow: (stream, onFinished, onProgress) => modem.followProgress(stream, onFinished as never, onProgress as never),
        },
        this.pullTimeouts,
      );
      // A pull answers 200 and reports failures inside the progress stream, so the stream's
      // last error line decides.
      const failed = output.find((line: PullProgressLine) => line.error || line.errorDetail);
      if (failed) {
        // Errors inside the stream are registry answers (denied, unknown manifest): fatal.
        throw new CannotPullContainerError(failed.errorDetail?.message ?? failed.error ?? "pull failed", { retryable: false });
      }
      this.logger.info("image pulled", { image, ms: Date.now() - started });
    } catch (err) {
      if (err instanceof ImagePullTimeoutError) {
        this.logger.warn("image pull aborted", { image, timeout: err.timeout, limitMs: err.limitMs, ms: Date.now() - started });
      }
      throw classifyDockerError(err, CannotPullContainerError);
    }
  }

  async importImage(rootfsTar: Buffer, ref: string, changes: string[]): Promise<void> {
    const colon = ref.lastIndexOf(":");
    try {
      const stream = await this.docker.importImage(Readable.from([rootfsTar]), { repo: ref.slice(0, colon), tag: ref.slice(colon + 1), changes });
      const output = await new Promise<PullProgressLine[]>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (err: Error | null, res: PullProgressLine[]) => (err ? reject(err) : resolve(res))),
      );
      const failed = output.find((line) => line.error || line.errorDetail);
      if (failed) throw new CannotPullContainerError(failed.errorDetail?.message ?? failed.error ?? "import failed", { retryable: false });
      this.logger.info("image imported", { image: ref });
    } catch (err) {
      throw classifyDockerError(err, CannotPullContainerError);
    }
  }

  async createContainer(spec: CreateContainerSpec): Promise<string> {
    try {
      const c = await this.docker.createContainer(toCreateOptions(spec));
      return c.id;
    } catch (err) {
      throw classifyDockerError(err, CannotCreateContainerError);
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      // 304: already started, which is what a retried start wanted.
      if ((err as { statusCode?: number }).statusCode === 304) return;
      throw classifyDockerError(err, CannotStartContainerError);
    }
  }

  async stopContainer(id: string, timeoutMs: number): Promise<void> {
    try {
      // Docker takes whole seconds; round up so a 1.5 s grace is never cut short.
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(timeoutMs / 1000)) });
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 304) return; // already stopped
      throw classifyDockerError(err, CannotStopContainerError, true);
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const e = classifyDockerError(err, CannotRemoveContainerError, true);
      if (e instanceof ContainerNotFoundError) return;
      throw e;
    }
  }

  async inspectContainer(id: string): Promise<ContainerInspect | undefined> {
    try {
      return toInspect(await this.docker.getContainer(id).inspect());
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw classifyDockerError(err, CannotInspectContainerError);
    }
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    try {
      const rows = await this.docker.listContainers({
        all: true,
        filters: { label: Object.entries(labels).map(([k, v]) => (v ? `${k}=${v}` : k)) },
      });
      return rows.map((r) => ({
        id: r.Id,
        name: (r.Names[0] ?? "").replace(/^\//, ""),
        labels: r.Labels ?? {},
        state: r.State,
      }));
    } catch (err) {
      throw classifyDockerError(err, CannotInspectContainerError);
    }
  }

  subscribe(labels: Record<string, string>, onEvent: (e: RuntimeEvent) => void): RuntimeSubscription {
    return subscribeDockerEvents(this.docker, labels, onEvent, this.logger);
  }

  async createVolume(spec: VolumeSpec): Promise<void> {
    try {
      // The engine answers 201 with the existing volume when the name and driver match, which
      // is the idempotency a retried provisioning needs.
      await this.docker.createVolume({ Name: spec.name, Driver: spec.driver, DriverOpts: spec.driverOpts, Labels: spec.labels });
      this.logger.info("volume ready", { volume: spec.name, driver: spec.driver });
    } catch (err) {
      throw classifyDockerError(err, CannotCreateVolumeError);
    }
  }

  async inspectVolume(name: string): Promise<VolumeInfo | undefined> {
    try {
      return toVolumeInfo(await this.docker.getVolume(name).inspect());
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw classifyDockerError(err, CannotInspectVolumeError);
    }
  }

  async listVolumes(labels: Record<string, string>): Promise<VolumeInfo[]> {
    try {
      const res = await this.docker.listVolumes({ filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) } });
      return (res.Volumes ?? []).map(toVolumeInfo);
    } catch (err) {
      throw classifyDockerError(err, CannotInspectVolumeError);
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).remove();
      this.logger.info("volume removed", { volume: name });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      throw classifyDockerError(err, CannotRemoveVolumeError);
    }
  }
}

/**
 * The registry an image reference names, as Docker reads it: a first component with a `.` or
 * `:` (or `localhost`) is a registry host, anything else is on Docker Hub.
 */
export function registryOf(image: string): string {
  const first = image.split("/")[0];
  return image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first : "https://index.docker.io/v1/";
}

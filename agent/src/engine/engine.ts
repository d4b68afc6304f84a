import { findDependencyCycle, type Logger } from "@berth/shared";
import type { KnownTask, TaskSpec, TaskStateChange } from "@berth/proto";
import type { ContainerRuntime, PullPolicy, RuntimeEvent, RuntimeSubscription } from "../runtime/index.js";
import { StateFile, type AgentStateData } from "../state/index.js";
import { ecsLabel, initialContainers, parseTaskSpec, withoutSecrets } from "./container-config.js";
import { systemClock, type Clock, type ManagedTask } from "./model.js";
import { PortAllocator, readKernelPortRange, type PortRange } from "./ports.js";
import { adoptedDefinitionJson, planRestore } from "./restore.js";
import type { TaskNetworking } from "../network/index.js";
import { buildStateChange, taskFingerprint } from "./state-change.js";
import { TaskRunner, type RunnerHost } from "./task-runner.js";
import type { AgentTaskView, TaskEngine } from "./types.js";
import type { ContainerEnvironment } from "./actions.js";

/** How the engine is built; defaults follow the ECS agent's. */
export interface TaskEngineOptions {
  runtime: ContainerRuntime;
  /** The agent's data directory; the state file lives here. */
  stateDir: string;
  /** The cluster name, also the `com.amazonaws.ecs.cluster` label on every container. */
  cluster: string;
  logger: Logger;
  clock?: Clock;
  /** Where dynamic host ports come from; default the kernel's ip_local_port_range. */
  dynamicPortRange?: PortRange;
  /** ECS_IMAGE_PULL_BEHAVIOR; default `default`. */
  pullPolicy?: PullPolicy;
  /** ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION; default 3 h. */
  taskCleanupWaitMs?: number;
  /** Stop grace when a container sets no stopTimeout (ECS_CONTAINER_STOP_TIMEOUT); default 30 s. */
  defaultStopTimeoutMs?: number;
  /** Retries of retryable runtime failures; default 4 attempts, 1 s doubling to 10 s. */
  retry?: { attempts: number; baseMs: number; maxMs: number };
  /** How a candidate dynamic port is checked; default by binding it. */
  portProbe?: (port: number, protocol: "tcp" | "udp") => Promise<boolean>;
  /** awsvpc task namespaces; without it awsvpc tasks stop with ResourceInitializationError. */
  network?: TaskNetworking;
  /**
   * Set when two agents of one cluster share a Docker engine (berth up's Fargate agent beside
   * its EC2 one): the engine labels its containers with it and re-adopts only containers with
   * the same label (absent matches absent), so neither agent takes the other's tasks.
   */
  partition?: string;
  /** The environment the agent gives each container (the task metadata endpoint's URIs); none when absent. */
  containerEnvironment?: ContainerEnvironment;
}

/** Most forgotten task ARNs remembered, so a stale payload cannot rerun a cleaned-up task. */
const forgottenCap = 1000;

/**
 * The agent's task engine: holds every task it was given, one {@link TaskRunner} loop per task,
 * the numbered outbox of state changes, and the state file that keeps all of it across restarts.
 */
export class AgentTaskEngine implements TaskEngine {
  private readonly opts: Required<Omit<TaskEngineOptions, "dynamicPortRange" | "portProbe" | "clock" | "network" | "partition" | "containerEnvironment">> & Pick<TaskEngineOptions, "partition" | "containerEnvironment"> & { clock: Clock; network?: TaskNetworking };
  private readonly stateFile: StateFile<ManagedTask>;
  private readonly ports: PortAllocator;
  private readonly logger: Logger;
  private readonly runners = new Map<string, TaskRunner>();
  private readonly listeners: ((c: TaskStateChange) => void)[] = [];
  private data?: AgentStateData<ManagedTask>;
  private subscription?: RuntimeSubscription;
  private persistedSeq = 0;
  private deliveredSeq = 0;
  private closed = false;

  constructor(options: TaskEngineOptions) {
    this.opts = {
      pullPolicy: "default",
      taskCleanupWaitMs: 3 * 3600_000,
      defaultStopTimeoutMs: 30_000,
      retry: { attempts: 4, baseMs: 1000, maxMs: 10_000 },
      ...options,
      clock: options.clock ?? systemClock,
    };
    this.logger = options.logger.child({ component: "engine", cluster: options.cluster });
    this.stateFile = new StateFile<ManagedTask>(options.stateDir, options.logger);
    this.ports = new PortAllocator(options.dynamicPortRange ?? readKernelPortRange(), options.portProbe);
  }

  async start(): Promise<void> {
    const data = await this.stateFile.load();
    if (data.cluster && data.cluster !== this.opts.cluster) {
      throw new Error(`state file ${this.stateFile.path} belongs to cluster '${data.cluster}', not '${this.opts.cluster}'`);
    }
    data.cluster = this.opts.cluster;
    this.data = data;
    this.persistedSeq = this.deliveredSeq = data.lastSeq;
    for (const t of data.tasks) {
      for (const c of t.containers) {
        if (c.knownStatus === "STOPPED") continue;
        for (const [key, port] of Object.entries(c.hostPorts ?? {})) this.ports.reserve(port, key.endsWith("/udp") ? "udp" : "tcp");
      }
    }
    // Subscribe before inspecting so no exit between the two is missed; duplicates are harmless.
    this.subscription = this.opts.runtime.subscribe({ [ecsLabel.cluster]: this.opts.cluster }, (e) => this.onRuntimeEvent(e));
    const plan = await planRestore(this.opts.runtime, this.opts.cluster, data.tasks, this.logger, this.opts.partition);
    for (const t of plan.adopted) {
      t.spec.taskDefinitionJson = adoptedDefinitionJson(t);
      data.tasks.push(t);
      this.logger.warn("re-adopted containers of a task missing from the state file", { taskArn: t.arn, containers: t.containers.length });
    }
    for (const d of plan.duplicates) {
      this.logger.warn("removing a duplicate of a tracked container", { id: d.id, name: d.name, taskArn: d.labels[ecsLabel.taskArn] });
      await this.opts.runtime.removeContainer(d.id).catch((err: unknown) => this.logger.error("duplicate removal failed", { err, id: d.id }));
    }
    for (const t of data.tasks) this.runners.set(t.arn, new TaskRunner(t, this.host()));
    await Promise.all(
      plan.observations.map((o) => this.runners.get(o.taskArn)?.post({ type: "observed", container: o.container, id: o.id, inspect: o.inspect })),
    );
    await Promise.all([...this.runners.values()].map((r) => r.post({ type: "wake" })));
    await this.persist();
    // Pause containers no task on record holds (a crash between making one and recording it).
    const swept = await this.opts.network?.sweep((arn) => data.tasks.some((t) => t.arn === arn && t.network && !t.network.tornDown)).catch((err: Error) => {
      this.logger.warn("pause container sweep failed", { err });
      return 0;
    });
    if (swept) this.logger.info("orphaned pause containers removed", { count: swept });
    this.logger.info("engine started", { tasks: data.tasks.length, adopted: plan.adopted.length, outbox: data.outbox.length });
  }

  /**
   * Replaces an awsvpc task's ingress rules in its namespace. Outside the task's loop: it changes
   * only the namespace's firewall, never the task record, and a namespace already gone is no error.
   */
  async applyIngress(taskArn: string, ingress: { protocol: string; fromPort: number; toPort: number; cidr: string }[]): Promise<void> {
    const net = this.data?.tasks.find((t) => t.arn === taskArn)?.network;
    if (!net || !this.opts.network) return;
    await this.opts.network.applyIngress(net, ingress).catch((err: Error) => this.logger.warn("task ingress not applied", { taskArn, err }));
  }

  async applyPayload(tasks: TaskSpec[]): Promise<void> {
    const data = this.state();
    // Stops before starts, so resources a stop frees are free before a start needs them.
    const ordered = [...tasks].sort((a, b) => Number(b.desiredStatus === "STOPPED") - Number(a.desiredStatus === "STOPPED"));
    const waits: Promise<void>[] = [];
    for (const spec of ordered) {
      const runner = this.runners.get(spec.taskArn);
      if (runner) {
        if (spec.desiredStatus === "RUNNING" && runner.task.desiredStatus === "STOPPED") {
          this.logger.warn("ignoring RUNNING for a task already told to stop", { taskArn: spec.taskArn });
        }
        waits.push(runner.post({ type: "payload", spec }));
        continue;
      }
      if (spec.desiredStatus === "RUNNING" && data.forgotten.some((f) => f.arn === spec.taskArn)) {
        this.logger.warn("ignoring RUNNING for a task already run and cleaned up", { taskArn: spec.taskArn });
        continue;
      }
      const task = this.newTask(spec);
      data.tasks.push(task);
      const r = new TaskRunner(task, this.host());
      this.runners.set(task.arn, r);
      // The payload itself is the first event: its secrets go to the runner's memory, not the task.
      waits.push(r.post({ type: "payload", spec }));
    }
    await Promise.all(waits);
    await this.persist();
  }

  private newTask(spec: TaskSpec): ManagedTask {
    const task: ManagedTask = {
      arn: spec.taskArn,
      clusterArn: spec.clusterArn,
      family: spec.family,
      revision: spec.revision,
      spec: withoutSecrets(spec),
      desiredStatus: "RUNNING",
      knownStatus: "NONE",
      containers: [],
    };
    let refusal: string | undefined;
    try {
      task.containers = initialContainers(parseTaskSpec(spec));
      const cycle = findDependencyCycle(task.containers);
      if (cycle) refusal = `dependsOn cycle: ${cycle.join(" -> ")}`;
    } catch (err) {
      refusal = `invalid task payload: ${(err as Error).message}`;
    }
    // A task to be stopped that the agent never ran (or already forgot) is recorded as stopped
    // so the control plane still hears STOPPED for it.
    if (spec.desiredStatus === "STOPPED") refusal = spec.stoppedReason || "Task stopped before it started";
    if (refusal) {
      task.desiredStatus = "STOPPED";
      task.reason = refusal;
      for (const c of task.containers) c.desiredStatus = "STOPPED";
      if (task.containers.length === 0) task.knownStatus = "STOPPED";
    }
    this.logger.info("task received", { taskArn: task.arn, desired: task.desiredStatus, containers: task.containers.length, reason: refusal });
    return task;
  }

  onStateChange(listener: (change: TaskStateChange) => void): void {
    this.listeners.push(listener);
  }

  unacknowledgedChanges(): TaskStateChange[] {
    return this.state().outbox.filter((c) => c.seq <= this.persistedSeq);
  }

  async acknowledge(seq: number): Promise<void> {
    const data = this.state();
    const before = data.outbox.length;
    data.outbox = data.outbox.filter((c) => c.seq > seq);
    if (data.outbox.length !== before) await this.persist();
  }

  knownTasks(): KnownTask[] {
    return this.state().tasks.map((t) => ({ taskArn: t.arn, knownStatus: t.knownStatus, desiredStatus: t.desiredStatus }));
  }

  /**
   * The tasks as the engine holds them now, for readers that need more than {@link listTasks}
   * (the task metadata endpoint). Read-only: only the tasks' own loops change them.
   */
  managedTasks(): readonly Readonly<ManagedTask>[] {
    return this.state().tasks;
  }

  listTasks(): AgentTaskView[] {
    return this.state().tasks.map((t) => ({
      arn: t.arn,
      cluster: t.clusterArn,
      family: t.family,
      revision: t.revision,
      desiredStatus: t.desiredStatus,
      knownStatus: t.knownStatus,
      containers: t.containers.map((c) => ({
        name: c.name,
        runtimeId: c.runtimeId,
        dockerName: c.dockerName,
        image: c.image,
        knownStatus: c.knownStatus,
        desiredStatus: c.desiredStatus,
        exitCode: c.exitCode,
        reason: c.reason,
        networkBindings: c.networkBindings.map((b) => ({ ...b })),
        healthStatus: c.hasHealthCheck ? c.healthStatus ?? "UNKNOWN" : undefined,
        cpu: c.cpu,
        memory: c.memory,
      })),
    }));
  }

  /** The container instance ARN on record (after start()), for re-registration. */
  instanceArn(): string | undefined {
    return this.state().instanceArn;
  }

  /** Records the instance ARN registration returned; resolves once persisted. */
  async setInstanceArn(arn: string): Promise<void> {
    this.state().instanceArn = arn;
    await this.persist();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.close();
    for (const r of this.runners.values()) r.close();
    if (this.data) await this.persist();
    await this.stateFile.flush();
    this.logger.info("engine closed; containers left running");
  }

  private state(): AgentStateData<ManagedTask> {
    if (!this.data) throw new Error("task engine not started: call start() first");
    return this.data;
  }

  private host(): RunnerHost {
    return {
      runtime: this.opts.runtime,
      clock: this.opts.clock,
      logger: this.opts.logger,
      pullPolicy: this.opts.pullPolicy,
      ports: this.ports,
      cluster: this.opts.cluster,
      partition: this.opts.partition,
      containerEnvironment: this.opts.containerEnvironment,
      defaultStopTimeoutMs: this.opts.defaultStopTimeoutMs,
      taskCleanupWaitMs: this.opts.taskCleanupWaitMs,
      retry: this.opts.retry,
      network: this.opts.network,
      commit: (task) => this.commit(task),
      forget: (task) => this.forget(task),
    };
  }

  /** Numbers a change when the task moved, persists, then hands persisted changes out in order. */
  private async commit(task: ManagedTask): Promise<void> {
    const data = this.state();
    const fp = taskFingerprint(task);
    if (fp !== task.reportedFingerprint && !this.closed) {
      task.reportedFingerprint = fp;
      data.lastSeq += 1;
      data.outbox.push(buildStateChange(task, data.lastSeq));
    }
    await this.persist();
  }

  private async persist(): Promise<void> {
    // The snapshot is a shallow copy so `lastSeq` is the value the write actually contained.
    const written = await this.stateFile.save(() => ({ ...this.state() }));
    this.persistedSeq = Math.max(this.persistedSeq, written.lastSeq);
    this.deliver();
  }

  /** Hands out changes in seq order, only those a completed write contained. */
  private deliver(): void {
    // A change sent before it is durable could have its seq reused after a crash.
    const ready = this.state().outbox.filter((c) => c.seq > this.deliveredSeq && c.seq <= this.persistedSeq);
    for (const change of ready) {
      this.deliveredSeq = change.seq;
      for (const l of this.listeners) {
        try {
          l(change);
        } catch (err) {
          this.logger.error("state change listener threw", { err, seq: change.seq });
        }
      }
    }
  }

  private async forget(task: ManagedTask): Promise<void> {
    const data = this.state();
    data.tasks = data.tasks.filter((t) => t !== task);
    data.forgotten = [...data.forgotten, { arn: task.arn, atMs: this.opts.clock.now() }].slice(-forgottenCap);
    this.runners.delete(task.arn);
    await this.persist();
  }

  private onRuntimeEvent(e: RuntimeEvent): void {
    if (this.closed) return;
    if (e.kind === "resync") {
      for (const r of this.runners.values()) {
        for (const c of r.task.containers) if (c.runtimeId && c.knownStatus !== "STOPPED") this.observe(r, c.name, c.runtimeId);
      }
      return;
    }
    const runner = this.runners.get(e.labels[ecsLabel.taskArn] ?? "");
    const name = e.labels[ecsLabel.containerName];
    if (!runner || !name) return;
    if (e.kind === "health") void runner.post({ type: "health", container: name, health: e.health });
    else if (e.kind === "die") this.observe(runner, name, e.id);
  }

  /** Inspects aside and hands the result to the task's loop. */
  private observe(runner: TaskRunner, container: string, id: string): void {
    this.opts.runtime.inspectContainer(id).then(
      (inspect) => void runner.post({ type: "observed", container, id, inspect }),
      (err: unknown) => this.logger.warn("inspect after event failed", { err, id, container }),
    );
  }
}

import type { Logger } from "@berth/shared";
import type { NetworkBinding, TaskSpec } from "@berth/proto";
import { ContainerNotFoundError } from "../runtime/index.js";
import { ActionFailure, actionTable, type ActionResult } from "./actions.js";
import type { RunnerEvent, RunnerHost } from "./runner-types.js";
import { dockerContainerName, HeldSecrets, hostModeBindings, parseTaskSpec, redefineContainers, withoutSecrets, type ParsedTaskSpec } from "./container-config.js";
import type { ManagedContainer, ManagedTask } from "./model.js";
import { applyHealth, applyInspect, failContainer, type Moved } from "./observe.js";
import { essentialStopReason, stopTask, taskStatusFromContainers } from "./task-status.js";
import { failureReason, retryDelayMs } from "./retry.js";
import { advanceKnown, nextTransition, type ContainerAction, type Transition } from "./transition.js";
import { TaskVolumes, type ContainerMounts } from "./volumes.js";
import { releaseOnStop, removeTaskLeftovers, type CleanupOutcome } from "./cleanup.js";
import { TaskNetworkGate } from "./network-gate.js";

export type { RunnerEvent, RunnerHost } from "./runner-types.js";

interface Queued {
  event: RunnerEvent;
  done: () => void;
}

/**
 * The one writer of one task (the ECS agent's `managedTask`): events go into a queue; the loop
 * applies them, decides every idle container's next transition, starts slow runtime actions
 * aside (their results come back as events), then commits a state change and persists before
 * taking the next batch. Timers wake it for retries, startTimeouts and cleanup.
 */
export class TaskRunner {
  private readonly queue: Queued[] = [];
  private draining = false;
  private closed = false;
  private readonly inFlight = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly retryAt = new Map<string, number>();
  private readonly deferred = new Map<string, RunnerEvent[]>();
  private readonly blockedWhy = new Map<string, string>();
  private timer?: { cancel(): void; at: number };
  private cleaning = false;
  private parsed?: ParsedTaskSpec;
  private readonly logger: Logger;
  private readonly volumes: TaskVolumes;
  private readonly network: TaskNetworkGate;

  constructor(readonly task: ManagedTask, private readonly host: RunnerHost, private readonly secrets = new HeldSecrets()) {
    this.logger = host.logger.child({ component: "task", taskArn: task.arn });
    const ctx = { taskArn: task.arn, family: task.family, revision: task.revision, cluster: host.cluster };
    this.volumes = new TaskVolumes(ctx, host.runtime, host.retry, (error) => void this.post({ type: "volumesDone", error }));
    this.network = new TaskNetworkGate(task, host.network, this.logger, (outcome) => void this.post({ type: "networkDone", outcome }));
  }

  /** Queues an event; resolves once it has been applied and the result committed. */
  post(event: RunnerEvent): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((done) => {
      this.queue.push({ event, done });
      void this.drain();
    });
  }

  /** Stops the loop; in-flight runtime calls finish unobserved, containers are untouched. */
  close(): void {
    this.closed = true;
    this.timer?.cancel();
    for (const q of this.queue.splice(0)) q.done();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const batch = this.queue.splice(0);
        for (const q of batch) {
          try {
            this.handle(q.event);
          } catch (err) {
            this.logger.error("task event failed", { err, event: q.event.type });
          }
        }
        try {
          this.step();
          await this.host.commit(this.task);
        } catch (err) {
          this.logger.error("task step failed", { err });
        }
        for (const q of batch) q.done();
      }
    } finally {
      this.draining = false;
    }
  }

  private container(name: string): ManagedContainer | undefined {
    return this.task.containers.find((c) => c.name === name);
  }

  private handle(e: RunnerEvent): void {
    const now = this.host.clock.now();
    switch (e.type) {
      case "wake":
        return;
      case "payload":
        return this.onPayload(e.spec);
      case "cleanupDone":
        return this.onCleanupDone(e.outcome);
      case "volumesDone":
        return this.onVolumesDone(e.error, now);
      case "actionDone":
        return this.onActionDone(e, now);
      case "networkDone": {
        const reason = this.network.apply(e.outcome, now);
        if (reason) this.failWaiting(reason, now);
        return;
      }
    }
    const c = this.container(e.container);
    if (!c) return;
    // Facts about a container with a call in flight wait for the call's own answer, so a die
    // seen before `start` returned is applied after RUNNING, never before.
    if (this.inFlight.has(c.name)) {
      this.deferred.set(c.name, [...(this.deferred.get(c.name) ?? []), e]);
      return;
    }
    if (e.type === "observed") {
      if (e.id && !c.runtimeId) c.runtimeId = e.id;
      this.log(applyInspect(c, e.inspect, now, this.hostBindings(c)));
    } else if (applyHealth(c, e.health)) {
      this.logger.info("container health", { container: c.name, health: c.healthStatus });
    }
  }

  private onPayload(spec: TaskSpec): void {
    if (spec.desiredStatus === "RUNNING" && this.secrets.take(spec.secrets)) this.parsed = undefined;
    if (this.task.adopted && spec.desiredStatus === "RUNNING") this.adoptSpec(spec);
    if (spec.desiredStatus === "STOPPED" && this.task.desiredStatus !== "STOPPED") {
      this.logger.info("task desired status RUNNING -> STOPPED", { reason: spec.stoppedReason });
      stopTask(this.task, spec.stoppedReason || "Task stopped by the control plane");
    }
  }

  /** A task re-adopted from labels gets its real definition once the control plane re-sends it. */
  private adoptSpec(spec: TaskSpec): void {
    try {
      this.task.containers = redefineContainers(this.task.containers, parseTaskSpec(spec));
    } catch (err) {
      this.logger.warn("payload for an adopted task is unusable; keeping what was adopted", { err });
      return;
    }
    this.task.spec = withoutSecrets(spec);
    this.task.clusterArn = spec.clusterArn;
    this.task.adopted = false;
    this.parsed = undefined;
    this.volumes.reset();
  }

  private onActionDone(e: Extract<RunnerEvent, { type: "actionDone" }>, now: number): void {
    const c = this.container(e.container);
    this.inFlight.delete(e.container);
    if (!c) return;
    if (e.error !== undefined) this.onActionError(c, e.action, e.error, now);
    else if (e.result) this.onActionResult(c, e.result, now);
    const later = this.deferred.get(c.name) ?? [];
    this.deferred.delete(c.name);
    for (const d of later) this.handle(d);
  }

  private onActionResult(c: ManagedContainer, r: ActionResult, now: number): void {
    this.attempts.delete(c.name);
    const moved: Moved[] = [];
    const from = c.knownStatus;
    switch (r.action) {
      case "pull":
        c.pullStoppedAtMs = now;
        this.task.pullStoppedAtMs = Math.max(this.task.pullStoppedAtMs ?? 0, now);
        if (advanceKnown(c, "PULLED")) moved.push({ container: c.name, from, to: "PULLED" });
        break;
      case "create":
        c.runtimeId = r.id;
        c.hostPorts = r.hostPorts;
        c.createdAtMs = now;
        if (advanceKnown(c, "CREATED")) moved.push({ container: c.name, from, to: "CREATED" });
        break;
      case "start":
      case "stop":
        moved.push(...applyInspect(c, r.inspect, now, this.hostBindings(c)));
        // A stopped container the runtime no longer has: stopped all the same.
        if (r.action === "stop" && c.knownStatus !== "STOPPED") moved.push(...failContainer(c, "", now));
        break;
    }
    this.log(moved);
  }

  private onActionError(c: ManagedContainer, action: ContainerAction, error: unknown, now: number): void {
    const err = error instanceof ActionFailure ? error.error : error;
    if (error instanceof ActionFailure) c.hostPorts = { ...(c.hostPorts ?? {}), ...error.hostPorts };
    if (action === "stop" && err instanceof ContainerNotFoundError) {
      this.log(applyInspect(c, undefined, now));
      return;
    }
    const n = (this.attempts.get(c.name) ?? 0) + 1;
    const delay = retryDelayMs(this.host.retry, n, err);
    if (delay !== undefined) {
      this.attempts.set(c.name, n);
      this.retryAt.set(c.name, now + delay);
      this.logger.warn("runtime action failed; will retry", { container: c.name, action, attempt: n, delayMs: delay, err });
      return;
    }
    this.attempts.delete(c.name);
    const reason = failureReason(err, `${action} failed`);
    this.logger.warn("runtime action failed", { container: c.name, action, reason });
    this.log(failContainer(c, reason, now));
  }

  /** Decides and dispatches until nothing more moves without the runtime. */
  private step(): void {
    if (this.closed) return;
    const now = this.host.clock.now();
    const task = this.task;
    let wakeAt = Number.POSITIVE_INFINITY;
    // Volumes berth cannot provide refuse the task before anything is pulled.
    const volumes = this.volumes.plan(this.definition());
    if (!volumes.ok && task.desiredStatus === "RUNNING") {
      this.logger.warn("task desired status RUNNING -> STOPPED", { reason: volumes.reason });
      stopTask(task, volumes.reason);
    }
    for (let round = 0; round < 2 * task.containers.length + 2; round++) {
      let moved = false;
      const essential = essentialStopReason(task, task.containers);
      if (essential) {
        this.logger.info("task desired status RUNNING -> STOPPED", { reason: essential });
        stopTask(task, essential);
      }
      for (const c of task.containers) {
        if (this.inFlight.has(c.name)) continue;
        const next = nextTransition(c, task.containers, now);
        // A backoff delays only runtime calls; a stop by fiat need not wait for it.
        const retryAt = this.retryAt.get(c.name) ?? 0;
        if (next.kind === "action" && retryAt > now) {
          wakeAt = Math.min(wakeAt, retryAt);
          continue;
        }
        const { t, mounts, networkMode } = next.kind === "action" && next.action === "create" ? this.gateCreate(next, c, now) : { t: next };
        if (t.kind !== "blocked") this.blockedWhy.delete(c.name);
        if (t.kind === "mark") {
          this.log(failContainer(c, "", now));
          moved = true;
        } else if (t.kind === "fail") {
          this.log(failContainer(c, t.reason, now));
          moved = true;
        } else if (t.kind === "blocked") {
          if (this.blockedWhy.get(c.name) !== t.reason) this.logger.debug("container blocked", { container: c.name, reason: t.reason });
          this.blockedWhy.set(c.name, t.reason);
          if (t.recheckAtMs !== undefined) wakeAt = Math.min(wakeAt, t.recheckAtMs);
        } else if (t.kind === "action") {
          this.dispatch(c, t.action, now, mounts, networkMode);
        }
      }
      if (!moved) break;
    }
    this.updateTask(now);
    // After a restart or a failed teardown: the namespace of a stopped task still has to go.
    if (task.knownStatus === "STOPPED") this.network.afterStop(now);
    wakeAt = Math.min(wakeAt, this.network.retryAt ?? wakeAt);
    if (task.cleanupAtMs !== undefined) {
      if (task.cleanupAtMs <= now) this.cleanup();
      else wakeAt = Math.min(wakeAt, task.cleanupAtMs);
    }
    this.schedule(wakeAt, now);
  }

  private updateTask(now: number): void {
    const task = this.task;
    const before = task.knownStatus;
    task.knownStatus = taskStatusFromContainers(task.containers, before);
    // An awsvpc task is STOPPED once its namespace is released too: its address is then the control plane's again.
    if (task.knownStatus === "STOPPED" && before !== "STOPPED" && this.network.holding(now)) task.knownStatus = before;
    if (task.knownStatus === before) return;
    this.logger.info("task transition", { from: before, to: task.knownStatus });
    if (task.knownStatus === "RUNNING") task.startedAtMs ??= now;
    if (task.knownStatus === "STOPPED") {
      stopTask(task, undefined);
      task.executionStoppedAtMs ??= Math.max(now, ...task.containers.map((c) => c.finishedAtMs ?? 0));
      task.stoppedAtMs ??= now;
      task.cleanupAtMs ??= now + this.host.taskCleanupWaitMs;
      releaseOnStop(task, this.host);
    }
  }

  /** A create waits for the task's namespace, volumes and volumesFrom sources, and carries its mounts and network mode. */
  private gateCreate(t: Transition, c: ManagedContainer, now: number): { t: Transition; mounts?: ContainerMounts; networkMode?: string } {
    const net = this.network.beforeCreate();
    if (net.kind === "failTask") {
      stopTask(this.task, net.reason);
      return { t: { kind: "fail", reason: net.reason } };
    }
    if (net.kind !== "go") return { t: net };
    const td = this.definition();
    const def = td?.containerDefinitions.find((d) => d.name === c.name);
    if (!td || !def) return { t };
    const gate = this.volumes.beforeCreate(td, def, this.task.containers, now);
    return gate.kind === "go" ? { t, mounts: gate.mounts, networkMode: net.networkMode } : { t: gate };
  }

  private dispatch(c: ManagedContainer, action: ContainerAction, now: number, mounts?: ContainerMounts, networkMode?: string): void {
    if (action === "pull") {
      c.pullStartedAtMs ??= now;
      this.task.pullStartedAtMs ??= now;
    }
    if (action === "create") c.dockerName ??= dockerContainerName(this.task.family, this.task.revision, c.name);
    let parsed: ParsedTaskSpec;
    try {
      parsed = this.parsed ??= parseTaskSpec(this.task.spec, this.secrets.all);
    } catch (err) {
      this.log(failContainer(c, `CannotCreateContainerError: ${(err as Error).message}`, now));
      return;
    }
    this.inFlight.add(c.name);
    this.retryAt.delete(c.name);
    const input = { task: { arn: this.task.arn, family: this.task.family, revision: this.task.revision }, container: { ...c }, parsed, mounts, networkMode };
    this.logger.debug("container action", { container: c.name, action });
    actionTable[action](this.host, input).then(
      (result) => void this.post({ type: "actionDone", container: c.name, action, result }),
      (error: unknown) => void this.post({ type: "actionDone", container: c.name, action, error }),
    );
  }

  private cleanup(): void {
    if (this.cleaning) return;
    this.cleaning = true;
    const ids = this.task.containers.map((c) => c.runtimeId).filter((id): id is string => !!id);
    removeTaskLeftovers(this.host.runtime, ids, this.volumes, this.definition(), this.task.arn).then(
      (outcome) => void this.post({ type: "cleanupDone", outcome }),
      (retryError: unknown) => void this.post({ type: "cleanupDone", outcome: { retryError, leftBehind: [] } }),
    );
  }

  private onVolumesDone(error: unknown, now: number): void {
    const outcome = this.volumes.provisioned(error, now);
    if (!outcome) return this.logger.info("task volumes ready");
    if ("retryAtMs" in outcome) return this.logger.warn("task volumes failed; will retry", { err: error, delayMs: outcome.retryAtMs - now });
    this.failWaiting(outcome.reason, now);
  }

  /** Stops the task for `reason`, failing with it each container still waiting to be created. */
  private failWaiting(reason: string, now: number): void {
    this.logger.warn("task desired status RUNNING -> STOPPED", { reason });
    stopTask(this.task, reason);
    const waiting = this.task.containers.filter((c) => !this.inFlight.has(c.name) && (c.knownStatus === "NONE" || c.knownStatus === "PULLED"));
    for (const c of waiting) this.log(failContainer(c, reason, now));
  }

  private onCleanupDone(outcome: CleanupOutcome): void {
    this.cleaning = false;
    for (const f of outcome.leftBehind) this.logger.warn("task volume left behind", { volume: f.volume, err: f.error });
    if (outcome.retryError !== undefined) {
      // Try again later rather than forget containers that still exist.
      this.logger.warn("task cleanup failed; will retry", { err: outcome.retryError });
      this.task.cleanupAtMs = this.host.clock.now() + Math.min(this.host.taskCleanupWaitMs, 60_000);
      return;
    }
    this.logger.info("task cleaned up", { containers: this.task.containers.length });
    this.closed = true;
    this.timer?.cancel();
    void this.host.forget(this.task);
  }

  private schedule(at: number, now: number): void {
    if (this.closed || at === Number.POSITIVE_INFINITY) return;
    if (this.timer && this.timer.at <= at && this.timer.at > now) return;
    this.timer?.cancel();
    const handle = this.host.clock.setTimeout(() => {
      this.timer = undefined;
      void this.post({ type: "wake" });
    }, at - now);
    this.timer = { cancel: () => handle.cancel(), at };
  }

  /** The parsed task definition, or undefined when the spec does not parse (create fails on that). */
  private definition(): ParsedTaskSpec["td"] | undefined {
    try {
      return (this.parsed ??= parseTaskSpec(this.task.spec, this.secrets.all)).td;
    } catch {
      return undefined;
    }
  }

  private hostBindings(c: ManagedContainer): NetworkBinding[] {
    const td = this.definition();
    const def = td?.networkMode === "host" ? td.containerDefinitions.find((d) => d.name === c.name) : undefined;
    return def ? hostModeBindings(def) : [];
  }

  private log(moved: Moved[]): void {
    for (const m of moved) {
      const c = this.container(m.container);
      this.logger.info("container transition", { container: m.container, from: m.from, to: m.to, exitCode: c?.exitCode, reason: c?.reason });
    }
  }
}

import { status as GrpcStatus, type ServerDuplexStream } from "@grpc/grpc-js";
import { ConflictError, dispatchedDesiredStatus, lastIdOf, parseArn, type Logger, type TaskRecord } from "@berth/shared";
import type { AgentMessage, ControlMessage, KnownTask, SessionOpen, TaskSpec, TaskStateChange } from "@berth/proto";
import { markStopped, recordStateChangeBatched, TaskSecretsError, type CoreContext, type SessionMark } from "../../core/index.js";
import { HeartbeatWatchdog } from "./heartbeat-watchdog.js";
import { NetworkSync } from "./network-sync.js";
import { keys } from "../../store/index.js";
import { TaskFeeds, type TaskFeedSubscription } from "./task-feed.js";
import { InstanceFeeds } from "./instance-feed.js";
import { TaskSpecBuilder } from "./task-spec.js";
import type { SessionRelay } from "./relay.js";
import { noCertificate, peerAgent, peerMismatch } from "./peer.js";
import { deregistered } from "./register.js";
import type { AwslogsIngest } from "./awslogs-ingest.js";
import type { TaskStatsWindows } from "../../core/task-stats.js";
import { SessionSideChannels } from "./side-channels.js";
import { SessionCredentials } from "./task-credentials.js";
import { SessionLease, type SessionLeaseHold } from "./session-lease.js";

/** Session timing, handed to agents at open (documented in docs/LIVENESS.md). */
export interface SessionSettings {
  /** How often agents heartbeat. */
  heartbeatIntervalMs: number;
  /** Heartbeats that may be missed before the session is ended. */
  missedHeartbeats: number;
  /** TTL of the etcd lease that marks the session alive should this replica die. */
  leaseTtlSeconds: number;
  /** This replica's id (core/replicas.ts), recorded in the session key so others can forward to it. */
  replicaId?: string;
  /** How long task role credentials hold (default 6 h, ECS's); see task-credentials.ts. */
  taskCredentialsTtlMs?: number;
}

/** What sessions report to metrics. */
export interface SessionObserver {
  opened(): void;
  closed(): void;
  stateChange(kind: "task" | "ack"): void;
}

/** The Session handler: one {@link AgentSession} per stream. */
export function sessionHandler(ctx: CoreContext, settings: SessionSettings, observer?: SessionObserver, relay?: SessionRelay, awslogs?: AwslogsIngest, taskStats?: TaskStatsWindows) {
  const feeds = new TaskFeeds(ctx.store.kv, ctx.log.child({ component: "task-feed" }), ctx.cache);
  const instanceFeeds = new InstanceFeeds(ctx.store.kv, ctx.log.child({ component: "instance-feed" }));
  const lease = new SessionLease(ctx.store.kv, settings.leaseTtlSeconds);
  return (call: ServerDuplexStream<AgentMessage, ControlMessage>) => {
    new AgentSession(ctx, settings, { tasks: feeds, instances: instanceFeeds, lease }, call, observer, relay, awslogs, taskStats).start();
  };
}

/**
 * One agent's session on this replica. Pushes the tasks assigned to the instance (from the
 * cluster's shared task feed), records the agent's state changes in order and acks them, and ends the session when
 * heartbeats stop. Its liveness is an etcd lease, so another replica can tell a dead session.
 */
class AgentSession {
  private log: Logger;
  private cluster = "";
  private instanceId = "";
  private payloadSeq = 0;
  /** Desired status last sent per task id: a task is re-sent only when that changes. */
  private readonly sent = new Map<string, string>();
  /** Tasks the agent reported running at open: their secrets failing now must not stop them. */
  private readonly agentKnows = new Set<string>();
  private readonly specs: TaskSpecBuilder;
  private feed?: TaskFeedSubscription;
  /** This instance's own record, watched so a deregistration cuts the session at once. */
  private instanceFeed?: { close(): Promise<void> };
  /** The store revision of the listing pushed at open: feed events up to it add nothing. */
  private listedRevision = 0n;
  private lease?: SessionLeaseHold;
  private sessionModRevision = "0";
  /** Set when the session ends by silence: when the agent was last heard from. */
  private lastHeardAtMs?: number;
  private readonly watchdog: HeartbeatWatchdog;
  private readonly network: NetworkSync;
  // One queue for everything that reads or writes this instance's tasks, so order is kept.
  private queue: Promise<void> = Promise.resolve();
  private ended = false;
  /** The runtime health last written for this instance, so only changes are written. */
  private runtimeUnhealthy = false;
  /** Logs, execs, awslogs and stats: traffic off the state queue (side-channels.ts). */
  private readonly side: SessionSideChannels;
  /** A heartbeat's network sync is waiting in the queue. */
  private syncQueued = false;
  private detachPorts?: () => void;
  /** Task role credentials sent on this stream, and their rotation. */
  private readonly credentials: SessionCredentials;

  constructor(
    private readonly ctx: CoreContext,
    private readonly settings: SessionSettings,
    private readonly feeds: { tasks: TaskFeeds; instances: InstanceFeeds; lease: SessionLease },
    private readonly call: ServerDuplexStream<AgentMessage, ControlMessage>,
    private readonly observer?: SessionObserver,
    private readonly relay?: SessionRelay,
    awslogs?: AwslogsIngest,
    taskStats?: TaskStatsWindows,
  ) {
    this.log = ctx.log.child({ component: "session" });
    this.specs = new TaskSpecBuilder(ctx);
    this.watchdog = new HeartbeatWatchdog(settings.heartbeatIntervalMs, settings.missedHeartbeats);
    this.side = new SessionSideChannels((msg) => this.write(msg), awslogs, taskStats, ctx.now);
    this.network = new NetworkSync(ctx, this.specs, (msg) => this.write(msg), this.log);
    this.credentials = new SessionCredentials(ctx, (msg) => this.write(msg), this.log, settings.taskCredentialsTtlMs);
  }

  start(): void {
    this.call.on("data", (msg: AgentMessage) => this.onMessage(msg));
    this.call.on("end", () => void this.end("agent closed the session"));
    this.call.on("error", (err) => void this.end(`stream error: ${err.message}`));
    this.call.on("cancelled", () => void this.end("cancelled"));
  }

  private onMessage(msg: AgentMessage): void {
    const kind = msg.kind;
    if (!kind || this.ended) return;
    if (!this.instanceId && kind.$case !== "open") {
      this.fail(GrpcStatus.FAILED_PRECONDITION, "the first message of a session must be SessionOpen");
      return;
    }
    if (this.side.handle(kind)) return;
    switch (kind.$case) {
      case "open":
        this.enqueue(() => this.open(kind.value));
        return;
      case "heartbeat":
        this.watchdog.beat();
        this.write({ kind: { $case: "heartbeatAck", value: { serverTimeMs: Date.now() } } });
        // Peers' task blocks change as tasks are placed and hosts go: re-read them each period.
        // One waiting at most: a queue that is behind must not pile up a sync per heartbeat.
        if (this.instanceId && !this.syncQueued) {
          this.syncQueued = true;
          this.enqueue(() => {
            this.syncQueued = false;
            return this.network.sync(this.cluster, this.instanceId);
          });
        }
        if (kind.value.runtimeUnhealthy !== this.runtimeUnhealthy) {
          this.runtimeUnhealthy = kind.value.runtimeUnhealthy;
          const error = kind.value.runtimeError;
          this.enqueue(() => this.recordRuntimeHealth(kind.value.runtimeUnhealthy, error));
        }
        return;
      case "payloadAck":
        this.log.trace("payload acknowledged", { seq: kind.value.seq });
        return;
      case "taskStateChange":
        this.enqueue(() => this.onStateChange(kind.value));
        return;
    }
  }

  private async open(open: SessionOpen): Promise<void> {
    if (this.instanceId) return this.fail(GrpcStatus.FAILED_PRECONDITION, "SessionOpen sent twice");
    const parsed = parseArn(open.containerInstanceArn);
    const cluster = parsed?.path[0] ?? open.cluster;
    const id = parsed?.path[1] ?? "";
    // The certificate decides who this is: it must name the instance the session is for.
    const peer = peerAgent(this.call);
    if (!peer) return this.fail(GrpcStatus.UNAUTHENTICATED, noCertificate.details!);
    const mismatch = peerMismatch(peer, cluster, id || "-");
    if (mismatch) return this.fail(GrpcStatus.PERMISSION_DENIED, mismatch);
    // Watched before it is read, so a deregistration written in between is still heard.
    if (id) {
      this.instanceFeed = await this.feeds.instances.subscribe(cluster, id, {
        put: (rec) => {
          if (rec.status === "INACTIVE") this.fail(GrpcStatus.PERMISSION_DENIED, deregistered(id));
        },
        delete: () => this.fail(GrpcStatus.PERMISSION_DENIED, deregistered(id)),
      });
    }
    const instance = id ? await this.ctx.store.instances.get(cluster, id) : undefined;
    if (instance?.value.status === "INACTIVE") return this.fail(GrpcStatus.PERMISSION_DENIED, deregistered(id));
    if (!instance) {
      return this.fail(GrpcStatus.NOT_FOUND, `container instance ${open.containerInstanceArn} is not registered (or was deregistered); register again`);
    }
    this.cluster = cluster;
    this.instanceId = id;
    this.runtimeUnhealthy = instance.value.runtimeUnhealthySinceMs !== undefined;
    this.log = this.log.child({ instanceArn: instance.value.arn, cluster });
    // The lease (the replica's, shared: session-lease.ts) outlives it only by its TTL: a crashed replica's sessions read as gone.
    this.lease = this.feeds.lease.hold(() => void this.end("session lease lost"));
    const mark: SessionMark = { replica: this.settings.replicaId, pid: process.pid, openedAtMs: Date.now() };
    // A put's revision is the key's mod revision: no read back.
    this.sessionModRevision = String((await this.lease.lease.put(keys.session(cluster, id)).value(JSON.stringify(mark)).exec()).header.revision);
    await this.ctx.store.instances.mutate([cluster, id], (i) => ({
      ...i,
      agentConnected: true,
      lastHeartbeatAtMs: this.ctx.now(),
      disconnectedAtMs: undefined,
      version: i.version + 1,
    }));
    this.observer?.opened();
    this.detachPorts = this.relay?.attach(cluster, id, { logs: this.side.logs, exec: this.side.execs });
    this.write({ kind: { $case: "accepted", value: { heartbeatIntervalMs: this.watchdog.jitteredInterval() } } });
    this.log.info("session opened", { knownTasks: open.knownTasks.length });
    this.watchdog.start((silent) => {
      if (this.ended) return;
      // The agent was last heard from a heartbeat ago, not now: the lost-instance grace counts
      // from then (docs/LIVENESS.md), so a cut link costs max(detection, grace), not their sum.
      this.lastHeardAtMs = this.ctx.now() - silent;
      this.fail(GrpcStatus.DEADLINE_EXCEEDED, `no heartbeat for ${silent} ms`);
    });
    await this.reconcileKnown(open.knownTasks);
    await this.network.sync(this.cluster, this.instanceId);
    // Subscribe before listing, so nothing written between the two is missed; what the feed
    // delivers runs after open() (same queue) and skips what the listing already covered.
    this.feed = await this.feeds.tasks.subscribe(cluster, id, {
      put: (task, modRevision) =>
        this.enqueue(async () => {
          if (BigInt(modRevision) > this.listedRevision) await this.pushTasks([task]);
        }),
      // A forgotten task (retention) is no longer this session's to track.
      delete: (taskId) => {
        this.sent.delete(taskId);
      },
    });
    const listing = await this.feeds.tasks.list(cluster, id);
    this.listedRevision = listing.revision;
    await this.pushTasks(listing.tasks);
  }

  /**
   * Tasks the agent runs but should not: unknown to the store, assigned elsewhere, or stopped
   * while the agent was away. Each is sent with desired status STOPPED.
   */
  private async reconcileKnown(known: KnownTask[]): Promise<void> {
    this.specs.fresh();
    const stops: TaskSpec[] = [];
    for (const k of known) {
      const id = lastIdOf(k.taskArn);
      const rec = (await this.ctx.store.tasks.get(this.cluster, id))?.value;
      if (rec && rec.containerInstanceId === this.instanceId && dispatchedDesiredStatus(rec) === "RUNNING") {
        this.agentKnows.add(id);
        continue;
      }
      if (k.desiredStatus === "STOPPED" && k.knownStatus === "STOPPED") continue;
      const reason = rec ? rec.stoppedReason ?? "Task stopped while its agent was disconnected" : "Task is not known to the control plane";
      stops.push(rec ? await this.specs.build(rec, { secrets: false }) : this.specs.stopOnly(k.taskArn, reason));
      this.sent.set(id, "STOPPED");
    }
    this.send(stops);
  }

  /** Sends every task of this instance whose desired status the agent has not been told yet. */
  private async pushTasks(tasks: TaskRecord[]): Promise<void> {
    const specs: TaskSpec[] = [];
    this.specs.fresh();
    for (const t of tasks) {
      if (t.containerInstanceId !== this.instanceId) continue;
      this.side.stats.note(this.cluster, t);
      const sent = this.sent.get(t.id);
      // Recorded STOPPED after the agent was told to stop it: nothing more will be said of it.
      if (t.lastStatus === "STOPPED" && sent === "STOPPED") {
        this.sent.delete(t.id);
        continue;
      }
      // A stop held while the task's targets drain is sent once the leader lifts the gate.
      const desired = dispatchedDesiredStatus(t);
      if (sent === desired) continue;
      // A task that stopped before the agent ever heard of it needs no word.
      if (sent === undefined && t.lastStatus === "STOPPED") continue;
      let spec: TaskSpec;
      try {
        spec = await this.specs.build(t, { secrets: true, started: this.agentKnows.has(t.id) });
      } catch (err) {
        if (!(err instanceof TaskSecretsError)) throw err;
        // Nothing was started: the task stops here, before the agent hears of it, as ECS's does.
        this.log.warn("task's secrets do not resolve; it stops before launch", { taskArn: t.arn, reason: err.message });
        await markStopped(this.ctx, this.cluster, t.id, err.message, "TaskFailedToStart");
        continue;
      }
      specs.push(spec);
      this.sent.set(t.id, desired);
    }
    this.send(specs);
  }

  private send(tasks: TaskSpec[]): void {
    if (tasks.length === 0) return;
    // Credentials first: the agent holds a task's before the payload that starts it.
    this.credentials.forPayload(tasks);
    const seq = ++this.payloadSeq;
    this.write({ kind: { $case: "payload", value: { seq, tasks } } });
    this.log.debug("payload sent", { seq, tasks: tasks.length });
  }

  /** Records the agent's word on its container runtime: placement and liveness act on it. */
  private async recordRuntimeHealth(unhealthy: boolean, error: string): Promise<void> {
    await this.ctx.store.instances.mutate([this.cluster, this.instanceId], (i) =>
      (i.runtimeUnhealthySinceMs !== undefined) === unhealthy
        ? undefined
        : {
            ...i,
            runtimeUnhealthySinceMs: unhealthy ? this.ctx.now() : undefined,
            runtimeError: unhealthy ? error : undefined,
            version: i.version + 1,
          },
    );
    if (unhealthy) this.log.warn("agent reports its container runtime unreachable", { error });
    else this.log.info("agent reports its container runtime reachable again");
  }

  private async onStateChange(change: TaskStateChange): Promise<void> {
    try {
      await recordStateChangeBatched(this.ctx, this.cluster, this.instanceId, change);
      this.observer?.stateChange("task");
      this.write({ kind: { $case: "stateChangeAck", value: { seq: change.seq } } });
    } catch (err) {
      // An ack covers every earlier number (the agent drops its outbox up to it), so a change
      // may never be skipped: end the session, and the agent re-sends its outbox in order on
      // the next one.
      this.log.warn("state change not recorded; ending the session", { seq: change.seq, taskArn: change.taskArn, err });
      this.fail(GrpcStatus.UNAVAILABLE, "state change could not be recorded; reconnect");
    }
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((err) => {
      this.log.error("session work failed", { err });
      this.fail(GrpcStatus.INTERNAL, "session failed; reconnect");
    });
  }

  private write(msg: ControlMessage): void {
    if (!this.ended) this.call.write(msg);
  }

  private fail(code: GrpcStatus, details: string): void {
    if (this.ended) return;
    this.log.warn("ending session", { code, details });
    this.call.emit("error", { code, details });
    void this.end(details);
  }

  /**
   * Ends the session once. The stream closes at once; the clean-up is queued behind whatever
   * `open()` or a state change is doing, so nothing they set up (lease, watch, watchdog, the
   * connected mark) outlives the session.
   */
  private async end(why: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    try {
      this.call.end();
    } catch {
      // the stream may already be closed
    }
    const cleanup = () => this.cleanup(why);
    this.queue = this.queue.then(cleanup, cleanup);
    await this.queue;
  }

  /**
   * The instance is marked disconnected only when the session key is still this session's: a
   * newer session (on any replica) has already replaced it otherwise.
   */
  private async cleanup(why: string): Promise<void> {
    this.watchdog.stop();
    this.credentials.close();
    this.detachPorts?.();
    this.side.closeAll("the agent's session ended");
    await this.feed?.close();
    await this.instanceFeed?.close();
    if (!this.instanceId) return;
    this.observer?.closed();
    try {
      const key = keys.session(this.cluster, this.instanceId);
      const instance = await this.ctx.store.instances.get(this.cluster, this.instanceId);
      const txn = this.ctx.store.txn().expect(key, this.sessionModRevision).delete(key);
      if (instance) {
        const next = { ...instance.value, agentConnected: false, disconnectedAtMs: this.lastHeardAtMs ?? this.ctx.now(), version: instance.value.version + 1 };
        this.ctx.store.instances.stageUpdate(txn, next, instance.modRevision);
      }
      await this.ctx.store.commit(txn).catch((err) => {
        if (!(err instanceof ConflictError)) throw err;
      });
    } catch (err) {
      this.log.warn("session cleanup failed", { err });
    }
    this.lease?.release();
    this.log.info("session closed", { why });
  }
}

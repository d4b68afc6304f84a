import { Metadata, status as GrpcStatus, type ClientDuplexStream, type ServiceError } from "@grpc/grpc-js";
import type { Logger } from "@berth/shared";
import {
  AgentServiceClient,
  type AgentMessage,
  type AwslogsAck,
  type ControlMessage,
  type RegisterContainerInstanceRequest,
  type TaskIngressUpdate,
  type TaskRoleCredentials,
  type TaskStateChange,
} from "@berth/proto";
import type { TaskEngine } from "../engine/types.js";
import { backoffDelay } from "./backoff.js";
import type { LogRequests } from "./log-requests.js";
import type { ExecRequests } from "./exec-requests.js";
import { renewAt, validity, type AgentCredentials, type CredentialStore } from "../tls/credentials.js";
import { authenticatedClient, join, JoinRefusedError, renew, renewalDue } from "./join.js";

/** Where the agent keeps its container instance ARN across restarts (the state file). */
export interface InstanceIdentity {
  get(): string | undefined;
  set(arn: string | undefined): Promise<void>;
}

/** What the session reports to metrics and the introspection API. */
export interface SessionObserver {
  connected(on: boolean): void;
  stateChangeSent(): void;
  stateChangeAcked(): void;
  registered?(arn: string): void;
}

export interface AgentSessionOptions {
  /** Control-plane replicas' gRPC addresses (host:port); a session that ends moves to the next. */
  addresses: string[];
  engine: TaskEngine;
  identity: InstanceIdentity;
  /** The registration this host sends (everything but the ARN, which comes from `identity`). */
  registration: () => Promise<Omit<RegisterContainerInstanceRequest, "containerInstanceArn">>;
  log: Logger;
  observer?: SessionObserver;
  /** The container runtime's health, sent with every heartbeat. */
  runtimeHealth?: () => { unhealthy: boolean; error: string };
  /** Serves the control plane's log requests; without it they are answered with an error. */
  logs?: LogRequests;
  /** Serves the control plane's exec requests; without it they are answered with an error. */
  execs?: ExecRequests;
  /** The awslogs shipper: batches go out on each accepted session and come back acked. */
  awslogs?: { attach(write: (msg: AgentMessage) => void): void; detach(): void; ack(ack: AwslogsAck): void };
  /** The stats reporter: usage reports go out while a session is accepted. */
  stats?: { attach(write: (msg: AgentMessage) => void): void; detach(): void };
  /** Applies the control plane's routes to peers' task blocks (HostRoutes); ignored when absent. */
  hostRoutes?: (routes: { cidr: string; via: string }[]) => void;
  /** Applies an awsvpc task's current ingress (TaskIngressUpdate); ignored when absent. */
  taskIngress?: (update: TaskIngressUpdate) => void;
  /** Takes a task's role credentials (TaskRoleCredentials) for the task metadata endpoint; ignored when absent. */
  taskCredentials?: (c: TaskRoleCredentials) => void;
  /** Where the agent's key and certificate live; without a certificate it joins with `joinToken`. */
  credentials: CredentialStore;
  /** The join token (BERTH_JOIN_TOKEN), used only while the agent has no certificate. */
  joinToken?: string;
  /** Reconnect backoff: first wait ceiling and cap, ms. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
}

/**
 * The agent's connection to the control plane: register, open one session stream, heartbeat,
 * apply payloads (ack once persisted), send state changes (re-sending the unacknowledged ones on
 * every new session). Any failure ends the round; the next follows a capped, jittered backoff.
 */
export class AgentSession {
  /** One client per replica, made for {@link clientCreds}; rebuilt when the certificate changes. */
  private clients: AgentServiceClient[] = [];
  private clientCreds?: AgentCredentials;
  /** The agent's current certificate and key, once loaded or joined. */
  private creds?: AgentCredentials;
  /** Index of the replica the next round talks to. */
  private current = 0;
  private readonly log: Logger;
  /** The open stream, while one is. */
  private stream?: ClientDuplexStream<AgentMessage, ControlMessage>;
  /** The stream once the control plane accepted it: only then are state changes sent. */
  private call?: ClientDuplexStream<AgentMessage, ControlMessage>;
  private stopped = false;
  private wake?: () => void;
  private running?: Promise<void>;
  private connectedOnce?: () => void;
  /** Resolves once the first session has been accepted. */
  readonly connected: Promise<void>;

  constructor(private readonly opts: AgentSessionOptions) {
    if (opts.addresses.length === 0) throw new Error("at least one control-plane address is required");
    this.log = opts.log.child({ component: "session" });
    this.connected = new Promise((resolve) => (this.connectedOnce = resolve));
    // Forward each new change to whichever stream is open; with none, the outbox keeps it.
    opts.engine.onStateChange((change) => this.sendChange(change));
  }

  /** Starts the reconnect loop in the background. */
  start(): void {
    this.running ??= this.loop();
  }

  /** Ends the session and the loop; containers are not touched. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stream?.end();
    this.stream?.cancel();
    this.wake?.();
    await this.running;
    for (const c of this.clients) c.close();
  }

  private async loop(): Promise<void> {
    for (let attempt = 0; !this.stopped; ) {
      const started = Date.now();
      try {
        await this.round();
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof JoinRefusedError) this.log.error("join refused", { err: err.message, address: this.opts.addresses[this.current] });
        else this.log.warn("session ended", { err: describe(err), address: this.opts.addresses[this.current] });
        await this.forgetRefusedCertificate(err);
      }
      // The replica may be gone: the next round tries the next one (a no-op with a single address).
      this.current = (this.current + 1) % this.opts.addresses.length;
      this.opts.observer?.connected(false);
      // A session that lasted a while was healthy: start the backoff over.
      attempt = Date.now() - started > 30_000 ? 0 : attempt + 1;
      const delay = backoffDelay(attempt, this.opts.backoffBaseMs ?? 250, this.opts.backoffCapMs ?? 10_000);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private get client(): AgentServiceClient {
    return this.clients[this.current];
  }

  /**
   * Loads the stored certificate, or joins with the token when there is none; renews one that
   * is past 2/3 of its life; and (re)builds the clients when the certificate changed.
   */
  private async authenticate(cluster: string): Promise<void> {
    this.creds ??= await this.opts.credentials.load();
    if (!this.creds) {
      const joined = await join(this.opts.addresses[this.current], cluster, this.opts.joinToken, this.opts.credentials);
      this.creds = joined.creds;
      await this.opts.identity.set(joined.instanceArn);
      this.log.info("joined the cluster", { instanceArn: joined.instanceArn, cluster });
    }
    this.rebuildClients();
    if (renewalDue(this.creds, Date.now())) await this.renewNow();
  }

  private rebuildClients(): void {
    if (this.clientCreds === this.creds && this.clients.length > 0) return;
    for (const c of this.clients) c.close();
    this.clientCreds = this.creds;
    this.clients = this.opts.addresses.map((address) => authenticatedClient(address, this.creds!));
  }

  /** Renews the certificate over the authenticated channel; the next round uses the new one. */
  private async renewNow(): Promise<void> {
    this.creds = await renew(this.client, this.creds!, this.opts.credentials);
    this.log.info("certificate renewed", { notAfter: new Date(validity(this.creds.certPem).notAfter).toISOString() });
  }

  /**
   * A certificate the control plane refuses (its instance deregistered, or another CA's) is of
   * no more use: forget it and the ARN, so the next round joins again with the token.
   */
  private async forgetRefusedCertificate(err: unknown): Promise<void> {
    const code = (err as Partial<ServiceError>)?.code;
    if (!this.creds || (code !== GrpcStatus.PERMISSION_DENIED && code !== GrpcStatus.UNAUTHENTICATED)) return;
    this.log.error("certificate refused; joining again with the join token", { err: describe(err) });
    await this.opts.credentials.clear();
    await this.opts.identity.set(undefined);
    this.creds = undefined;
  }

  private async register(): Promise<string> {
    const base = await this.opts.registration();
    const req: RegisterContainerInstanceRequest = { ...base, containerInstanceArn: this.opts.identity.get() ?? "" };
    const res = await new Promise<{ containerInstanceArn: string }>((resolve, reject) =>
      this.client.registerContainerInstance(req, new Metadata(), { deadline: Date.now() + 15_000 }, (err, r) => (err ? reject(err) : resolve(r!))),
    );
    if (res.containerInstanceArn !== req.containerInstanceArn) {
      await this.opts.identity.set(res.containerInstanceArn);
      this.log.info("registered", { instanceArn: res.containerInstanceArn, cluster: base.cluster });
      this.opts.observer?.registered?.(res.containerInstanceArn);
    }
    return res.containerInstanceArn;
  }

  /** One registration and session, until the stream ends. */
  private async round(): Promise<void> {
    const base = await this.opts.registration();
    await this.authenticate(base.cluster);
    if (this.stopped) return;
    const arn = await this.register();
    // stop() can only interrupt a stream or a backoff: a stop during registration is seen here.
    if (this.stopped) return;
    const call = this.client.session();
    this.stream = call;
    let heartbeat: NodeJS.Timeout | undefined;
    // Renew at 2/3 of the certificate's life even if this session lasts that long.
    const renewIn = Math.min(2 ** 31 - 1, Math.max(1_000, renewAt(validity(this.creds!.certPem)) - Date.now()));
    const renewal = setTimeout(() => this.renewNow().catch((err) => this.log.warn("certificate renewal failed; retried next session", { err: describe(err) })), renewIn);
    try {
      await new Promise<void>((resolve, reject) => {
        call.on("data", (msg: ControlMessage) => {
          const kind = msg.kind;
          if (!kind) return;
          switch (kind.$case) {
            case "accepted": {
              this.log.info("session open", { instanceArn: arn, heartbeatMs: kind.value.heartbeatIntervalMs });
              this.opts.observer?.connected(true);
              this.connectedOnce?.();
              this.call = call;
              heartbeat = setInterval(() => {
                const health = this.opts.runtimeHealth?.() ?? { unhealthy: false, error: "" };
                call.write({ kind: { $case: "heartbeat", value: { sentAtMs: Date.now(), runtimeUnhealthy: health.unhealthy, runtimeError: health.error } } });
              }, kind.value.heartbeatIntervalMs);
              for (const change of this.opts.engine.unacknowledgedChanges()) this.sendChange(change);
              this.opts.awslogs?.attach((m) => call.write(m));
              this.opts.stats?.attach((m) => call.write(m));
              return;
            }
            case "payload": {
              const { seq, tasks } = kind.value;
              this.opts.engine.applyPayload(tasks).then(
                () => call.write({ kind: { $case: "payloadAck", value: { seq } } }),
                (err) => this.log.error("payload not applied; not acked", { seq, err }),
              );
              return;
            }
            case "stateChangeAck":
              this.opts.observer?.stateChangeAcked();
              void this.opts.engine.acknowledge(kind.value.seq);
              return;
            case "heartbeatAck":
              return;
            case "logRequest":
              if (this.opts.logs) this.opts.logs.start(kind.value, call);
              else call.write({ kind: { $case: "logEnd", value: { requestId: kind.value.requestId, error: "this agent does not serve logs" } } });
              return;
            case "logCancel":
              this.opts.logs?.cancel(kind.value.requestId);
              return;
            case "execStart":
              if (this.opts.execs) this.opts.execs.start(kind.value, call);
              else call.write({ kind: { $case: "execExit", value: { execId: kind.value.execId, exitCode: -1, error: "this agent does not run execs" } } });
              return;
            case "execInput":
              this.opts.execs?.input(kind.value, call);
              return;
            case "execResize":
              this.opts.execs?.resize(kind.value);
              return;
            case "execOutputCredit":
              this.opts.execs?.credit(kind.value.execId, kind.value.bytes);
              return;
            case "execCancel":
              this.opts.execs?.cancel(kind.value.execId);
              return;
            case "awslogsAck":
              this.opts.awslogs?.ack(kind.value);
              return;
            case "hostRoutes":
              this.opts.hostRoutes?.(kind.value.routes);
              return;
            case "taskIngress":
              this.opts.taskIngress?.(kind.value);
              return;
            case "taskCredentials":
              this.opts.taskCredentials?.(kind.value);
              return;
          }
        });
        call.on("error", (err: ServiceError) => {
          // A stale ARN (instance deregistered meanwhile): forget it so the next round registers anew.
          if (err.code === GrpcStatus.NOT_FOUND) void this.opts.identity.set(undefined);
          reject(err);
        });
        call.on("end", () => resolve());
        call.write({
          kind: { $case: "open", value: { containerInstanceArn: arn, cluster: base.cluster, knownTasks: this.opts.engine.knownTasks() } },
        });
      });
    } finally {
      clearTimeout(renewal);
      if (heartbeat) clearInterval(heartbeat);
      // Their answers would go to a stream nobody reads: the control plane ended those requests.
      this.opts.logs?.closeAll();
      this.opts.execs?.closeAll();
      this.opts.awslogs?.detach();
      this.opts.stats?.detach();
      this.call = undefined;
      this.stream = undefined;
    }
  }

  private sendChange(change: TaskStateChange): void {
    if (!this.call) return;
    this.call.write({ kind: { $case: "taskStateChange", value: change } });
    this.opts.observer?.stateChangeSent();
  }
}

function describe(err: unknown): string {
  const e = err as Partial<ServiceError>;
  return e?.details || e?.message || String(err);
}

import type http from "node:http";
import { hostname, networkInterfaces } from "node:os";
import type { Server } from "@grpc/grpc-js";
import { createLogger, type Logger } from "@berth/shared";
import { startAgentServer } from "./api/agent/server.js";
import { createApiServer } from "./api/aws/router.js";
import { ec2Api } from "./api/ec2/server.js";
import { elbv2Api } from "./api/elbv2/server.js";
import { probePort } from "./api/elbv2/port-probe.js";
import { startLoadBalancerLoop, type LoadBalancerLoop } from "./haproxy/index.js";
import { ecsApi } from "./api/ecs/server.js";
import { logsApi } from "./api/logs/server.js";
import { secretsManagerApi } from "./api/secrets/server.js";
import { ssmApi } from "./api/ssm/server.js";
import { schedulerApi } from "./api/scheduler/server.js";
import { eventsApi } from "./api/events/server.js";
import { awslogsIngest } from "./api/agent/awslogs-ingest.js";
import { LogStore } from "./logstore/index.js";
import { prometheusSdPath, prometheusSdRoute } from "./api/prometheus/index.js";
import { SessionRelay } from "./api/agent/relay.js";
import { logsRoute } from "./api/berth/logs-route.js";
import { execRoute } from "./api/berth/exec-route.js";
import { streamForwarder, upgradeForwarder } from "./api/berth/forward.js";
import { advertisedApiUrl, type ControlPlaneConfig } from "./config.js";
import { advertiseReplica, defaultPlacementBatching, liveReplicas, logGroupRegistry, purgeDueSecrets, readInstances, readTasks, StateCache, Vault, type CoreContext } from "./core/index.js";
import { createControlPlaneMetrics, registerLogStoreMetrics, registerCostMetrics, type ControlPlaneMetrics, type InstanceCount, type TaskCount } from "./metrics/index.js";
import { spotInterruptNodeRoute, spotInterruptRoute } from "./api/berth/spot-route.js";
import { schedulesRoute } from "./api/berth/schedules-route.js";
import { eventsStreamRoute } from "./api/berth/events-route.js";
import { consoleRoute } from "./api/console/console-route.js";
import { ChangeFeeds } from "./core/index.js";
import { startLeaderElection } from "./leader/index.js";
import { startLeaderDuties, type LeaderDuties } from "./reconcile/duties.js";
import { etcdClientOptions, keys, Kv, migrateTaskDefinitionKeys, Store } from "./store/index.js";
import { ensureCa, loadCaKey, loadKeyFile, createJoinToken } from "./pki/cluster-ca.js";
import { issueServerIdentity } from "./pki/issue.js";
import { autoscalingApi } from "./api/autoscaling/server.js";
import { clusterScalingSettings } from "./reconcile/cluster-scaling/settings.js";
import { registerClusterScalingMetrics } from "./metrics/cluster-scaling-metrics.js";
import { cloudwatchApi } from "./api/cloudwatch/server.js";
import { taskStatsRoute } from "./api/berth/task-stats-route.js";
import { keptMetricPeriods, publishServiceMetrics, TaskStatsWindows } from "./core/index.js";
import { RequestCounts } from "./haproxy/index.js";
import { taskCredentialSecret } from "./core/index.js";

/** A running control plane: its bound ports and how to stop it. */
export interface ControlPlane {
  apiPort: number;
  grpcPort: number;
  ctx: CoreContext;
  metrics: ControlPlaneMetrics;
  /** sha256 of the cluster CA certificate, as join tokens pin it. */
  caDigest: string;
  /** The cluster CA certificate (PEM). */
  caCertificatePem: string;
  /** Creates a join token valid `ttlMs` (0 = never expires), as `berth token create` does. */
  createJoinToken(ttlMs: number): Promise<string>;
  /** Whether this replica currently runs the scheduler loops. */
  isLeader(): boolean;
  /** Stops campaigning and running the loops; APIs and sessions go on (used before a shutdown). */
  stopLeading(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts one control-plane replica: connects to etcd, serves the ECS API over HTTP and the agent
 * protocol over gRPC. Every replica serves both; state lives only in etcd.
 */
export async function startControlPlane(config: ControlPlaneConfig, log: Logger = createLogger({ level: config.logLevel })): Promise<ControlPlane> {
  const store = new Store(Kv.connect(config.etcdEndpoints, etcdClientOptions(config.etcdTls)));
  // Fail fast with a clear message when etcd is not there, instead of at the first request.
  await store.kv.revision().catch((err: Error) => {
    store.close();
    throw new Error(`cannot reach etcd at ${config.etcdEndpoints.join(",")}: ${err.message}`);
  });
  // Data written by an earlier berth is moved to today's key layout before anything reads it.
  const moved = await migrateTaskDefinitionKeys(store.kv);
  if (moved > 0) log.info("moved task definitions to the current key layout", { moved });
  // Secrets Manager values and SecureStrings are sealed under this key before they reach etcd.
  const secretsKey = await ("key" in config.secretsKey ? Promise.resolve(config.secretsKey.key) : loadKeyFile(config.secretsKey.file, "secrets")).catch((err: Error) => {
    store.close();
    throw new Error(`cannot load the secrets key: ${err.message}`);
  });
  const ctx: CoreContext = { store, scope: config.scope, log: log.child({ component: "core" }), now: Date.now, vault: new Vault(secretsKey) };
  // The CA before any port: agents are served over TLS only, with this replica's own certificate.
  const { ca, identity } = await (async () => {
    const ca = await ensureCa(store.kv, await loadCaKey(config.caKeyFile));
    return { ca, identity: await issueServerIdentity(ca) };
  })().catch((err: Error) => {
    store.close();
    throw new Error(`cannot set up the cluster CA: ${err.message}`);
  });

  const metrics = createControlPlaneMetrics({ logger: log, taskCounts: () => taskCounts(ctx), instanceCounts: () => instanceCounts(ctx) });
  store.kv.onConflict = () => metrics.etcdTxnConflicts.inc();
  // Reads in core (listings, the scheduler's snapshot, the loops' rounds) come from this watched
  // copy of the tasks and instances; started after the conflict hook above, which it chains.
  ctx.cache = await StateCache.start(store.kv, log.child({ component: "state-cache" })).catch((err: Error) => {
    store.close();
    throw new Error(`cannot list and watch etcd: ${err.message}`);
  });
  // Concurrent RunTask calls and service rounds are placed in batches (core/placement/queue.ts).
  ctx.batchPlacements = defaultPlacementBatching;
  const scalingMetrics = registerClusterScalingMetrics(metrics.registry);
  registerCostMetrics(metrics.registry, { tasks: async () => (await readTasks(ctx)).items.map((i) => i.value), now: ctx.now, prices: config.prices });

  // CloudWatch Logs events live in files on this replica, not in etcd (see logstore/).
  let logStore: LogStore | undefined;
  const logMetrics = registerLogStoreMetrics(metrics.registry, () => logStore?.bytesOnDisk() ?? 0);
  logStore = await LogStore.open({ dir: config.logs.dir, maxBytes: config.logs.maxBytes, observer: logMetrics }).catch((err: Error) => {
    store.close();
    throw new Error(`cannot open the log store in ${config.logs.dir}: ${err.message}`);
  });
  const logs = logStore;
  const logSweeper = setInterval(() => void logs.sweep().catch((err) => log.warn("log store sweep failed", { err })), config.logs.sweepIntervalMs);
  logSweeper.unref();
  // Secrets whose recovery window has ended are purged by the leader (reads skip them meanwhile).
  const secretSweeper = setInterval(() => {
    if (election?.isLeader()) void purgeDueSecrets(ctx).catch((err) => log.warn("secret purge failed", { err }));
  }, secretPurgeIntervalMs);
  secretSweeper.unref();

  const lookupSecret = config.accessKeys.size > 0 ? (akid: string) => config.accessKeys.get(akid) : undefined;
  // The agent sessions this replica holds, for relaying log and exec requests to them.
  const relay = new SessionRelay();
  // The container stats of the sessions held here: the task-stats route and service metrics.
  // Twenty minutes or the longest scaling window, whichever is longer, at most 10 000 samples a task.
  const statsAgeMs = Math.max(20 * 60_000, (Math.max(config.autoscaling.scaleInDatapoints, config.autoscaling.scaleOutDatapoints) + 2) * config.autoscaling.periodMs);
  const taskStats = new TaskStatsWindows({ maxAgeMs: statsAgeMs, maxSamples: 10_000 });
  // The load balancers' request counters, read by the leader's HAProxy loop for its scaler.
  const requestCounts = new RequestCounts(statsAgeMs);
  // Known before the port is bound: the routes name themselves when they forward.
  let replicaId = "";
  // Set once campaigning starts; the ELBv2 API asks it whether this host runs the load balancers.
  let election: Awaited<ReturnType<typeof startLeaderElection>> | undefined;
  const http = createApiServer({
    // The AWS APIs on this endpoint, asked in order; ECS last, as it answers whatever is left.
    // ECS claims every request no other API did, so it stays last.
    apis: [
      ec2Api(ctx, log.child({ component: "ec2-api" })),
      elbv2Api(
        ctx,
        {
          dnsName: config.loadBalancers.dnsName,
          // Only the leader's host runs the load balancers, so only it can tell whether a port is free there.
          portProblem: async (port) => (election?.isLeader() ? probePort(config.loadBalancers.bindAddress, port) : undefined),
        },
        log.child({ component: "elbv2-api" }),
      ),
      logsApi({ store: logs, scope: ctx.scope, registry: logGroupRegistry(ctx) }, log.child({ component: "logs-api" }), { selfId: () => replicaId, replicas: () => liveReplicas(ctx) }),
      autoscalingApi(ctx, log.child({ component: "autoscaling-api" })),
      secretsManagerApi(ctx, log.child({ component: "secretsmanager-api" })),
      ssmApi(ctx, log.child({ component: "ssm-api" })),
      schedulerApi(ctx, log.child({ component: "scheduler-api" })),
      eventsApi(ctx, log.child({ component: "events-api" })),
      cloudwatchApi(ctx, { basePeriodMs: config.autoscaling.periodMs, keptPeriods: keptMetricPeriods(config.autoscaling), requestsPerTarget: (g, last, p, n) => requestCounts.perTarget(g, last, p, n) }, log.child({ component: "cloudwatch-api" })),
      ecsApi(ctx, log.child({ component: "ecs-api" })),
    ],
    region: ctx.scope.region,
    log: log.child({ component: "api" }),
    lookupSecret,
    lookupSessionSecret: (akid, token) => taskCredentialSecret(ctx, akid, token),
    observer: {
      request(action, outcome, seconds) {
        metrics.apiRequests.inc({ action, outcome });
        metrics.apiRequestDuration.observe({ action }, seconds);
      },
    },
    getRoutes: {
      // Healthy means able to serve: an API that cannot reach etcd answers every call with an
      // error, so a load balancer or supervisor should see that here, with the reason.
      "/healthz": async () => {
        const problem = await etcdProblem(store, healthTimeoutMs);
        return problem
          ? { status: 503, contentType: "text/plain", body: `etcd unreachable: ${problem}\n` }
          : { contentType: "text/plain", body: "ok\n" };
      },
      "/metrics": async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
      [prometheusSdPath]: prometheusSdRoute(ctx, log.child({ component: "prometheus-sd" })),
    },
    streamRoutes: {
      "/berth/v1/logs": logsRoute(ctx, relay, log.child({ component: "logs" }), streamForwarder(ctx, () => replicaId)),
      "/berth/v1/task-stats": taskStatsRoute(ctx, taskStats, relay, streamForwarder(ctx, () => replicaId)),
      "/berth/v1/events/stream": eventsStreamRoute(ctx, new ChangeFeeds(store.kv, log.child({ component: "change-feed" })), log.child({ component: "events-stream" })),
    },
    upgradeRoutes: { "/berth/v1/exec": execRoute(ctx, relay, log.child({ component: "exec" }), upgradeForwarder(ctx, () => replicaId)) },
    postRoutes: {
      "/berth/v1/spot/interrupt": spotInterruptRoute(ctx),
      "/berth/v1/spot/interrupt-node": spotInterruptNodeRoute(ctx),
      "/berth/v1/schedules": schedulesRoute(ctx),
    },
    // The web console's built files (controlplane/console); it reads through the APIs above.
    prefixRoutes: { "/console/": consoleRoute() },
  });
  const apiPort = await listen(http, config.api.host, config.api.port);
  replicaId = `${hostname()}:${process.pid}:${apiPort}`;
  const apiUrl = advertisedApiUrl(config.api, apiPort, config.advertise, nonLoopbackIpv4());
  // Other replicas forward logs and exec of the sessions held here to this address.
  const advertisement = await advertiseReplica(ctx, { id: replicaId, apiUrl, startedAtMs: Date.now() }, config.sessionLeaseTtlSeconds, log.child({ component: "replica" }));
  const grpc = await startAgentServer(ctx, `${config.grpc.host}:${config.grpc.port}`, {
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    missedHeartbeats: config.missedHeartbeats,
    leaseTtlSeconds: config.sessionLeaseTtlSeconds,
    replicaId,
    taskCredentialsTtlMs: config.taskCredentialsTtlMs,
  }, { ca, ...identity }, {
    opened: () => metrics.agentSessionsOpen.inc(),
    closed: () => metrics.agentSessionsOpen.dec(),
    stateChange: (kind) => metrics.agentStateChanges.inc({ kind }),
  }, relay, awslogsIngest(logs, log.child({ component: "awslogs" }), logGroupRegistry(ctx)), taskStats);
  // Per-service datapoints of the sessions held here, for the leader's scaler (bounded writes).
  const serviceMetrics = publishServiceMetrics(ctx, taskStats, {
    periodMs: config.autoscaling.periodMs,
    periods: keptMetricPeriods(config.autoscaling),
    leaseTtlSeconds: config.sessionLeaseTtlSeconds,
    replicaId,
    log: log.child({ component: "service-metrics" }),
  });
  // Every replica serves the APIs and sessions; only the elected leader runs the loops.
  let duties: LeaderDuties | undefined;
  // The leader's host runs the load balancers' HAProxy processes (their listeners bind there).
  let lbLoop: LoadBalancerLoop | undefined;
  election = await startLeaderElection({
    kv: store.kv,
    id: replicaId,
    ttlSeconds: config.leaderTtlSeconds,
    log: log.child({ component: "leader" }),
    onElected: async (fence) => {
      metrics.leader.set(1);
      // The loops write through a fenced view: a write still in flight when leadership ends
      // is refused by etcd instead of landing beside the next leader's.
      const leaderCtx: CoreContext = { ...ctx, store: new Store(store.kv.fenced(fence)) };
      duties = await startLeaderDuties(leaderCtx, {
        intervalMs: config.reconcileIntervalMs,
        lostInstanceGraceMs: config.lostInstanceGraceMs,
        stoppedTaskRetentionMs: config.stoppedTaskRetentionMs,
        log,
        autoscaling: { ...config.autoscaling, log: log.child({ component: "autoscaling" }), requestsPerTarget: (group, last, periodMs, n) => requestCounts.perTarget(group, last, periodMs, n) },
        strategy: config.deployments,
        clusterScaling: clusterScalingSettings(config, { grpcPort: grpc.port, hostAddresses: nonLoopbackIpv4(), createJoinToken: async (ttl) => (await createJoinToken(store.kv, ca.digest, ttl)).token, log: log.child({ component: "cluster-scaling" }), observe: scalingMetrics.observe }),
      });
      lbLoop = startLoadBalancerLoop(leaderCtx, {
        dir: config.loadBalancers.dir,
        bindAddress: config.loadBalancers.bindAddress,
        haproxyPath: config.loadBalancers.haproxyPath,
        intervalMs: config.loadBalancers.syncIntervalMs,
        log: log.child({ component: "haproxy" }),
        requestCounts,
      });
    },
    onDemoted: async () => {
      metrics.leader.set(0);
      await duties?.stop();
      duties = undefined;
      await lbLoop?.stop();
      lbLoop = undefined;
    },
  });
  log.info("control plane started", { api: `${config.api.host}:${apiPort}`, advertised: apiUrl, grpc: `${config.grpc.host}:${grpc.port}`, etcd: config.etcdEndpoints.join(",") });

  const stopLeading = async () => {
    await election.close();
    await duties?.stop();
    duties = undefined;
    await lbLoop?.stop();
    lbLoop = undefined;
  };
  return {
    apiPort,
    grpcPort: grpc.port,
    ctx,
    metrics,
    caDigest: ca.digest,
    caCertificatePem: ca.certPem,
    createJoinToken: async (ttlMs) => (await createJoinToken(store.kv, ca.digest, ttlMs)).token,
    isLeader: () => election.isLeader(),
    stopLeading,
    async close() {
      await stopLeading();
      await serviceMetrics.close();
      await advertisement.close();
      await Promise.all([closeHttp(http), closeGrpc(grpc.server)]);
      clearInterval(logSweeper);
      clearInterval(secretSweeper);
      await logs.idle();
      await ctx.cache?.close();
      store.close();
      log.info("control plane stopped");
    },
  };
}

/** This host's non-loopback IPv4 addresses, the default other replicas reach it at. */
function nonLoopbackIpv4(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === "IPv4" && !a.internal)
    .map((a) => a!.address);
}

/** How often the leader purges secrets whose scheduled deletion is due. */
const secretPurgeIntervalMs = 60_000;

/** How long /healthz waits for etcd before it reports it unreachable. */
const healthTimeoutMs = 2000;

/** Why etcd does not answer a read within `timeoutMs`, or undefined when it does. */
async function etcdProblem(store: Store, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([store.kv.revision().then(() => undefined), timeout]);
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    clearTimeout(timer);
  }
}

/** Tasks by cluster and status, read at scrape time. */
async function taskCounts(ctx: CoreContext): Promise<TaskCount[]> {
  const counts = new Map<string, TaskCount>();
  for (const { value: t } of (await readTasks(ctx)).items) {
    const k = `${t.cluster}|${t.lastStatus}`;
    const row = counts.get(k) ?? { cluster: t.cluster, status: t.lastStatus, count: 0 };
    row.count++;
    counts.set(k, row);
  }
  return [...counts.values()];
}

/** Container instances by cluster, connection and status, read at scrape time. */
async function instanceCounts(ctx: CoreContext): Promise<InstanceCount[]> {
  const counts = new Map<string, InstanceCount>();
  for (const { value: i } of (await readInstances(ctx)).items) {
    const connection = i.agentConnected ? "connected" : "disconnected";
    const k = `${i.cluster}|${connection}|${i.status}`;
    const row = counts.get(k) ?? { cluster: i.cluster, connection, status: i.status, count: 0 };
    row.count++;
    counts.set(k, row);
  }
  return [...counts.values()];
}

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

function closeHttp(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// Give agents a moment to see their streams end cleanly, then cut whatever is left.
function closeGrpc(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 2000);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

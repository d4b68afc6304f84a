import { CredentialStore } from "./tls/credentials.js";
import { hostname as osHostname } from "node:os";
import { createLogger, type Logger } from "@berth/shared";
import { agentVersionString, agentVersion, type AgentConfig } from "./config/index.js";
import { AgentTaskEngine } from "./engine/index.js";
import { advertisedIntrospection, startIntrospectionServer, type IntrospectionServer } from "./introspection/index.js";
import { createAgentMetrics, StatsReporter } from "./metrics/index.js";
import { detectHost, hostAttributes, registeredResources } from "./resources/index.js";
import { DockerRuntime, type AgentRuntime } from "./runtime/index.js";
import { HostRouteTable, TaskNetworking } from "./network/index.js";
import { RuntimeHealthProbe } from "./runtime/health.js";
import { AgentSession, ExecRequests, LogRequests } from "./session/index.js";
import { AwslogsShipper, withAwslogsStart } from "./awslogs/index.js";
import { startTaskMetadataEndpoint, type TaskMetadataEndpoint } from "./metadata/index.js";

/** host:port as gRPC takes it (IPv6 hosts in brackets). */
const grpcAddress = (h: { host: string; port: number }) => (h.host.includes(":") ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`);

/** A running agent and how to stop it. */
export interface Agent {
  engine: AgentTaskEngine;
  session: AgentSession;
  introspection: IntrospectionServer;
  /** Stops the session, introspection and the engine's loops; containers keep running. */
  close(): Promise<void>;
}

/** What startAgent can be given instead of building it from the config. */
export interface AgentDeps {
  /**
   * The container runtime; default Docker at `config.dockerSocketPath`. The fleet simulator
   * passes a SimulatedRuntime, so a whole agent (engine, session, state) runs without Docker.
   */
  runtime?: AgentRuntime;
  /**
   * Export Node.js process metrics (process_*, nodejs_*); default true. Off when many agents
   * share one process: the figures are the process's, not an agent's.
   */
  processMetrics?: boolean;
}

/**
 * Starts an agent: the container runtime (Docker unless `deps` gives one), the task engine
 * (which re-adopts what the state file and Docker labels say is ours), introspection and
 * metrics on their port, and the session to the control plane, which registers the host and
 * then keeps reconnecting until closed. Every container access goes through the runtime.
 */
export async function startAgent(config: AgentConfig, log: Logger = createLogger({ level: config.logLevel }), deps: AgentDeps = {}): Promise<Agent> {
  const runtime: AgentRuntime = deps.runtime ?? new DockerRuntime({
    socketPath: config.dockerSocketPath,
    pullInactivityTimeoutMs: config.imagePullInactivityTimeoutMs,
    pullTimeoutMs: config.imagePullTimeoutMs,
    logger: log,
  });
  const host = await detectHost(runtime).catch((err: Error) => {
    throw new Error(`cannot reach the container engine${deps.runtime ? "" : ` at ${config.dockerSocketPath}`}: ${err.message}`);
  });
  // awslogs containers' output, shipped to the control plane's log store over the session; the
  // engine's runtime creates each one's stream before it starts, as Docker's awslogs driver does.
  const awslogs = new AwslogsShipper({ runtime, dataDir: config.dataDir, cluster: config.cluster, log });
  // The task metadata endpoint and role credentials on 169.254.170.2 (docs/TASK-METADATA.md);
  // started before the engine, whose restored tasks may create containers that need its URIs.
  // A simulated runtime has no containers to call it.
  let started: AgentTaskEngine | undefined;
  const taskMetadata: TaskMetadataEndpoint | undefined = deps.runtime
    ? undefined
    : await startTaskMetadataEndpoint({
        dataDir: config.dataDir,
        log,
        source: {
          tasks: () => started?.managedTasks() ?? [],
          inspect: (id) => runtime.inspectContainer(id),
          stats: (id) => runtime.containerStats(id),
          context: { availabilityZone: config.availabilityZone, launchType: config.fargate ? "FARGATE" : "EC2" },
          now: Date.now,
        },
      });
  // The endpoint holds a socket, a port and maybe the address on lo: a later step failing closes it.
  try {
    const engine = new AgentTaskEngine({
      runtime: withAwslogsStart(runtime, (container, target) => awslogs.initStream(container, target)),
      stateDir: config.dataDir,
      cluster: config.cluster,
      logger: log,
      pullPolicy: config.pullPolicy,
      taskCleanupWaitMs: config.taskCleanupWaitMs,
      defaultStopTimeoutMs: config.containerStopTimeoutMs,
      dynamicPortRange: { start: config.dynamicPortRange.first, end: config.dynamicPortRange.last },
      network: new TaskNetworking({ runtime, cluster: config.cluster, ...(config.fargate && { partition: "fargate" }), logger: log.child({ component: "network" }) }),
      ...(config.fargate && { partition: "fargate" }),
      ...(taskMetadata && { containerEnvironment: taskMetadata.environment }),
    });
    const routes = new HostRouteTable(log.child({ component: "routes" }));
    await engine.start();
    started = engine;

    const metrics = createAgentMetrics({
      tasks: () => engine.listTasks(),
      stats: (id) => runtime.containerStats(id),
      // A stats report needs a fresh reading each time: the cache lasts no longer than its interval.
      statsCacheMs: Math.min(2000, config.statsReportIntervalMs),
      processMetrics: deps.processMetrics,
      version: agentVersion,
      cluster: config.cluster,
      logger: log,
    });
    const introspection = await startIntrospectionServer({
      provider: {
        metadata: () => ({ cluster: config.cluster, containerInstanceArn: engine.instanceArn(), version: agentVersionString() }),
        tasks: () => engine.listTasks(),
        registry: metrics.registry,
      },
      host: config.introspection.host,
      port: config.introspection.port,
      logger: log,
    });

    // The port as bound (a configured 0 becomes the real one), for the control plane's Prometheus discovery.
    const advertised = advertisedIntrospection(introspection.address);

    const health = new RuntimeHealthProbe(() => runtime.ping(), { intervalMs: 2000, timeoutMs: 5000, log });
    health.start();

    const { total, registered } = registeredResources({
      cpus: host.cpus,
      memoryMiB: host.memoryMiB,
      reservedMemoryMiB: config.reservedMemoryMiB,
      reservedPorts: config.reservedPorts,
      reservedPortsUdp: config.reservedPortsUdp,
    });
    const attributes = hostAttributes({
      arch: host.arch,
      platform: host.platform,
      az: config.availabilityZone,
      // A Fargate agent says so in the attribute the scheduler sorts capacity by (berth.fargate).
      custom: config.fargate ? { ...config.attributes, "berth.fargate": "true" } : config.attributes,
      dockerApi: host.docker ? { min: host.docker.minApiVersion, max: host.docker.apiVersion } : undefined,
      logDrivers: host.docker?.logDrivers,
    });
    await awslogs.start();
    const session = new AgentSession({
      addresses: config.controlPlanes.map(grpcAddress),
      engine,
      identity: { get: () => engine.instanceArn(), set: (arn) => engine.setInstanceArn(arn ?? "") },
      credentials: new CredentialStore(config.dataDir),
      joinToken: config.joinToken,
      registration: async () => ({
        cluster: config.cluster,
        total,
        registered,
        attributes: attributes.map((a) => ({ name: a.name ?? "", value: a.value ?? "" })),
        agentVersion: agentVersion,
        dockerVersion: host.docker?.version ?? "unknown",
        hostname: host.hostname || osHostname(),
        hostIp: config.hostIp,
        introspectionPort: advertised.port,
        introspectionHost: advertised.host,
      }),
      log,
      runtimeHealth: () => health.current(),
      logs: new LogRequests({ source: runtime, runtime, log: log.child({ component: "logs" }) }),
      execs: new ExecRequests({ source: runtime, runtime, log: log.child({ component: "exec" }) }),
      awslogs,
      stats: new StatsReporter({ samples: () => metrics.containerSamples(), tasks: () => engine.listTasks(), intervalMs: config.statsReportIntervalMs, log: log.child({ component: "stats" }) }),
      hostRoutes: (r) => void routes.apply(r),
      taskIngress: (u) => void engine.applyIngress(u.taskArn, u.ingress),
      taskCredentials: (c) => taskMetadata?.takeCredentials(c),
      observer: {
        connected: (on) => metrics.setSessionConnected(on),
        stateChangeSent: () => metrics.stateChangesSent.inc(),
        stateChangeAcked: () => metrics.stateChangesAcked.inc(),
      },
    });
    session.start();
    log.info("agent started", {
      cluster: config.cluster,
      controlPlane: config.controlPlanes.map(grpcAddress).join(","),
      introspection: introspection.address,
      cpu: registered.cpu,
      memory: registered.memory,
    });

    return {
      engine,
      session,
      introspection,
      async close() {
        health.stop();
        await session.stop();
        await awslogs.stop();
        await introspection.close();
        await taskMetadata?.close();
        await engine.close();
        log.info("agent stopped; containers keep running and are re-adopted on restart");
      },
    };
  } catch (err) {
    await taskMetadata?.close().catch((closeErr: unknown) => log.warn("task metadata endpoint not closed", { err: closeErr }));
    throw err;
  }
}

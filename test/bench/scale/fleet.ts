/**
 * The fleet simulator: real agents (the agent's own engine, session, state file and join) over
 * simulated containers. Each agent is a full `startAgent` with a SimulatedRuntime pretending to
 * be a host of its own (CPUs, memory, zone, name), its own data folder, its own mTLS session
 * joined with a join token, and an introspection server on a port the kernel picks.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { createLogger, silentLogger, type Logger } from "@berth/shared";
import { SimulatedRuntime, compileAgentConfig, startAgent, timingDraws, type Agent, type TimingModel } from "@berth/agent";

/** One slice of a fleet: the agents one process runs. */
export interface FleetSliceSpec {
  cluster: string;
  /** Control-plane gRPC addresses (host:port), as BERTH_CONTROL_PLANE takes them. */
  controlPlanes: string[];
  joinToken: string;
  /** Index of this slice's first host in the whole fleet (names, zones and seeds follow it). */
  first: number;
  count: number;
  /** Availability zones, given round robin by host index. */
  zones: string[];
  /** Each host's size: CPU units (1024 a core) and memory. */
  cpuUnits: number;
  memoryMiB: number;
  timing: TimingModel;
  /** The run's seed; each host draws from seed + its index. */
  seed: number;
  /** Folder under which each agent gets a small data folder of its own. */
  dataRoot: string;
  /** Agents starting at once (each makes a key pair and a TLS join). */
  startConcurrency?: number;
  /** Agent log level on stderr; silent when undefined. */
  logLevel?: "debug" | "info" | "warn" | "error";
}

/** A running slice. */
export interface FleetSlice {
  agents: Agent[];
  runtimes: SimulatedRuntime[];
  /** Containers running across the slice's simulated hosts. */
  runningContainers(): number;
  /** Closes every agent (sessions end; simulated containers vanish with the process). */
  stop(): Promise<void>;
}

/** The simulated host's name for fleet index `i`. */
export const simHostname = (i: number): string => `sim-${String(i).padStart(5, "0")}`;

/** Starts the slice's agents, `startConcurrency` at a time, and resolves once every one has started its session. */
export async function startFleetSlice(spec: FleetSliceSpec): Promise<FleetSlice> {
  const log: Logger = spec.logLevel ? createLogger({ level: spec.logLevel, destination: process.stderr }) : silentLogger;
  const agents: Agent[] = [];
  const runtimes: SimulatedRuntime[] = [];
  const slice: FleetSlice = {
    agents,
    runtimes,
    runningContainers: () => runtimes.reduce((n, r) => n + r.runningCount(), 0),
    async stop() {
      await Promise.all(agents.map((a) => a.close().catch(() => {})));
      await rm(spec.dataRoot, { recursive: true, force: true });
    },
  };
  const indices = Array.from({ length: spec.count }, (_, k) => spec.first + k);
  const startOne = async (i: number) => {
    const dataDir = join(spec.dataRoot, simHostname(i));
    await mkdir(dataDir, { recursive: true });
    const draws = timingDraws(spec.timing, spec.seed + i);
    const runtime = new SimulatedRuntime({
      host: { cpus: spec.cpuUnits / 1024, memoryBytes: spec.memoryMiB * 1024 * 1024, hostname: simHostname(i) },
      delayMs: (op) => draws.delayMs(op),
      behavior: () => draws.exit(),
      recordCalls: false,
    });
    const config = compileAgentConfig({
      flags: {
        cluster: spec.cluster,
        // Each host starts at a different replica (round robin), so sessions spread over them.
        controlPlane: [...spec.controlPlanes.slice(i % spec.controlPlanes.length), ...spec.controlPlanes.slice(0, i % spec.controlPlanes.length)].join(","),
        dataDir,
        introspectionPort: 0,
        introspectionBindAddress: "127.0.0.1",
        availabilityZone: spec.zones[i % spec.zones.length],
        joinToken: spec.joinToken,
        // Stopped tasks' simulated containers go soon, so a long run does not keep them all.
        taskCleanupWait: "1m",
        logLevel: spec.logLevel ?? "error",
      },
      env: {},
    });
    runtimes.push(runtime);
    agents.push(await startAgent(config, log.child({ host: simHostname(i) }), { runtime, processMetrics: false }));
  };
  try {
    const queue = [...indices];
    const worker = async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) await startOne(i);
    };
    await Promise.all(Array.from({ length: Math.min(spec.startConcurrency ?? 16, indices.length) }, worker));
  } catch (err) {
    await slice.stop();
    throw err;
  }
  return slice;
}

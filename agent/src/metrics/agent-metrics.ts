import { Counter, Gauge, Registry } from "prom-client";
import { registerProcessMetrics } from "@berth/shared";
import { containerStatuses, silentLogger, type Logger } from "@berth/shared";
import type { AgentTaskView } from "../engine/types.js";
import { ContainerStatsCollector, type ContainerSample, type StatsSource } from "./container-stats.js";
import type { ContainerUsage } from "./docker-stats.js";
import { containerLabelNames } from "./labels.js";

/** What the agent's metrics read from. */
export interface AgentMetricsOptions {
  /** The engine's task view (`TaskEngine.listTasks`). */
  tasks: () => AgentTaskView[];
  /** Container stats; without one the per-container series are absent. See `dockerStatsSource`. */
  stats?: StatsSource;
  /** Reported in `berth_agent_info`. */
  version: string;
  /** Reported in `berth_agent_info`. */
  cluster: string;
  logger?: Logger;
  /** How long one Docker stats round serves scrapes. Default 2000 ms. */
  statsCacheMs?: number;
  /** Node.js process metrics (process_*, nodejs_*) with their standard names. Default true. */
  processMetrics?: boolean;
}

/** The agent's registry and the handles other components update. */
export interface AgentMetrics {
  /** Everything the agent exports; /metrics renders it. */
  readonly registry: Registry;
  /** The session calls this on connect (true) and on loss (false). */
  setSessionConnected(connected: boolean): void;
  /** Incremented by the session per state change sent. */
  readonly stateChangesSent: Counter<string>;
  /** Incremented by the session per state change the control plane acknowledged. */
  readonly stateChangesAcked: Counter<string>;
  /** The running containers' latest usage, from the same cached Docker round as the scrapes. */
  containerSamples(): Promise<ContainerSample[]>;
}

/**
 * Builds the agent's registry: process metrics, per-container usage read from Docker on scrape,
 * and the agent's own state. Per-container and task series are computed in `collect()` from the
 * current task list, so a task or container that is gone simply stops being reported.
 */
export function createAgentMetrics(opts: AgentMetricsOptions): AgentMetrics {
  const registry = new Registry();
  const logger = (opts.logger ?? silentLogger).child({ component: "metrics" });
  if (opts.processMetrics ?? true) registerProcessMetrics(registry);

  const statsErrors = new Counter({
    name: "berth_agent_container_stats_errors_total",
    help: "Container stats reads from Docker that failed or timed out.",
    registers: [registry],
  });
  const collector = opts.stats
    ? new ContainerStatsCollector({ tasks: opts.tasks, source: opts.stats, logger, cacheMs: opts.statsCacheMs, onError: () => statsErrors.inc() })
    : undefined;
  const samples = (): Promise<ContainerSample[]> => collector?.current() ?? Promise.resolve([]);

  // Counters read from Docker are cumulative already: each collect restates them from the
  // latest samples (reset, then add the absolute value), which also drops departed containers.
  const fromSamples = (kind: "counter" | "gauge", name: string, help: string, pick: (u: ContainerUsage) => number) => {
    const config = {
      name,
      help,
      labelNames: containerLabelNames,
      registers: [registry],
      async collect(this: Counter<string> | Gauge<string>) {
        const current = await samples();
        this.reset();
        for (const s of current) {
          if (this instanceof Counter) this.inc(s.labels, pick(s.usage));
          else this.set(s.labels, pick(s.usage));
        }
      },
    };
    return kind === "counter" ? new Counter(config) : new Gauge(config);
  };
  fromSamples("counter", "berth_container_cpu_seconds_total", "CPU time used by the container, user and kernel.", (u) => u.cpuSeconds);
  fromSamples("gauge", "berth_container_memory_usage_bytes", "Memory used by the container, less reclaimable page cache.", (u) => u.memoryUsageBytes);
  fromSamples("gauge", "berth_container_memory_limit_bytes", "Memory limit of the container (the host's memory when unlimited).", (u) => u.memoryLimitBytes);
  fromSamples("counter", "berth_container_network_receive_bytes_total", "Bytes received on the container's interfaces.", (u) => u.networkReceiveBytes);
  fromSamples("counter", "berth_container_network_transmit_bytes_total", "Bytes sent on the container's interfaces.", (u) => u.networkTransmitBytes);

  new Gauge({
    name: "berth_agent_tasks",
    help: "Tasks the agent knows, by known status.",
    labelNames: ["status"],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(containerStatuses.map((s) => [s, 0]));
      for (const t of opts.tasks()) counts.set(t.knownStatus, (counts.get(t.knownStatus) ?? 0) + 1);
      for (const [status, n] of counts) this.set({ status }, n);
    },
  });
  new Gauge({
    name: "berth_agent_containers_running",
    help: "Containers the agent knows as RUNNING.",
    registers: [registry],
    collect() {
      this.set(opts.tasks().reduce((n, t) => n + t.containers.filter((c) => c.knownStatus === "RUNNING").length, 0));
    },
  });
  const sessionConnected = new Gauge({
    name: "berth_agent_session_connected",
    help: "1 while the agent holds a session with the control plane.",
    registers: [registry],
  });
  sessionConnected.set(0);
  new Gauge({
    name: "berth_agent_info",
    help: "The agent's version and cluster; always 1.",
    labelNames: ["version", "cluster"],
    registers: [registry],
  }).set({ version: opts.version, cluster: opts.cluster }, 1);
  const stateChangesSent = new Counter({
    name: "berth_agent_state_changes_sent_total",
    help: "Task state changes sent to the control plane (re-sends included).",
    registers: [registry],
  });
  const stateChangesAcked = new Counter({
    name: "berth_agent_state_changes_acked_total",
    help: "Task state changes the control plane acknowledged.",
    registers: [registry],
  });

  return {
    registry,
    setSessionConnected: (connected) => sessionConnected.set(connected ? 1 : 0),
    stateChangesSent,
    stateChangesAcked,
    containerSamples: samples,
  };
}

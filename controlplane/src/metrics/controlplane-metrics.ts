import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { registerProcessMetrics } from "@berth/shared";
import { silentLogger, type Logger } from "@berth/shared";
import { apiOutcome, type ApiOutcome } from "./outcome.js";

/** One row of task counts, as the store reports them. */
export interface TaskCount {
  cluster: string;
  status: string;
  count: number;
}

/** One row of container-instance counts, as the store reports them. */
export interface InstanceCount {
  cluster: string;
  connection: "connected" | "disconnected";
  status: string;
  count: number;
}

/** Options for {@link createControlPlaneMetrics}; the count sources may also be set later. */
export interface ControlPlaneMetricsOptions {
  /** Task counts by cluster and status, read on each scrape. */
  taskCounts?: () => Promise<TaskCount[]>;
  /** Instance counts by cluster, connection and status, read on each scrape. */
  instanceCounts?: () => Promise<InstanceCount[]>;
  /** Node.js process metrics (process_*, nodejs_*) with their standard names. Default true. */
  processMetrics?: boolean;
  logger?: Logger;
}

type ApiLabels = "action" | "outcome";

/** The control plane's registry and typed handles: `metrics.apiRequests.inc({ action, outcome })`. */
export interface ControlPlaneMetrics {
  readonly registry: Registry;
  /** `berth_tasks{cluster,status}`, filled on scrape from the task-count source. */
  readonly tasks: Gauge<"cluster" | "status">;
  /** `berth_container_instances{cluster,connection,status}`, filled on scrape. */
  readonly containerInstances: Gauge<"cluster" | "connection" | "status">;
  /** `berth_api_requests_total{action,outcome}`. */
  readonly apiRequests: Counter<ApiLabels>;
  /** `berth_api_request_duration_seconds{action}`. */
  readonly apiRequestDuration: Histogram<"action">;
  /** `berth_agent_sessions_open`: inc on session open, dec on close. */
  readonly agentSessionsOpen: Gauge<string>;
  /** `berth_leader`: 1 while this replica is the elected leader running the loops, else 0. */
  readonly leader: Gauge<string>;
  /** `berth_agent_state_changes_total{kind}` (e.g. kind="task" or "container"). */
  readonly agentStateChanges: Counter<"kind">;
  /** `berth_etcd_txn_conflicts_total`: guarded writes that lost a compare. */
  readonly etcdTxnConflicts: Counter<string>;
  /** Sets where task counts come from (the store is often built after the metrics). */
  setTaskCounts(source: () => Promise<TaskCount[]>): void;
  /** Sets where instance counts come from. */
  setInstanceCounts(source: () => Promise<InstanceCount[]>): void;
  /**
   * Times one API request: call the returned function with the HTTP status (or outcome) it
   * ended with; it counts the request and observes its duration.
   */
  startApiRequest(action: string): (end: number | ApiOutcome) => void;
}

/**
 * Builds the control plane's registry. Store-backed gauges are filled in `collect()`, so each
 * scrape shows the store as it is; a failing source leaves the previous values and logs, rather
 * than failing the whole scrape.
 */
export function createControlPlaneMetrics(opts: ControlPlaneMetricsOptions = {}): ControlPlaneMetrics {
  const registry = new Registry();
  const logger = (opts.logger ?? silentLogger).child({ component: "metrics" });
  if (opts.processMetrics ?? true) registerProcessMetrics(registry);
  let taskCounts = opts.taskCounts;
  let instanceCounts = opts.instanceCounts;

  const sourceErrors = new Counter({
    name: "berth_metrics_source_errors_total",
    help: "Scrape-time reads of store counts that failed; the previous values were served.",
    labelNames: ["source"],
    registers: [registry],
  });
  const restate = async <L extends string>(gauge: Gauge<L>, source: string, read: (() => Promise<{ count: number }[]>) | undefined, labels: (row: never) => Record<L, string>) => {
    if (!read) return;
    let rows: { count: number }[];
    try {
      rows = await read();
    } catch (err) {
      sourceErrors.inc({ source });
      logger.warn("metrics source failed", { source, err });
      return;
    }
    // Reset first so a cluster or status with no tasks left disappears instead of going stale.
    gauge.reset();
    for (const row of rows) gauge.set(labels(row as never), row.count);
  };

  const tasks: Gauge<"cluster" | "status"> = new Gauge({
    name: "berth_tasks",
    help: "Tasks in the store, by cluster and last status.",
    labelNames: ["cluster", "status"] as const,
    registers: [registry],
    async collect() {
      await restate(tasks, "tasks", taskCounts, (r: TaskCount) => ({ cluster: r.cluster, status: r.status }));
    },
  });
  const containerInstances: Gauge<"cluster" | "connection" | "status"> = new Gauge({
    name: "berth_container_instances",
    help: "Container instances in the store, by cluster, agent connection and status.",
    labelNames: ["cluster", "connection", "status"] as const,
    registers: [registry],
    async collect() {
      await restate(containerInstances, "container_instances", instanceCounts, (r: InstanceCount) => ({
        cluster: r.cluster, connection: r.connection, status: r.status,
      }));
    },
  });
  const apiRequests = new Counter({
    name: "berth_api_requests_total",
    help: "API requests answered, by action and outcome.",
    labelNames: ["action", "outcome"] as const,
    registers: [registry],
  });
  const apiRequestDuration = new Histogram({
    name: "berth_api_request_duration_seconds",
    help: "Time to answer an API request, by action.",
    labelNames: ["action"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const agentSessionsOpen = new Gauge({
    name: "berth_agent_sessions_open",
    help: "Agent sessions this replica holds.",
    registers: [registry],
  });
  agentSessionsOpen.set(0);
  const leader = new Gauge({
    name: "berth_leader",
    help: "1 while this replica is the elected leader (runs the service and liveness loops), else 0.",
    registers: [registry],
  });
  leader.set(0);
  const agentStateChanges = new Counter({
    name: "berth_agent_state_changes_total",
    help: "State changes received from agents, by kind.",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const etcdTxnConflicts = new Counter({
    name: "berth_etcd_txn_conflicts_total",
    help: "Revision-guarded etcd transactions that lost their compare.",
    registers: [registry],
  });

  return {
    registry,
    tasks,
    containerInstances,
    apiRequests,
    apiRequestDuration,
    agentSessionsOpen,
    leader,
    agentStateChanges,
    etcdTxnConflicts,
    setTaskCounts: (source) => {
      taskCounts = source;
    },
    setInstanceCounts: (source) => {
      instanceCounts = source;
    },
    startApiRequest(action) {
      const end = apiRequestDuration.startTimer({ action });
      return (result) => {
        end();
        apiRequests.inc({ action, outcome: typeof result === "number" ? apiOutcome(result) : result });
      };
    },
  };
}

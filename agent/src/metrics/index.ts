/** The agent's Prometheus metrics. */
export * from "./agent-metrics.js";
export * from "./container-stats.js";
export * from "./docker-stats.js";
export * from "./labels.js";
export * from "./stats-report.js";

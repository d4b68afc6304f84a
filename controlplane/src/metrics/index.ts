/** The control plane's Prometheus metrics. */
export * from "./controlplane-metrics.js";
export * from "./outcome.js";
export * from "./log-store-metrics.js";
export * from "./cost-metrics.js";

import { collectDefaultMetrics, type Registry } from "prom-client";

/**
 * prom-client's default metrics that `promtool check metrics` rejects: gauges named `_total`.
 * Each is the sum of a per-type gauge it also exports (`nodejs_active_handles{type}` ...), so
 * dropping them loses nothing.
 */
const lintFailing = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"];

/** Registers Node.js process metrics (process_*, nodejs_*) under their standard names. */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of lintFailing) registry.removeSingleMetric(name);
}

import { Counter, Gauge, type Registry } from "prom-client";

/** The log store's metrics, and the observer the store reports through. */
export interface LogStoreMetrics {
  ingested(events: number): void;
  dropped(bytes: number, reason: "retention" | "cap"): void;
}

/**
 * Registers the log store's series on the control plane's registry: bytes on disk (read at
 * scrape), events ingested, and bytes dropped by retention or the disk cap.
 */
export function registerLogStoreMetrics(registry: Registry, bytesOnDisk: () => number): LogStoreMetrics {
  new Gauge({
    name: "berth_logs_bytes_on_disk",
    help: "Bytes of CloudWatch Logs segments the log store holds on this replica's disk.",
    registers: [registry],
    collect() {
      this.set(bytesOnDisk());
    },
  });
  const events = new Counter({ name: "berth_logs_events_ingested_total", help: "Log events stored (PutLogEvents and awslogs containers).", registers: [registry] });
  const dropped = new Counter({
    name: "berth_logs_dropped_bytes_total",
    help: "Bytes of log segments deleted, by reason: retention (retentionInDays) or cap (BERTH_LOG_MAX_BYTES).",
    labelNames: ["reason"],
    registers: [registry],
  });
  return {
    ingested: (n) => events.inc(n),
    dropped: (bytes, reason) => dropped.inc({ reason }, bytes),
  };
}

/**
 * Docker's stats JSON (GET /containers/{id}/stats, API 1.41) reduced to the numbers berth
 * exports. Pure, so the cgroup v1/v2 differences are tested without an engine.
 */

/** One container's usage at one moment. */
export interface ContainerUsage {
  /** CPU time used since the container started, user + kernel. */
  cpuSeconds: number;
  /** Memory in use less the page cache the kernel can drop, as `docker stats` shows it. */
  memoryUsageBytes: number;
  /** The container's memory limit; the host's memory when it has none. */
  memoryLimitBytes: number;
  /** Summed over the container's interfaces; 0 with no network (e.g. network mode none). */
  networkReceiveBytes: number;
  networkTransmitBytes: number;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * The usage in a stats document, or undefined when it holds none: Docker answers for a
 * container that has just stopped with a zero `read` time and empty memory stats.
 */
export function parseDockerStats(doc: unknown): ContainerUsage | undefined {
  const root = obj(doc);
  if (!root) return undefined;
  const mem = obj(root.memory_stats);
  const usage = num(mem?.usage);
  const cpuTotal = num(obj(obj(root.cpu_stats)?.cpu_usage)?.total_usage);
  if (usage === undefined || cpuTotal === undefined) return undefined;
  const detail = obj(mem?.stats) ?? {};
  // The same subtraction as the docker CLI: cgroup v1 reports total_inactive_file, v2
  // inactive_file; older engines only `cache`.
  const reclaimable = num(detail.total_inactive_file) ?? num(detail.inactive_file) ?? num(detail.cache) ?? 0;
  let rx = 0;
  let tx = 0;
  for (const iface of Object.values(obj(root.networks) ?? {})) {
    rx += num(obj(iface)?.rx_bytes) ?? 0;
    tx += num(obj(iface)?.tx_bytes) ?? 0;
  }
  return {
    cpuSeconds: cpuTotal / 1e9,
    memoryUsageBytes: reclaimable < usage ? usage - reclaimable : usage,
    memoryLimitBytes: num(mem?.limit) ?? 0,
    networkReceiveBytes: rx,
    networkTransmitBytes: tx,
  };
}

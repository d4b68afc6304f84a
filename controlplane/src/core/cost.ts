import { parseCpu, parseMemory, type TaskRecord } from "@berth/shared";

/**
 * Cost metering, pure: what a task used in vCPU-hours and GB-hours between its start and stop
 * (or now), priced as Fargate bills it. Every task is metered, Fargate or not, so an EC2 user
 * can see what the same work would cost on Fargate.
 */

/** Prices per hour; berth's defaults are the guide's Fargate prices (us-east-1, Linux/x86). */
export interface Prices {
  vcpuHour: number;
  gbHour: number;
}

/** $0.04048 per vCPU-hour and $0.004445 per GB-hour. */
export const defaultPrices: Prices = Object.freeze({ vcpuHour: 0.04048, gbHour: 0.004445 });

/** What a task is metered on: its size and when it started and stopped. */
export interface MeteredTask {
  /** CPU units (1024 per vCPU) and MiB, as the task holds them. */
  cpuUnits: number;
  memoryMiB: number;
  /** When metering starts (image pull or start) and ends (stop); absent end means still running. */
  startMs?: number;
  endMs?: number;
}

/** A task's use over a window. */
export interface Usage {
  vcpuHours: number;
  gbHours: number;
}

const hourMs = 3_600_000;

/**
 * The vCPU-hours and GB-hours of `t` within [sinceMs, nowMs]: its size times the part of its
 * run inside the window (nothing for a task that never started).
 */
export function usageOf(t: MeteredTask, nowMs: number, sinceMs = 0): Usage {
  if (t.startMs === undefined) return { vcpuHours: 0, gbHours: 0 };
  const from = Math.max(t.startMs, sinceMs);
  const to = Math.min(t.endMs ?? nowMs, nowMs);
  const hours = Math.max(0, to - from) / hourMs;
  return { vcpuHours: (t.cpuUnits / 1024) * hours, gbHours: (t.memoryMiB / 1024) * hours };
}

/** Dollars for `u` at `prices`. */
export function costOf(u: Usage, prices: Prices = defaultPrices): number {
  return u.vcpuHours * prices.vcpuHour + u.gbHours * prices.gbHour;
}

/**
 * How a task record is metered: the task-level cpu/memory when set (Fargate's billing unit),
 * else what placement reserved; from the image pull's start (Fargate bills from then), else
 * the task's start, to its stop.
 */
export function meteredTaskOf(t: Pick<TaskRecord, "cpu" | "memory" | "reserved" | "pullStartedAtMs" | "startedAtMs" | "stoppedAtMs" | "executionStoppedAtMs">): MeteredTask {
  return {
    cpuUnits: parseCpu(t.cpu) ?? t.reserved.cpu,
    memoryMiB: parseMemory(t.memory) ?? t.reserved.memory,
    startMs: t.pullStartedAtMs ?? t.startedAtMs,
    endMs: t.stoppedAtMs ?? t.executionStoppedAtMs,
  };
}

/** One line of a cost report: a service's (or the standalone tasks') use and price. */
export interface CostRow extends Usage {
  cluster: string;
  /** The service's name; "" for tasks no service started. */
  service: string;
  tasks: number;
  dollars: number;
}

/** The service a task belongs to, from its `service:NAME` group; "" for standalone tasks. */
export function serviceOfTask(t: Pick<TaskRecord, "group">): string {
  return t.group?.startsWith("service:") ? t.group.slice("service:".length) : "";
}

/**
 * Sums tasks' use per cluster and service within [sinceMs, nowMs], priced at `prices`,
 * largest cost first (ties by name). Tasks with no use in the window are left out.
 */
export function costReport(
  tasks: readonly (Pick<TaskRecord, "cluster" | "group"> & Parameters<typeof meteredTaskOf>[0])[],
  nowMs: number,
  opts: { sinceMs?: number; prices?: Prices } = {},
): CostRow[] {
  const rows = new Map<string, CostRow>();
  for (const t of tasks) {
    const u = usageOf(meteredTaskOf(t), nowMs, opts.sinceMs);
    if (u.vcpuHours === 0 && u.gbHours === 0) continue;
    const service = serviceOfTask(t);
    const key = `${t.cluster}\u0000${service}`;
    const row = rows.get(key) ?? { cluster: t.cluster, service, tasks: 0, vcpuHours: 0, gbHours: 0, dollars: 0 };
    row.tasks++;
    row.vcpuHours += u.vcpuHours;
    row.gbHours += u.gbHours;
    row.dollars += costOf(u, opts.prices);
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.dollars - a.dollars || a.cluster.localeCompare(b.cluster) || a.service.localeCompare(b.service));
}

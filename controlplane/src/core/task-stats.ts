/**
 * Container stats the agents report over their sessions (TaskStatsReport), kept in memory on the
 * replica holding each session: a bounded window per task for the console's task-stats route,
 * and per-service datapoints (ECS's CloudWatch CPUUtilization / MemoryUtilization) that
 * service-metrics.ts publishes for the leader's scaler. See docs/AUTOSCALING.md.
 */

/** One container's usage in one report. */
export interface ContainerStat {
  name: string;
  /** Percent of one core (100 = one core busy); 1024 ECS CPU units are one core. */
  cpuPercent: number;
  memoryBytes: number;
}

/** One report of one task's containers, as the task-stats route answers it. */
export interface TaskStatsSample {
  /** When the agent read the stats, unix ms. */
  timestamp: number;
  containers: ContainerStat[];
}

/** What the session knows of a task from its record: its service and what it reserved. */
export interface TaskStatsOwner {
  cluster: string;
  taskId: string;
  /** The service's name when the task is one of a service's (group `service:<name>`). */
  service?: string;
  /** CPU units and MiB the task reserved (the record's `reserved`). */
  reservedCpu: number;
  reservedMemoryMiB: number;
}

/** One service's usage over one period, summed over its tasks (a datapoint before the division). */
export interface ServicePeriod {
  /** The period's start, unix ms, a multiple of the period. */
  startMs: number;
  /** CPU units used: each task's mean over the period, summed. */
  cpuUsed: number;
  /** CPU units reserved by the tasks that reported in the period. */
  cpuReserved: number;
  memoryUsedMiB: number;
  memoryReservedMiB: number;
  /** Tasks that reported in the period. */
  tasks: number;
}

/** ECS's CPUUtilization of a datapoint, percent; undefined when nothing was reserved. */
export function cpuUtilization(p: ServicePeriod): number | undefined {
  return p.cpuReserved > 0 ? (p.cpuUsed / p.cpuReserved) * 100 : undefined;
}

/** ECS's MemoryUtilization of a datapoint, percent; undefined when nothing was reserved. */
export function memoryUtilization(p: ServicePeriod): number | undefined {
  return p.memoryReservedMiB > 0 ? (p.memoryUsedMiB / p.memoryReservedMiB) * 100 : undefined;
}

/** One task's window, as the aggregation reads it. */
export interface TaskWindow {
  owner: TaskStatsOwner;
  samples: readonly TaskStatsSample[];
}

const mib = 1024 * 1024;

/**
 * Per-service datapoints of the complete periods in `[fromMs, toMs)`: within a period each task's
 * usage is the mean of its samples (CloudWatch's Average of the period), and the service's is
 * the sum over the tasks that reported, beside the sum of those tasks' reservations, so the
 * utilization is ECS's "sum used / sum reserved × 100". Keyed `cluster/service`, periods in
 * time order. Pure.
 */
export function aggregateServicePeriods(windows: Iterable<TaskWindow>, periodMs: number, fromMs: number, toMs: number): Map<string, ServicePeriod[]> {
  const out = new Map<string, Map<number, ServicePeriod>>();
  for (const { owner, samples } of windows) {
    if (!owner.service) continue;
    const perPeriod = new Map<number, { cpu: number; mem: number; n: number }>();
    for (const s of samples) {
      if (s.timestamp < fromMs || s.timestamp >= toMs) continue;
      const start = Math.floor(s.timestamp / periodMs) * periodMs;
      const acc = perPeriod.get(start) ?? { cpu: 0, mem: 0, n: 0 };
      for (const c of s.containers) {
        acc.cpu += (c.cpuPercent / 100) * 1024;
        acc.mem += c.memoryBytes / mib;
      }
      acc.n++;
      perPeriod.set(start, acc);
    }
    const key = `${owner.cluster}/${owner.service}`;
    const periods = out.get(key) ?? new Map<number, ServicePeriod>();
    for (const [start, acc] of perPeriod) {
      const p = periods.get(start) ?? { startMs: start, cpuUsed: 0, cpuReserved: 0, memoryUsedMiB: 0, memoryReservedMiB: 0, tasks: 0 };
      p.cpuUsed += acc.cpu / acc.n;
      p.memoryUsedMiB += acc.mem / acc.n;
      p.cpuReserved += owner.reservedCpu;
      p.memoryReservedMiB += owner.reservedMemoryMiB;
      p.tasks++;
      periods.set(start, p);
    }
    out.set(key, periods);
  }
  return new Map([...out].map(([k, m]) => [k, [...m.values()].sort((a, b) => a.startMs - b.startMs)]));
}

/**
 * Sums datapoints of one service that several replicas published (each holds some of its
 * tasks' sessions) by period. Pure.
 */
export function mergeServicePeriods(lists: Iterable<readonly ServicePeriod[]>): ServicePeriod[] {
  const byStart = new Map<number, ServicePeriod>();
  for (const list of lists) {
    for (const p of list) {
      const m = byStart.get(p.startMs) ?? { startMs: p.startMs, cpuUsed: 0, cpuReserved: 0, memoryUsedMiB: 0, memoryReservedMiB: 0, tasks: 0 };
      m.cpuUsed += p.cpuUsed;
      m.cpuReserved += p.cpuReserved;
      m.memoryUsedMiB += p.memoryUsedMiB;
      m.memoryReservedMiB += p.memoryReservedMiB;
      m.tasks += p.tasks;
      byStart.set(p.startMs, m);
    }
  }
  return [...byStart.values()].sort((a, b) => a.startMs - b.startMs);
}

/** Bounds of {@link TaskStatsWindows}. */
export interface TaskStatsLimits {
  /** Samples kept per task (the oldest go first). */
  maxSamples: number;
  /** Samples older than this are dropped. */
  maxAgeMs: number;
}

/**
 * The windows of the tasks whose agents hold their sessions on this replica. Memory is bounded
 * per task by `maxSamples`, and a task that stops reporting ages out.
 */
export class TaskStatsWindows {
  private readonly tasks = new Map<string, { owner: TaskStatsOwner; samples: TaskStatsSample[] }>();

  constructor(private readonly limits: TaskStatsLimits) {}

  /** Adds one report of a task's containers. */
  record(owner: TaskStatsOwner, sample: TaskStatsSample): void {
    const key = `${owner.cluster}/${owner.taskId}`;
    const entry = this.tasks.get(key) ?? { owner, samples: [] };
    entry.owner = owner;
    entry.samples.push(sample);
    if (entry.samples.length > this.limits.maxSamples) entry.samples.splice(0, entry.samples.length - this.limits.maxSamples);
    this.tasks.set(key, entry);
  }

  /** A task's samples, oldest first; undefined when this replica has none for it. */
  samples(cluster: string, taskId: string): readonly TaskStatsSample[] | undefined {
    return this.tasks.get(`${cluster}/${taskId}`)?.samples;
  }

  /** Drops samples older than the age limit, and tasks left with none. */
  prune(nowMs: number): void {
    const oldest = nowMs - this.limits.maxAgeMs;
    for (const [key, entry] of this.tasks) {
      const keep = entry.samples.findIndex((s) => s.timestamp >= oldest);
      if (keep === -1) this.tasks.delete(key);
      else if (keep > 0) entry.samples.splice(0, keep);
    }
  }

  /** Every task's window, for the aggregation. */
  windows(): Iterable<TaskWindow> {
    return this.tasks.values();
  }
}

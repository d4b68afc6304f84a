import type { CoreContext } from "../context.js";
import { readServiceMetrics } from "../service-metrics.js";
import { cpuUtilization, memoryUtilization } from "../task-stats.js";
import type { AlarmDimension } from "../../store/index.js";
import { alarmPoints, alarmWindow, type Statistic } from "./datapoints.js";
import type { AlarmPeriodPoint } from "./evaluate.js";
import { metricSourceOf } from "./rules.js";

/**
 * Where berth's metrics are read: the service datapoints every replica publishes to etcd, and
 * the request counts the leader's load balancer loop keeps (absent elsewhere: no datapoints).
 */
export interface MetricReaders {
  basePeriodMs: number;
  /** RequestCountPerTarget per base period of a target group, oldest first (haproxy/request-counts.ts). */
  requestsPerTarget?: (targetGroupName: string, lastStartMs: number, periodMs: number, n: number) => (number | undefined)[];
}

/** Base-period values of `n` periods ending with the one starting at `lastStartMs`, oldest first. */
async function baseValues(ctx: CoreContext, readers: MetricReaders, namespace: string, metricName: string, dimensions: readonly AlarmDimension[], lastStartMs: number, n: number): Promise<(number | undefined)[]> {
  const source = metricSourceOf(namespace, metricName, dimensions);
  const base = readers.basePeriodMs;
  if (source.kind === "targetGroup") return readers.requestsPerTarget?.(source.targetGroup, lastStartMs, base, n) ?? new Array<undefined>(n).fill(undefined);
  const points = await readServiceMetrics(ctx, source.cluster, source.service, base);
  const byStart = new Map(points.map((p) => [p.startMs, p]));
  const value = source.metric === "cpu" ? cpuUtilization : memoryUtilization;
  const out: (number | undefined)[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const p = byStart.get(lastStartMs - i * base);
    out.push(p ? value(p) : undefined);
  }
  return out;
}

/**
 * The last `n` complete periods of `periodSeconds` of one metric's statistic, oldest first, as
 * the alarm evaluator and GetMetricStatistics read them: `lastCompleteBaseStartMs` is berth's
 * newest complete base period (core/service-metrics.ts lastCompletePeriodStart).
 */
export async function readMetricPoints(
  ctx: CoreContext,
  readers: MetricReaders,
  metric: { namespace: string; metricName: string; dimensions: readonly AlarmDimension[]; statistic: Statistic; periodSeconds: number },
  lastCompleteBaseStartMs: number,
  n: number,
): Promise<AlarmPeriodPoint[]> {
  const periodMs = metric.periodSeconds * 1000;
  const w = alarmWindow(lastCompleteBaseStartMs, readers.basePeriodMs, periodMs, n);
  const base = await baseValues(ctx, readers, metric.namespace, metric.metricName, metric.dimensions, w.lastBaseStartMs, w.baseCount);
  return alarmPoints(base, w, readers.basePeriodMs, periodMs, metric.statistic);
}

import { CloudWatchInvalidParameterCombination, CloudWatchInvalidParameterValue, CloudWatchMissingParameter } from "@berth/shared";
import {
  berthMetrics,
  fullyKeptPeriods,
  lastCompletePeriodStart,
  listTargetGroups,
  metricSourceOf,
  readMetricPoints,
  servicesWithMetrics,
  type CoreContext,
  type MetricReaders,
  type MetricWindow,
  type Statistic,
} from "../../../core/index.js";
import type { AlarmDimension } from "../../../store/index.js";
import { timestampMs } from "../../aws/timestamps.js";
import { cloudwatchPage } from "../shapes.js";

/** What the metric actions read: the alarm window's bounds and the metric sources. */
export type MetricDeps = MetricWindow & MetricReaders;

/**
 * GetMetricStatistics over berth's metrics: each complete period of `Period` seconds in
 * [StartTime, EndTime) that berth still keeps and has data for, with the statistics asked for.
 * Percentiles (ExtendedStatistics) and metrics berth has no datapoints of are refused.
 */
export async function getMetricStatistics(
  ctx: CoreContext,
  input: { Namespace: string; MetricName: string; Dimensions?: AlarmDimension[]; StartTime: unknown; EndTime: unknown; Period: number; Statistics?: Statistic[]; ExtendedStatistics?: string[]; Unit?: string },
  deps: MetricDeps,
): Promise<Record<string, unknown>> {
  if (input.ExtendedStatistics !== undefined) throw new CloudWatchInvalidParameterValue("ExtendedStatistics: berth keeps no percentiles; use Statistics");
  if (!input.Statistics || input.Statistics.length === 0) throw new CloudWatchMissingParameter("Must specify either Statistics or ExtendedStatistics");
  const dims = input.Dimensions ?? [];
  metricSourceOf(input.Namespace, input.MetricName, dims);
  const start = timestampMs("StartTime", input.StartTime, (m) => new CloudWatchInvalidParameterValue(m));
  const end = timestampMs("EndTime", input.EndTime, (m) => new CloudWatchInvalidParameterValue(m));
  if (start >= end) throw new CloudWatchInvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.");
  const periodMs = input.Period * 1000;
  if (periodMs % deps.basePeriodMs !== 0) throw new CloudWatchInvalidParameterValue(`Period: ${input.Period} s is not a multiple of berth's datapoint period (${deps.basePeriodMs / 1000} s)`);
  const unit = berthMetrics[input.Namespace][input.MetricName].unit;
  if (input.Unit !== undefined && input.Unit !== unit) throw new CloudWatchInvalidParameterCombination(`Unit: ${input.Namespace} ${input.MetricName} is in ${unit}`);
  const last = lastCompletePeriodStart(ctx.now(), deps.basePeriodMs);
  // Only periods berth still keeps whole: an older one's statistic would be of partial data.
  const n = fullyKeptPeriods(deps.keptPeriods, deps.basePeriodMs, periodMs);
  const byStart = new Map<number, Record<string, unknown>>();
  for (const stat of n > 0 ? new Set(input.Statistics) : []) {
    const points = await readMetricPoints(ctx, deps, { namespace: input.Namespace, metricName: input.MetricName, dimensions: dims, statistic: stat, periodSeconds: input.Period }, last, n);
    for (const p of points) {
      if (p.value === undefined || p.startMs < start || p.startMs >= end) continue;
      const d = byStart.get(p.startMs) ?? { Timestamp: new Date(p.startMs), Unit: unit };
      d[stat] = p.value;
      byStart.set(p.startMs, d);
    }
  }
  return { Label: input.MetricName, Datapoints: [...byStart.values()] };
}

/** One metric as ListMetrics shows it. */
interface MetricShape {
  Namespace: string;
  MetricName: string;
  Dimensions: AlarmDimension[];
}

/**
 * ListMetrics: the metrics berth has datapoints of: CPUUtilization and MemoryUtilization of each
 * service some replica publishes, RequestCountPerTarget of each target group; filtered by
 * Namespace, MetricName and dimension name (and value), 500 a page as CloudWatch pages them.
 */
export async function listMetrics(ctx: CoreContext, input: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value?: string }[]; NextToken?: string }): Promise<Record<string, unknown>> {
  const all: MetricShape[] = [];
  for (const s of await servicesWithMetrics(ctx)) {
    for (const name of ["CPUUtilization", "MemoryUtilization"]) {
      all.push({ Namespace: "AWS/ECS", MetricName: name, Dimensions: [{ Name: "ClusterName", Value: s.cluster }, { Name: "ServiceName", Value: s.service }] });
    }
  }
  for (const tg of await listTargetGroups(ctx)) {
    const resource = /:(targetgroup\/.+)$/.exec(tg.arn)?.[1];
    if (resource) all.push({ Namespace: "AWS/ApplicationELB", MetricName: "RequestCountPerTarget", Dimensions: [{ Name: "TargetGroup", Value: resource }] });
  }
  const matching = all.filter(
    (m) =>
      (input.Namespace === undefined || m.Namespace === input.Namespace) &&
      (input.MetricName === undefined || m.MetricName === input.MetricName) &&
      (input.Dimensions ?? []).every((f) => m.Dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value))),
  );
  const { page, nextToken } = cloudwatchPage(matching, 500, input.NextToken, 500);
  return { Metrics: page, ...(nextToken && { NextToken: nextToken }) };
}

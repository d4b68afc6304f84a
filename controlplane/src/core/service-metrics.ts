import type { Lease } from "etcd3";
import type { Logger } from "@berth/shared";
import type { CoreContext } from "./context.js";
import { keys } from "../store/index.js";
import { aggregateServicePeriods, mergeServicePeriods, type ServicePeriod, type TaskStatsWindows } from "./task-stats.js";

/** What one replica publishes for one service: its complete periods, oldest first. */
export interface ServiceMetricsRecord {
  periodMs: number;
  points: ServicePeriod[];
}

/** Settings of the publisher. */
export interface ServiceMetricsSettings {
  /** The datapoint period (BERTH_METRIC_PERIOD_MS; CloudWatch's 60 s by default). */
  periodMs: number;
  /** Complete periods published per service: the longest evaluation window the scaler reads. */
  periods: number;
  /** TTL of the lease the records live under, so a dead replica's datapoints go. */
  leaseTtlSeconds: number;
  replicaId: string;
  log: Logger;
}

/** A running publisher. */
export interface ServiceMetricsPublisher {
  /** Publishes once now (tests and shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Publishes, on every replica, the per-service datapoints of the sessions it holds: one key per
 * (service, replica) under a lease of the replica's own, rewritten at most once a period with the
 * last `periods` complete periods. etcd writes are therefore bounded by services × replicas per
 * period, whatever the task count; the leader's scaler sums the replicas' records
 * ({@link readServiceMetrics}). A period counts as complete a quarter period after it ends, so
 * reports still on their way (the agents send every 10 s) land in it first.
 */
export function publishServiceMetrics(ctx: CoreContext, windows: TaskStatsWindows, settings: ServiceMetricsSettings): ServiceMetricsPublisher {
  let lease: Lease | undefined;
  let closed = false;
  const written = new Map<string, string>();
  let running: Promise<void> = Promise.resolve();
  const leaseNow = (): Lease => {
    if (lease) return lease;
    const l = ctx.store.kv.lease(settings.leaseTtlSeconds);
    l.on("lost", () => {
      if (lease !== l) return;
      // The records went with the lease: forget them so the next round writes them again.
      lease = undefined;
      written.clear();
    });
    lease = l;
    return l;
  };
  const round = async () => {
    const now = ctx.now();
    windows.prune(now);
    const until = Math.floor((now - settings.periodMs / 4) / settings.periodMs) * settings.periodMs;
    const from = until - settings.periods * settings.periodMs;
    const byService = aggregateServicePeriods(windows.windows(), settings.periodMs, from, until);
    const l = leaseNow();
    for (const [svc, points] of byService) {
      const [cluster, service] = splitOnce(svc);
      const key = keys.serviceMetrics(cluster, service, settings.replicaId);
      const value = JSON.stringify({ periodMs: settings.periodMs, points } satisfies ServiceMetricsRecord);
      if (written.get(key) === value) continue;
      await l.put(key).value(value).exec();
      written.set(key, value);
    }
    // A service whose tasks left this replica (or stopped) is no longer published from here.
    const current = new Set([...byService.keys()].map((svc) => keys.serviceMetrics(...splitOnce(svc), settings.replicaId)));
    for (const key of [...written.keys()]) {
      if (current.has(key)) continue;
      await ctx.store.kv.commit(ctx.store.txn().delete(key));
      written.delete(key);
    }
  };
  const tick = () => {
    running = running.then(round).catch((err) => settings.log.warn("service metrics not published", { err: (err as Error).message }));
  };
  const timer = setInterval(tick, Math.max(100, Math.floor(settings.periodMs / 2)));
  timer.unref();
  return {
    async flush() {
      tick();
      await running;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await running;
      await lease?.revoke().catch(() => undefined);
    },
  };
}

function splitOnce(svc: string): [string, string] {
  const i = svc.indexOf("/");
  return [svc.slice(0, i), svc.slice(i + 1)];
}

/**
 * A service's datapoints summed over every replica that published some, oldest first. Records of
 * another period length (a replica configured differently) are left out.
 */
export async function readServiceMetrics(ctx: CoreContext, cluster: string, service: string, periodMs: number): Promise<ServicePeriod[]> {
  const listing = await ctx.store.kv.list<ServiceMetricsRecord>(keys.serviceMetricsOf(cluster, service));
  return mergeServicePeriods(listing.items.filter((i) => i.value.periodMs === periodMs).map((i) => i.value.points));
}

/**
 * The start of the last complete period at `nowMs`: the publishers count a period complete a
 * quarter period after it ends, so the readers (the scaler, the alarm evaluator) read the one before.
 */
export function lastCompletePeriodStart(nowMs: number, periodMs: number): number {
  return Math.floor((nowMs - periodMs / 4) / periodMs) * periodMs - periodMs;
}

/** How many complete periods the publishers keep per service, from the scaler's windows. */
export function keptMetricPeriods(settings: { scaleInDatapoints: number; scaleOutDatapoints: number }): number {
  return Math.max(settings.scaleInDatapoints, settings.scaleOutDatapoints) + 1;
}

/** The services some replica publishes datapoints of, as `{cluster, service}`. */
export async function servicesWithMetrics(ctx: CoreContext): Promise<{ cluster: string; service: string }[]> {
  const root = keys.allServiceMetrics();
  const seen = new Map<string, { cluster: string; service: string }>();
  for (const key of await ctx.store.kv.listKeys(root)) {
    const [cluster, service] = key.slice(root.length).split("/");
    if (cluster && service) seen.set(`${cluster}/${service}`, { cluster, service });
  }
  return [...seen.values()];
}

import { groupBy, serviceGroup, type Logger, type ServiceRecord, type TaskRecord } from "@berth/shared";
import { readDeploymentAlarms, readElbHealthView, serviceElbHealth, servesLoadBalancers, shiftsTraffic, type CoreContext, type ElbHealthView } from "../../core/index.js";
import { FencedOutError, keys, watchPrefix, type PrefixWatch } from "../../store/index.js";
import { startLoop, type ReconcileLoop } from "../loop.js";
import { clusterRound } from "./cluster-round.js";
import type { DefinitionCache } from "./snapshot.js";
import { runStrategyStep, type StrategyOptions } from "./strategy/runner.js";

/** ECS's timings for traffic-shifting deployments: real minutes, hooks asked again after 30 s. */
export const defaultStrategyOptions: StrategyOptions = { minuteMs: 60_000, hookRetryMs: 30_000, hookCallTimeoutMs: 10_000, routeSettleMs: 5000 };

/** A running service loop (leader only). */
export interface ServiceLoop {
  stop(): Promise<void>;
}

/**
 * The service loop: every `intervalMs`, and soon after any service or task changes, read each
 * cluster's services, tasks and instances once, plan each service (pure), place the plans
 * together and write them as one guarded write set (cluster-round.ts).
 */
export async function startServiceLoop(ctx: CoreContext, opts: { intervalMs: number; log: Logger; strategy?: StrategyOptions }): Promise<ServiceLoop> {
  const log = opts.log.child({ component: "service-loop" });
  // Task definitions never change what they define, so what the planner needs of one is cached.
  const cache: DefinitionCache = { healthChecked: new Map(), constraints: new Map() };
  const strategy = opts.strategy ?? defaultStrategyOptions;
  const loop: ReconcileLoop = startLoop("service loop", opts.intervalMs, (active) => round(ctx, log, cache, active, strategy), log);
  const watches: PrefixWatch[] = [];
  // Changes wake the loop; what they say is re-read in the round, so the values are ignored here.
  const from = await ctx.store.kv.revision();
  for (const prefix of [keys.services(), keys.tasks()]) {
    watches.push(await watchPrefix(ctx.store.kv, prefix, from, { put: () => loop.poke(), delete: () => loop.poke() }, log));
  }
  return {
    async stop() {
      for (const w of watches) await w.close();
      await loop.stop();
    },
  };
}

async function round(ctx: CoreContext, log: Logger, cache: DefinitionCache, active: () => boolean, strategy: StrategyOptions): Promise<void> {
  const services = (await ctx.store.services.list(keys.services())).items.filter((s) => s.value.status !== "INACTIVE");
  const byCluster = groupBy(services, (s) => s.value.cluster);
  // The alarms deploymentConfiguration.alarms name, once a round (no read when none are enabled).
  const alarms = { states: await readDeploymentAlarms(ctx, services.map((s) => s.value)), minuteMs: strategy.minuteMs };
  // Target groups and their health are read once a round, and only when a service has loadBalancers.
  let elbView: Promise<ElbHealthView> | undefined;
  const elbHealthOf = async (s: ServiceRecord, tasks: TaskRecord[]) =>
    servesLoadBalancers(s) ? serviceElbHealth(s, tasks, await (elbView ??= readElbHealthView(ctx))) : undefined;
  for (const [cluster, list] of byCluster) {
    if (!active()) return;
    const daemonGroups = new Set(list.filter((s) => s.value.schedulingStrategy === "DAEMON").map((s) => serviceGroup(s.value.name)));
    const seen = await clusterRound(ctx, log, cluster, list, { daemonGroups, cache, elbHealthOf, alarms }, active);
    // BLUE_GREEN, LINEAR and CANARY: move the deployment through its stages and the rules with
    // it (strategy/runner.ts), on the record as the round left it.
    for (const s of list) {
      if (!active()) return;
      if (!shiftsTraffic(s.value.deploymentConfiguration.strategy) && !s.value.deployments.some((d) => d.shift)) continue;
      try {
        const latest = await ctx.store.services.get(cluster, s.value.name);
        if (latest) await runStrategyStep(ctx, latest.value, seen.get(s.value.name) ?? [], strategy, log);
      } catch (err) {
        // A lost fence ends the whole round: the next leader owns every service now.
        if (err instanceof FencedOutError) throw err;
        log.error("service round failed", { cluster, service: s.value.name, err });
      }
    }
  }
}

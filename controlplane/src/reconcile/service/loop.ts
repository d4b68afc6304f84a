import { groupBy, newId, serviceGroup, type Logger, type ServiceRecord, type TaskRecord } from "@berth/shared";
import { resolveTaskDefinition, type CoreContext } from "../../core/index.js";
import { FencedOutError, keys, watchPrefix, type PrefixWatch } from "../../store/index.js";
import { startLoop, type ReconcileLoop } from "../loop.js";
import { applyServicePlan } from "./apply.js";
import { planService } from "./plan.js";

/** A running service loop (leader only). */
export interface ServiceLoop {
  stop(): Promise<void>;
}

/**
 * The service loop: every `intervalMs`, and soon after any service or task changes, read each
 * cluster's services, tasks and instances once, plan each service (pure) and apply the plan.
 */
export async function startServiceLoop(ctx: CoreContext, opts: { intervalMs: number; log: Logger }): Promise<ServiceLoop> {
  const log = opts.log.child({ component: "service-loop" });
  // Task definitions never change what they define, so whether one has a health check is cached.
  const healthCache = new Map<string, boolean>();
  const loop: ReconcileLoop = startLoop("service loop", opts.intervalMs, (active) => round(ctx, log, healthCache, active), log);
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

async function round(ctx: CoreContext, log: Logger, healthCache: Map<string, boolean>, active: () => boolean): Promise<void> {
  const services = (await ctx.store.services.list(keys.services())).items.filter((s) => s.value.status !== "INACTIVE");
  const byCluster = groupBy(services, (s) => s.value.cluster);
  for (const [cluster, list] of byCluster) {
    const [tasks, instances] = await Promise.all([ctx.store.tasks.list(keys.tasks(cluster)), ctx.store.instances.list(keys.instances(cluster))]);
    const allTasks = tasks.items.map((t) => t.value);
    for (const s of list) {
      if (!active()) return;
      try {
        const snapshotTasks = allTasks.filter((t) => t.group === serviceGroup(s.value.name));
        const plan = planService({
          service: s.value,
          tasks: snapshotTasks,
          instances: instances.items.map((i) => ({ id: i.value.id, status: i.value.status, agentConnected: i.value.agentConnected })),
          healthCheckedDefinitions: await healthChecked(ctx, s.value, snapshotTasks, healthCache),
          now: ctx.now(),
          seed: newId(),
        });
        await applyServicePlan(ctx, s, plan);
      } catch (err) {
        // A lost fence ends the whole round: the next leader owns every service now.
        if (err instanceof FencedOutError) throw err;
        log.error("service round failed", { cluster, service: s.value.name, err });
      }
    }
  }
}

/** The service's task definitions (its deployments' and its tasks') that define a health check. */
async function healthChecked(ctx: CoreContext, service: ServiceRecord, tasks: TaskRecord[], cache: Map<string, boolean>): Promise<string[]> {
  const arns = new Set([...service.deployments.map((d) => d.taskDefinition), ...tasks.map((t) => t.taskDefinitionArn)]);
  const out: string[] = [];
  for (const arn of arns) {
    if (!cache.has(arn)) {
      const td = await resolveTaskDefinition(ctx, arn).catch(() => undefined);
      cache.set(arn, td?.containerDefinitions.some((c) => (c.healthCheck?.command?.length ?? 0) > 0) ?? false);
    }
    if (cache.get(arn)) out.push(arn);
  }
  return out;
}

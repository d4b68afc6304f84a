import { clusterScoped, keys, watchPrefix, type PrefixWatch, type Versioned } from "../../store/index.js";
import type { ContainerInstanceRecord, Logger, TaskRecord } from "@berth/shared";
import { readInstances, readTasks, type CoreContext } from "../../core/index.js";
import { startLoop } from "../loop.js";
import { applyLivenessPlan } from "./apply.js";
import { defaultLostInstanceGraceMs, planLiveness } from "./plan.js";

/** Options of the liveness loop. */
export interface LivenessLoopOptions {
  ctx: CoreContext;
  /** Period of a full round (default 1000 ms); changes and grace deadlines wake it sooner. */
  intervalMs?: number;
  /** How long an instance may stay disconnected before its tasks are lost (default 5000 ms). */
  graceMs?: number;
  log: Logger;
}

/** A running liveness loop. */
export interface LivenessLoop {
  /** Asks for a round soon. */
  poke(): void;
  /** Stops after the round in progress. */
  stop(): Promise<void>;
}

/**
 * The instance-liveness loop, run by the leader only: each round reads instances, session keys
 * and (when some instance is not connected) tasks, plans (planLiveness, pure) and applies. It
 * wakes every `intervalMs`, when a session key is deleted or an instance changes, and exactly
 * when the earliest grace period ends, so a lost instance's tasks stop on time, not a round late.
 */
export function startLivenessLoop(opts: LivenessLoopOptions): LivenessLoop {
  const { ctx } = opts;
  const log = opts.log.child({ component: "liveness" });
  const graceMs = opts.graceMs ?? defaultLostInstanceGraceMs;
  let stopped = false;
  let deadlineTimer: NodeJS.Timeout | undefined;
  const watches: PrefixWatch[] = [];

  const round = async (active: () => boolean) => {
    // Instances first, then sessions: a session writes its key before marking the instance
    // connected, so a connected instance read here had its key written before the key read.
    // From the watched cache (every second, and on every instance write: a full etcd listing of
    // every instance, their held tasks in them, each time): a record it has not caught up with
    // yet is older, which keeps that order, and every write below is guarded by its revision.
    const instances = await readInstances(ctx);
    const sessionIds = new Set(await sessionInstanceIds(ctx));
    const byKey = new Map<string, Versioned<ContainerInstanceRecord>>();
    for (const i of instances.items) byKey.set(keys.instance(i.value.cluster, i.value.id), i);
    const suspect = instances.items.filter(
      (i) => i.value.status !== "INACTIVE" && (!(i.value.agentConnected && sessionIds.has(i.value.id)) || i.value.runtimeUnhealthySinceMs !== undefined),
    );
    const tasks: TaskRecord[] = [];
    for (const cluster of new Set(suspect.map((i) => i.value.cluster))) {
      tasks.push(...(await readTasks(ctx, cluster)).items.map((t) => t.value));
    }
    const now = ctx.now();
    const plan = planLiveness({ instances: instances.items.map((i) => i.value), sessions: sessionIds, tasks, now, graceMs });
    clearTimeout(deadlineTimer);
    if (plan.nextDeadlineMs !== undefined && !stopped) {
      // A little after the deadline, so the round sees the grace as over.
      deadlineTimer = setTimeout(() => loop.poke(), Math.max(0, plan.nextDeadlineMs - now) + 20);
    }
    if (plan.markDisconnected.length === 0 && plan.markLost.length === 0) return;
    log.info("liveness plan", { ...plan.summary });
    if (!active()) return;
    const outcome = await applyLivenessPlan(ctx, plan, byKey, log);
    log.info("liveness applied", { ...outcome });
    // Marking disconnected starts a grace period: plan again so its deadline is scheduled.
    if (outcome.disconnected > 0) loop.poke();
  };

  const loop = startLoop("liveness loop", opts.intervalMs ?? 1000, round, log);

  // Changes wake the loop; what they say is re-read in the round.
  void (async () => {
    try {
      const from = await ctx.store.kv.revision();
      for (const prefix of [keys.sessions(), keys.instances()]) {
        const w = await watchPrefix(ctx.store.kv, prefix, from, { put: () => loop.poke(), delete: () => loop.poke(), relist: () => loop.poke() }, log);
        if (stopped) await w.close();
        else watches.push(w);
      }
    } catch (err) {
      log.warn("liveness watches not started; relying on the period", { err });
    }
  })();

  return {
    poke: () => loop.poke(),
    async stop() {
      stopped = true;
      clearTimeout(deadlineTimer);
      await Promise.all(watches.map((w) => w.close()));
      await loop.stop();
    },
  };
}

/**
 * Instance ids with a session key, read from the keys themselves (the values are the serving
 * replica's notes and name no instance).
 */
async function sessionInstanceIds(ctx: CoreContext): Promise<string[]> {
  const res = await ctx.store.kv.listKeys(keys.sessions());
  return res.map((k) => clusterScoped(k).id);
}

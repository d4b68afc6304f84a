import { ConflictError, type Logger } from "@berth/shared";
import type { CoreContext } from "../../core/index.js";
import { keys } from "../../store/index.js";
import { startLoop, type ReconcileLoop } from "../loop.js";
import { planCleanup, type CleanupTarget } from "./plan.js";

/** Options of the cleanup loop. */
export interface CleanupLoopOptions {
  ctx: CoreContext;
  /** How long STOPPED tasks and INACTIVE instances and services stay describable (ECS: about an hour). */
  retentionMs: number;
  intervalMs: number;
  log: Logger;
}

/**
 * Forgets STOPPED tasks, INACTIVE instances and INACTIVE services past their retention (leader
 * only). Each delete is guarded by the revision read, so a record that changed meanwhile waits
 * for the next round.
 */
function keyOf(t: CleanupTarget): string {
  return t.kind === "task" ? keys.task(t.cluster, t.id) : t.kind === "instance" ? keys.instance(t.cluster, t.id) : keys.service(t.cluster, t.id);
}

export function startCleanupLoop(opts: CleanupLoopOptions): ReconcileLoop {
  const log = opts.log.child({ component: "cleanup" });
  return startLoop(
    "cleanup",
    opts.intervalMs,
    async (active) => {
      const [tasks, instances, services] = await Promise.all([
        opts.ctx.store.tasks.list(keys.tasks()),
        opts.ctx.store.instances.list(keys.instances()),
        opts.ctx.store.services.list(keys.services()),
      ]);
      const plan = planCleanup({
        tasks: tasks.items,
        instances: instances.items,
        services: services.items,
        now: opts.ctx.now(),
        retentionMs: opts.retentionMs,
        maxPerRound: 500,
      });
      const deleted = { task: 0, instance: 0, service: 0 };
      for (const d of plan.delete) {
        if (!active()) break;
        const key = keyOf(d);
        try {
          await opts.ctx.store.commit(opts.ctx.store.txn().expect(key, d.modRevision).delete(key));
          deleted[d.kind]++;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
        }
      }
      if (plan.delete.length > 0) log.info("old records forgotten", { ...deleted, retentionMs: opts.retentionMs });
    },
    log,
  );
}

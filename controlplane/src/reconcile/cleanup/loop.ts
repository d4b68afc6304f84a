import { ConflictError, type Logger } from "@berth/shared";
import type { CoreContext } from "../../core/index.js";
import { keys } from "../../store/index.js";
import { startLoop, type ReconcileLoop } from "../loop.js";
import { planTaskCleanup } from "./plan.js";

/** Options of the task cleanup loop. */
export interface CleanupLoopOptions {
  ctx: CoreContext;
  /** How long STOPPED tasks stay describable (ECS keeps them about an hour). */
  retentionMs: number;
  intervalMs: number;
  log: Logger;
}

/**
 * Forgets STOPPED tasks past their retention (leader only). Each delete is guarded by the
 * revision read, so a task that changed meanwhile waits for the next round.
 */
export function startTaskCleanupLoop(opts: CleanupLoopOptions): ReconcileLoop {
  const log = opts.log.child({ component: "task-cleanup" });
  return startLoop(
    "task cleanup",
    opts.intervalMs,
    async () => {
      const tasks = (await opts.ctx.store.tasks.list(keys.tasks())).items;
      const plan = planTaskCleanup({ tasks, now: opts.ctx.now(), retentionMs: opts.retentionMs, maxPerRound: 500 });
      let deleted = 0;
      for (const d of plan.delete) {
        const key = keys.task(d.cluster, d.id);
        try {
          await opts.ctx.store.commit(opts.ctx.store.txn().expect(key, d.modRevision).delete(key));
          deleted++;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
        }
      }
      if (deleted > 0) log.info("stopped tasks forgotten", { deleted, retentionMs: opts.retentionMs });
    },
    log,
  );
}

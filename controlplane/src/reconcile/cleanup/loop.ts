import { ConflictError, type Logger } from "@berth/shared";
import { finishDefinitionDeletion, forgetServiceHistory, pendingDefinitionDeletions, type CoreContext } from "../../core/index.js";
import { keys } from "../../store/index.js";
import { startLoop, type ReconcileLoop } from "../loop.js";
import { planHeldRepairs } from "./held.js";
import { planCleanup, type CleanupTarget } from "./plan.js";
import { planDefinitionDeletions } from "./taskdefs.js";

/** Options of the cleanup loop. */
export interface CleanupLoopOptions {
  ctx: CoreContext;
  /** How long STOPPED tasks and INACTIVE instances and services stay describable (ECS: about an hour). */
  retentionMs: number;
  intervalMs: number;
  log: Logger;
}

function keyOf(t: CleanupTarget): string {
  return t.kind === "task" ? keys.task(t.cluster, t.id) : t.kind === "instance" ? keys.instance(t.cluster, t.id) : keys.service(t.cluster, t.id);
}

/**
 * Forgets STOPPED tasks, INACTIVE instances and INACTIVE services past their retention (leader
 * only), deletes DELETE_IN_PROGRESS task definitions that no task or service uses, and audits each instance's held-task list against the task records, filling in old
 * records and repairing drift. Each write is guarded by the revision read, so a record that
 * changed meanwhile waits for the next round.
 */
export function startCleanupLoop(opts: CleanupLoopOptions): ReconcileLoop {
  const log = opts.log.child({ component: "cleanup" });
  return startLoop(
    "cleanup",
    opts.intervalMs,
    async (active) => {
      // Instances first: the held-tasks audit relies on the task list being the newer read.
      const instances = await opts.ctx.store.instances.list(keys.instances());
      const [tasks, services] = await Promise.all([opts.ctx.store.tasks.list(keys.tasks()), opts.ctx.store.services.list(keys.services())]);
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
          // A forgotten service's deployment history goes with it (a new service of that name starts afresh).
          if (d.kind === "service") await forgetServiceHistory(opts.ctx, d.cluster, d.id);
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
        }
      }
      if (plan.delete.length > 0) log.info("old records forgotten", { ...deleted, retentionMs: opts.retentionMs });

      const pending = await pendingDefinitionDeletions(opts.ctx);
      for (const d of planDefinitionDeletions(pending, tasks.items.map((t) => t.value), services.items.map((s) => s.value))) {
        if (!active()) break;
        await finishDefinitionDeletion(opts.ctx, d.family, d.revision);
      }

      for (const r of planHeldRepairs(instances.items, tasks.items.map((t) => t.value), 100)) {
        if (!active()) break;
        try {
          await opts.ctx.store.instances.update(r.next, r.modRevision);
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
          continue;
        }
        const fields = { instanceArn: r.next.arn, extra: r.extra, missing: r.missing };
        // A backfill is expected once per old record; drift means some writer broke the invariant.
        if (r.kind === "drift") log.warn("instance held-task list disagreed with its tasks; repaired", fields);
        else log.info("instance held-task list filled in", fields);
      }
    },
    log,
  );
}

import { ConflictError, lastIdOf, type TaskRecord } from "@berth/shared";
import type { TaskStateChange } from "@berth/proto";
import { keys, maxStagedOps, type Store, type Versioned } from "../store/index.js";
import type { CoreContext } from "./context.js";
import { applyChange, recordStateChange, stageTaskWrite } from "./task-state.js";

/** How long the first change of an idle batch waits for others, ms (swarmkit waits up to 100). */
export const stateChangeWindowMs = 5;
/** Changes one batch writes at most (swarmkit: 10,000); the rest go in the next. */
export const maxStateChangeBatch = 1_000;

interface Pending {
  ctx: CoreContext;
  cluster: string;
  instanceId: string;
  change: TaskStateChange;
  done(rec: TaskRecord | undefined): void;
  fail(err: unknown): void;
}

interface Lane {
  waiting: Pending[];
  running: boolean;
}

const lanes = new WeakMap<Store, Lane>();

/**
 * Records an agent's state change as {@link recordStateChange} does, batched with the changes of
 * every other session on this replica (swarmkit's dispatcher): changes that arrive within a few
 * ms of each other, or while the previous batch is being written, are applied to the tasks as
 * the watched cache holds them and written in as few transactions as etcd's op limit allows,
 * each task guarded by its mod revision. Resolves once the change is written, so the session
 * acks only after that. A change that stops a task (it returns the reservation to its
 * instance, another guarded record), a transaction that loses its race, and a replica without a
 * cache go the one-at-a-time way, which reads etcd.
 */
export function recordStateChangeBatched(ctx: CoreContext, cluster: string, instanceId: string, change: TaskStateChange): Promise<TaskRecord | undefined> {
  if (!ctx.cache) return recordStateChange(ctx, cluster, instanceId, change);
  return new Promise((done, fail) => {
    const lane = lanes.get(ctx.store) ?? { waiting: [], running: false };
    lanes.set(ctx.store, lane);
    lane.waiting.push({ ctx, cluster, instanceId, change, done, fail });
    if (lane.running) return;
    lane.running = true;
    setTimeout(() => void run(lane), stateChangeWindowMs);
  });
}

async function run(lane: Lane): Promise<void> {
  try {
    while (lane.waiting.length > 0) {
      const batch = lane.waiting.splice(0, maxStateChangeBatch);
      // Whatever goes wrong, every caller hears of it: a session waits for its answer to ack.
      await writeBatch(batch).catch((err: unknown) => batch.forEach((p) => p.fail(err)));
    }
  } finally {
    lane.running = false;
  }
}

/** One write of the tasks a batch changes; whatever cannot be batched goes one at a time. */
async function writeBatch(batch: Pending[]): Promise<void> {
  const alone = (p: Pending) => recordStateChange(p.ctx, p.cluster, p.instanceId, p.change).then(p.done, p.fail);
  const { ctx } = batch[0];
  const cache = await ctx.cache?.ready("tasks");
  if (!cache) {
    await Promise.all(batch.map(alone));
    return;
  }
  const staged: { p: Pending; cur: Versioned<TaskRecord>; next: TaskRecord }[] = [];
  const single: Pending[] = [];
  const seen = new Set<string>();
  for (const p of batch) {
    const key = keys.task(p.cluster, lastIdOf(p.change.taskArn));
    const cur = cache.get(key);
    // Absent here (not yet seen, or gone), or a second change of one task in this batch: alone.
    if (!cur || seen.has(key)) {
      single.push(p);
      continue;
    }
    seen.add(key);
    if (cur.value.containerInstanceId !== p.instanceId) {
      // Not this agent's task: recorded as nothing, as recordStateChange does.
      p.done(cur.value);
      continue;
    }
    const next = applyChange(cur.value, p.change, ctx.now());
    if (next.lastStatus === "STOPPED" && !next.released) single.push(p);
    else staged.push({ p, cur, next });
  }
  const writes: Promise<void>[] = [];
  for (let i = 0; i < staged.length; i += maxStagedOps) {
    const part = staged.slice(i, i + maxStagedOps);
    const txn = ctx.store.txn();
    const recs = part.map((s) => stageTaskWrite(ctx, txn, s.cur, s.next, undefined));
    writes.push(
      ctx.store.commit(txn).then(
        () => {
          for (const [n, s] of part.entries()) {
            if (recs[n].lastStatus !== s.cur.value.lastStatus) {
              ctx.log.info("task status", { taskArn: recs[n].arn, from: s.cur.value.lastStatus, to: recs[n].lastStatus, reason: recs[n].stoppedReason });
            }
            s.p.done(recs[n]);
          }
        },
        async (err: unknown) => {
          // A lost race: each change again on its own, from etcd's record.
          if (err instanceof ConflictError) await Promise.all(part.map((s) => alone(s.p)));
          else for (const s of part) s.p.fail(err);
        },
      ),
    );
  }
  writes.push(...single.map(alone));
  await Promise.all(writes);
}

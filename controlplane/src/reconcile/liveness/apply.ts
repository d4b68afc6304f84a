import { ConflictError, groupBy, type ContainerInstanceRecord, type Logger } from "@berth/shared";
import { markStopped, type CoreContext } from "../../core/index.js";
import { keys, type Versioned } from "../../store/index.js";
import { lostTaskStopCode, type LivenessPlan } from "./plan.js";

/** What applying a plan did, for the round's log line. */
export interface LivenessOutcome {
  disconnected: number;
  lost: number;
  /** Writes not made because the store changed since the read (the next round re-plans). */
  skipped: number;
}

/**
 * Writes a liveness plan. Marking disconnected is guarded by the instance's mod revision as read
 * and by its session key still being absent, so a session that opened meanwhile wins. Before an
 * instance's tasks are marked lost the instance is read again: if a session came back since the
 * plan, its tasks are left alone. Applying the same plan twice changes nothing more.
 */
export async function applyLivenessPlan(
  ctx: CoreContext,
  plan: LivenessPlan,
  read: Map<string, Versioned<ContainerInstanceRecord>>,
  log: Logger,
): Promise<LivenessOutcome> {
  const out: LivenessOutcome = { disconnected: 0, lost: 0, skipped: 0 };
  for (const d of plan.markDisconnected) {
    const cur = read.get(keys.instance(d.cluster, d.instanceId));
    if (!cur) continue;
    const i = cur.value;
    const next: ContainerInstanceRecord = { ...i, agentConnected: false, disconnectedAtMs: ctx.now(), version: i.version + 1 };
    const txn = ctx.store.txn().expectAbsent(keys.session(d.cluster, d.instanceId));
    ctx.store.instances.stageUpdate(txn, next, cur.modRevision);
    try {
      await ctx.store.commit(txn);
      out.disconnected++;
      log.info("container instance disconnected: its session is gone", {
        instanceArn: i.arn,
        cluster: i.cluster,
        from: i.agentConnected ? "connected" : "disconnected",
        to: "disconnected",
      });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      out.skipped++;
    }
  }

  const byInstance = groupBy(plan.markLost, (l) => keys.instance(l.cluster, l.instanceId));
  for (const lost of byInstance.values()) {
    const { cluster, instanceId } = lost[0];
    const [inst, session] = await Promise.all([ctx.store.instances.get(cluster, instanceId), ctx.store.kv.get(keys.session(cluster, instanceId))]);
    const planned = read.get(keys.instance(cluster, instanceId))?.value;
    // Act only if the instance is still as the plan saw it: still disconnected since the same
    // time, or (connected) with its runtime still unreachable since the same time.
    const runtimeCase = planned?.agentConnected === true;
    const unchanged = runtimeCase
      ? inst?.value.runtimeUnhealthySinceMs !== undefined && inst.value.runtimeUnhealthySinceMs === planned?.runtimeUnhealthySinceMs
      : inst !== undefined && !inst.value.agentConnected && !session && inst.value.disconnectedAtMs === planned?.disconnectedAtMs;
    if (!inst || !unchanged) {
      out.skipped += lost.length;
      continue;
    }
    log.warn("container instance lost: stopping its tasks", { instanceArn: inst.value.arn, cluster, tasks: lost.length, reason: lost[0].reason });
    for (const l of lost) {
      const rec = await markStopped(ctx, cluster, l.taskId, l.reason, lostTaskStopCode);
      if (rec) out.lost++;
    }
  }
  return out;
}

import { groupBy, type ContainerInstanceRecord, type TaskRecord } from "@berth/shared";
import { maxStagedOps, type Txn, type Versioned } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { chargeInstance } from "../task-records.js";
import { stageBlocks, type BlockWrite } from "../task-networks.js";
import type { RunFailure } from "./types.js";

/**
 * Writes staged ahead of a batch's placements in the same transactions (a service round's
 * record and stops): `ops` operations, whole in one transaction; `landed` once it committed.
 */
export interface LeadWrite {
  ops: number;
  stage(txn: Txn): void;
  landed(): void;
}

/**
 * Writes placed tasks with their instances' new remaining resources. A transaction holds whole
 * groups (an instance's guard and update with tasks placed on it) and stays under etcd's op
 * limit; a batch too large for one is split, and an instance with more tasks than fit in one
 * transaction is written in parts, each guarded by the revision the previous part committed at.
 * `committed` hears of every part that landed, so a conflict later in the batch loses nothing.
 * `lead` writes go first, in order, so a part holding tasks never lands before them.
 */
export async function writePlacements(
  ctx: CoreContext,
  created: TaskRecord[],
  instances: Map<string, Versioned<ContainerInstanceRecord>>,
  blocks: Map<string, BlockWrite[]>,
  committed: (tasks: TaskRecord[]) => void,
  lead: LeadWrite[] = [],
): Promise<void> {
  const perTxn = maxStagedOps - 1;
  const byInstance = groupBy(created, (t) => t.containerInstanceId);
  let txn = ctx.store.txn();
  let pending: TaskRecord[] = [];
  let leading: LeadWrite[] = [];
  const flush = async () => {
    if (pending.length === 0 && leading.length === 0) return "0";
    const revision = await ctx.store.commit(txn);
    for (const l of leading) l.landed();
    committed(pending);
    txn = ctx.store.txn();
    pending = [];
    leading = [];
    return revision;
  };
  for (const l of lead) {
    if (txn.size + l.ops > maxStagedOps) await flush();
    l.stage(txn);
    leading.push(l);
  }
  for (const [id, tasks] of byInstance) {
    let cur = instances.get(id)!;
    for (let i = 0; i < tasks.length; i += perTxn) {
      const part = tasks.slice(i, i + perTxn);
      const blockWrites = i === 0 ? (blocks.get(id) ?? []) : [];
      if (txn.size + part.length + 1 + blockWrites.length > maxStagedOps) await flush();
      const newBlocks = stageBlocks(ctx, txn, blockWrites);
      const next: ContainerInstanceRecord = {
        ...chargeInstance(cur.value, part),
        version: cur.value.version + 1,
        ...(newBlocks.length > 0 ? { ipBlocks: [...(cur.value.ipBlocks ?? []).filter((b) => !newBlocks.some((n) => n.cidr === b.cidr && n.subnetId === b.subnetId)), ...newBlocks] } : {}),
      };
      ctx.store.instances.stageUpdate(txn, next, cur.modRevision);
      for (const t of part) ctx.store.tasks.stageCreate(txn, t);
      pending.push(...part);
      // More of this instance's tasks follow: commit now to learn the revision they must expect.
      if (i + perTxn < tasks.length) cur = { value: next, modRevision: await flush() };
    }
  }
  await flush();
}

/** ECS failures without repeats: one per instance and reason. */
export function dedupeFailures(reasons: { instanceArn?: string; reason: string; detail?: string }[]): RunFailure[] {
  const seen = new Set<string>();
  const out: RunFailure[] = [];
  for (const r of reasons) {
    const k = `${r.instanceArn ?? ""}|${r.reason}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const f: RunFailure = r.instanceArn ? { arn: r.instanceArn, reason: r.reason } : { reason: r.reason };
    out.push(r.detail ? { ...f, detail: r.detail } : f);
  }
  return out;
}

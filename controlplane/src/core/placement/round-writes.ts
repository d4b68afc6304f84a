import { ConflictError, type ContainerInstanceRecord, type ServiceRecord, type StopCode, type TaskRecord } from "@berth/shared";
import { FencedOutError, keys, type Versioned } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { listTargetGroups } from "../elbv2/target-groups.js";
import { deregisterTaskTargets } from "../elbv2/targets.js";
import { prepareServiceWrite } from "../service-history.js";
import { stoppingTask } from "../task-state.js";
import type { BlockWrite } from "../task-networks.js";
import { writePlacements, type LeadWrite } from "./writes.js";

/** A service round's stop: the task as the round read it, and why. */
export interface RoundStop {
  task: Versioned<TaskRecord>;
  reason: string;
  code: StopCode;
  /** A scale-in or deployment stop: not written when the task's scale-in protection holds. */
  spareProtected: boolean;
}

/** One service's part of a write set. */
export interface ServiceRoundWrite {
  /** The record as the round read it: its revision guards the write. */
  service: Versioned<ServiceRecord>;
  /** The record to write, or undefined to guard it only. */
  record: ServiceRecord | undefined;
  stops: RoundStop[];
  /** New task records, placed on instances of the write set's `instances`, or PROVISIONING on none (containerInstanceId ""). */
  created: TaskRecord[];
}

/** How a write set ended: written whole, or a compare lost after `landed` records' writes committed. */
export type RoundWriteOutcome = { kind: "applied" } | { kind: "conflict"; landed: number };

/**
 * Writes the rounds of one or more services of a cluster as one guarded write set: each
 * service's record (guarded by the revision its round read; only a guard when unchanged) and
 * stops (each guarded by its task's revision, so a protection or status set since the read is
 * a lost compare), then every new task with its instance's reservation (guarded by the
 * instances' revisions, `instances` as the placements read them), in transactions of at most
 * etcd's op limit (writePlacements). Records and stops go first, so tasks are only written for
 * deployments that are stored. A lost compare ends the write with what landed before it: the
 * caller re-reads and re-plans. Targets of stops behind the drain gate are deregistered once
 * their stop landed.
 */
export async function writeServiceRounds(
  ctx: CoreContext,
  instances: Versioned<ContainerInstanceRecord>[],
  rounds: ServiceRoundWrite[],
  blocks: Map<string, BlockWrite[]> = new Map(),
): Promise<RoundWriteOutcome> {
  const lead: LeadWrite[] = [];
  let landed = 0;
  // Records' histories are logged and trimmed after the write set, not between its transactions.
  const committed: (() => Promise<void>)[] = [];
  const gated: TaskRecord[] = [];
  try {
    const groups = rounds.some((r) => r.stops.length > 0) ? await listTargetGroups(ctx) : [];
    for (const { service, record, stops } of rounds) {
      if (record) {
        const write = await prepareServiceWrite(ctx, record, service.modRevision);
        lead.push({
          ops: write.ops,
          stage: (txn) => write.stage(txn),
          landed: () => {
            landed++;
            committed.push(() => write.committed());
          },
        });
      } else {
        const key = keys.service(service.value.cluster, service.value.name);
        lead.push({ ops: 1, stage: (txn) => void txn.expect(key, service.modRevision), landed: () => undefined });
      }
      for (const s of stops) {
        const next = stoppingTask(s.task.value, s.reason, s.code, groups, ctx.now(), { spareProtected: s.spareProtected });
        if (!next) continue;
        lead.push({
          ops: 1,
          stage: (txn) => void ctx.store.tasks.stageUpdate(txn, next, s.task.modRevision),
          landed: () => {
            landed++;
            if (next.drain) gated.push(next);
          },
        });
      }
    }
    // PROVISIONING tasks (a managed-scaling provider's share that fits nowhere) are on no
    // instance: plain creates after the records and stops, nothing reserved anywhere.
    const all = rounds.flatMap((r) => r.created);
    const waiting = all.filter((t) => t.containerInstanceId === "");
    const created = waiting.length === 0 ? all : all.filter((t) => t.containerInstanceId !== "");
    for (const t of waiting) lead.push({ ops: 1, stage: (txn) => void ctx.store.tasks.stageCreate(txn, t), landed: () => landed++ });
    try {
      await writePlacements(ctx, created, new Map(instances.map((i) => [i.value.id, i])), blocks, (done) => (landed += done.length), lead);
    } finally {
      // Their targets start draining now; should this fail, the load balancer loop's next pass does it.
      for (const t of gated) {
        await deregisterTaskTargets(ctx, t).catch((err) => {
          if (err instanceof FencedOutError) throw err;
          ctx.log.warn("task targets not deregistered; the load balancer loop will", { taskArn: t.arn, err });
        });
      }
      for (const c of committed) await c();
    }
    for (const t of created) ctx.log.info("task placed", { taskArn: t.arn, instanceArn: t.containerInstanceArn, cluster: t.cluster });
    for (const t of waiting) ctx.log.info("task provisioning", { taskArn: t.arn, cluster: t.cluster, capacityProvider: t.capacityProviderName });
  } catch (err) {
    if (err instanceof ConflictError) return { kind: "conflict", landed };
    throw err;
  }
  return { kind: "applied" };
}

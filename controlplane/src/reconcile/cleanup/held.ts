import { groupBy, type ContainerInstanceRecord, type TaskRecord } from "@berth/shared";
import { heldTaskOf, holdsResources } from "../../core/index.js";

type Read<T> = { value: T; modRevision: string };

/** An instance record whose `heldTasks` must be rewritten, guarded by the revision read. */
export interface HeldRepair {
  /** `backfill`: a record from before the field; `drift`: the list disagreed with the tasks. */
  kind: "backfill" | "drift";
  next: ContainerInstanceRecord;
  modRevision: string;
  /** Task ids the record named but no holding task has, and holding tasks it did not name. */
  extra: string[];
  missing: string[];
}

/**
 * Compares each instance's `heldTasks` with the task records holding resources on it and
 * returns the records to rewrite. The caller must read `instances` before `tasks`: any
 * placement or release after the instance read bumps its revision, so a repair based on a task
 * list newer than the instance read is refused by the guard rather than undoing that change.
 */
export function planHeldRepairs(instances: Read<ContainerInstanceRecord>[], tasks: TaskRecord[], max: number): HeldRepair[] {
  const holding = groupBy(tasks.filter(holdsResources), (t) => t.containerInstanceId);
  const out: HeldRepair[] = [];
  for (const { value: i, modRevision } of instances) {
    if (out.length >= max) break;
    const want = (holding.get(i.id) ?? []).map(heldTaskOf);
    const wantIds = new Set(want.map((h) => h.id));
    const haveIds = new Set((i.heldTasks ?? []).map((h) => h.id));
    const extra = [...haveIds].filter((id) => !wantIds.has(id));
    const missing = [...wantIds].filter((id) => !haveIds.has(id));
    if (i.heldTasks && extra.length === 0 && missing.length === 0) continue;
    out.push({
      kind: i.heldTasks ? "drift" : "backfill",
      next: { ...i, heldTasks: want, version: i.version + 1 },
      modRevision,
      extra,
      missing,
    });
  }
  return out;
}

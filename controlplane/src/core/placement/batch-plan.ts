import { subtract, type ContainerInstanceRecord, type TaskRecord } from "@berth/shared";
import { placeTasks, type InstanceSnapshot, type PlacementRequest, type PlacementResult } from "../../scheduler/index.js";
import { snapshotInstances } from "./snapshot.js";

/** One request of a batch: which instances it may use, and what placeTasks gets besides them. */
export interface BatchItem {
  /** Whether the request may place on this instance (its capacity pool, StartTask's list). */
  eligible: (i: ContainerInstanceRecord) => boolean;
  placement: Omit<PlacementRequest, "instances">;
}

/** What one request of a batch got: no eligible instance at all, a refused request, or the scheduler's answer. */
export type BatchItemPlan = { kind: "noInstances" } | { kind: "invalid"; error: unknown } | ({ kind: "placed" } & PlacementResult);

/**
 * Places a batch of requests against one snapshot, in order, as if each had been placed alone
 * right after the previous one was written (Nomad's plan queue, which serializes plans against
 * one state): each request sees the resources and tasks the earlier ones took. Pure; the caller
 * reads the snapshot and writes the result.
 */
export function planBatch(instances: ContainerInstanceRecord[], items: BatchItem[], tasks?: TaskRecord[]): BatchItemPlan[] {
  const snaps = new Map<string, InstanceSnapshot>();
  for (const s of snapshotInstances(instances, tasks)) snaps.set(s.id, s);
  return items.map((item) => {
    const live = instances.filter(item.eligible).map((i) => snaps.get(i.id)!);
    if (live.length === 0) return { kind: "noInstances" } as const;
    let res: PlacementResult;
    try {
      res = placeTasks({ ...item.placement, instances: live });
    } catch (error) {
      // A strategy or constraint ECS would refuse: that request's error, not the batch's.
      return { kind: "invalid", error };
    }
    const byKey = new Map(item.placement.tasks.map((t) => [t.key, t]));
    // Charge what was placed to the shared snapshot, so the next request sees it taken.
    for (const p of res.placements) {
      const t = byKey.get(p.taskKey)!;
      const s = snaps.get(p.instanceId)!;
      snaps.set(p.instanceId, {
        ...s,
        remaining: res.remaining.get(p.instanceId) ?? subtract(s.remaining, t.reservation),
        tasks: [...s.tasks, { family: t.family, group: t.group, taskDefinitionArn: t.taskDefinitionArn }],
      });
    }
    return { kind: "placed", ...res };
  });
}

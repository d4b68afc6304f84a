import type { ContainerInstanceRecord, ServiceRecord, TaskRecord } from "@berth/shared";

type Read<T> = { value: T; modRevision: string };

/** What the cleanup round reads. */
export interface CleanupSnapshot {
  tasks: Read<TaskRecord>[];
  instances: Read<ContainerInstanceRecord>[];
  services: Read<ServiceRecord>[];
  now: number;
  /** How long STOPPED tasks, and INACTIVE instances and services, stay describable. */
  retentionMs: number;
  /** Most deletions in one round, so a backlog is worked off without one huge burst. */
  maxPerRound: number;
}

/** A record to forget, with the revision it was read at (one that changed since is kept). */
export interface CleanupTarget {
  kind: "task" | "instance" | "service";
  cluster: string;
  /** Task or instance id, or service name. */
  id: string;
  modRevision: string;
}

export interface CleanupPlan {
  delete: CleanupTarget[];
}

/**
 * Records past their retention, oldest first: STOPPED tasks (judged by their stop time),
 * INACTIVE instances that no unstopped task still names (by their deregistration time), and
 * INACTIVE services (by their deletion time). A record without its time is judged by its
 * creation time, so nothing can linger forever.
 */
export function planCleanup(s: CleanupSnapshot): CleanupPlan {
  const cutoff = s.now - s.retentionMs;
  const held = new Set(s.tasks.filter((t) => t.value.lastStatus !== "STOPPED").map((t) => t.value.containerInstanceId));
  const candidates: { at: number; target: CleanupTarget }[] = [];
  for (const { value: t, modRevision } of s.tasks) {
    if (t.lastStatus === "STOPPED") candidates.push({ at: t.stoppedAtMs ?? t.createdAtMs, target: { kind: "task", cluster: t.cluster, id: t.id, modRevision } });
  }
  for (const { value: i, modRevision } of s.instances) {
    if (i.status === "INACTIVE" && !held.has(i.id)) {
      candidates.push({ at: i.deregisteredAtMs ?? i.registeredAtMs, target: { kind: "instance", cluster: i.cluster, id: i.id, modRevision } });
    }
  }
  for (const { value: v, modRevision } of s.services) {
    if (v.status === "INACTIVE") candidates.push({ at: v.deletedAtMs ?? v.createdAtMs, target: { kind: "service", cluster: v.cluster, id: v.name, modRevision } });
  }
  return {
    delete: candidates
      .filter((c) => c.at < cutoff)
      .sort((a, b) => a.at - b.at)
      .slice(0, s.maxPerRound)
      .map((c) => c.target),
  };
}

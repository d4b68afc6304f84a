import type { TaskRecord } from "@berth/shared";

/** What the cleanup round reads. */
export interface CleanupSnapshot {
  tasks: { value: TaskRecord; modRevision: string }[];
  now: number;
  /** How long a STOPPED task stays describable. */
  retentionMs: number;
  /** Most deletions in one round, so a backlog is worked off without one huge burst. */
  maxPerRound: number;
}

/** Tasks to forget, each with the revision it was read at (a task that changed since is kept). */
export interface CleanupPlan {
  delete: { cluster: string; id: string; modRevision: string }[];
}

/**
 * STOPPED tasks whose stop is older than the retention, oldest first. A stopped task without a
 * stop time (never expected) is judged by its creation time so it cannot linger forever.
 */
export function planTaskCleanup(s: CleanupSnapshot): CleanupPlan {
  const cutoff = s.now - s.retentionMs;
  const expired = s.tasks
    .filter((t) => t.value.lastStatus === "STOPPED" && (t.value.stoppedAtMs ?? t.value.createdAtMs) < cutoff)
    .sort((a, b) => (a.value.stoppedAtMs ?? a.value.createdAtMs) - (b.value.stoppedAtMs ?? b.value.createdAtMs))
    .slice(0, s.maxPerRound);
  return { delete: expired.map((t) => ({ cluster: t.value.cluster, id: t.value.id, modRevision: t.modRevision })) };
}

/**
 * What the log store's periodic sweep removes, without I/O: segments whose newest event is past
 * their group's retention, then (while the store is over its byte cap) the segments with the
 * oldest newest-event, so the freshest logs are the last to go. Whole segments only: deleting a
 * file is cheap and crash-safe, and reads filter expired events out of the segments that remain.
 */

/** One segment as the sweep sees it. */
export interface SweepSegment {
  group: string;
  stream: string;
  file: string;
  /** Newest event time in the segment (ms). */
  lastMs: number;
  bytes: number;
}

/** One segment to delete and why (a label of the dropped-bytes counter). */
export interface SweepDrop {
  segment: SweepSegment;
  reason: "retention" | "cap";
}

/** The sweep's inputs: retention days per group (absent = never expire), now, the cap. */
export interface SweepInput {
  segments: readonly SweepSegment[];
  retentionDays: ReadonlyMap<string, number | undefined>;
  nowMs: number;
  maxBytes: number;
}

const dayMs = 86_400_000;

/** The earliest event time a group keeps at `nowMs`, or undefined when it keeps everything. */
export function retentionCutoffMs(retentionInDays: number | undefined, nowMs: number): number | undefined {
  return retentionInDays === undefined ? undefined : nowMs - retentionInDays * dayMs;
}

/** The segments to delete, retention first, then oldest first until under the cap. */
export function planSweep(input: SweepInput): SweepDrop[] {
  const drops: SweepDrop[] = [];
  const kept: SweepSegment[] = [];
  for (const s of input.segments) {
    const cutoff = retentionCutoffMs(input.retentionDays.get(s.group), input.nowMs);
    if (cutoff !== undefined && s.lastMs < cutoff) drops.push({ segment: s, reason: "retention" });
    else kept.push(s);
  }
  let total = kept.reduce((n, s) => n + s.bytes, 0);
  // Oldest newest-event first; ties by name so the plan is the same on every run.
  const byAge = [...kept].sort((a, b) => a.lastMs - b.lastMs || a.group.localeCompare(b.group) || a.stream.localeCompare(b.stream) || a.file.localeCompare(b.file));
  for (const s of byAge) {
    if (total <= input.maxBytes) break;
    drops.push({ segment: s, reason: "cap" });
    total -= s.bytes;
  }
  return drops;
}

import { createHash } from "node:crypto";
import type { ScheduleExpression } from "./schedule-expression.js";

/**
 * The pure decision of the schedule loop: given a schedule's expression, what it has handled,
 * its start/end dates, flexible window and state, and `now`, which scheduled times fire now,
 * which are passed over, and when it runs next. No clock, no etcd.
 */

/** One schedule or rule, as the decision sees it. */
export interface DueInput {
  expression: ScheduleExpression;
  /** Every scheduled time up to this one is handled (FiringState.handledThroughMs). */
  handledThroughMs: number;
  /** rate(): where its periods count from. */
  anchorMs: number;
  enabled: boolean;
  startDateMs?: number;
  endDateMs?: number;
  /** FlexibleTimeWindow in ms (0 when OFF): a time fires at an offset within it, see flexOffsetMs. */
  flexibleWindowMs: number;
  /** A time older than this when it becomes due is passed over (RetryPolicy.MaximumEventAgeInSeconds). */
  maxAgeMs: number;
  /** Stable per schedule (its ARN): spreads the flexible offsets. */
  seed: string;
  nowMs: number;
}

/** What to do now. */
export interface DuePlan {
  /** Scheduled times to fire now, oldest first (at most `maxFires`). */
  fire: number[];
  /** Due times passed over as older than maxAgeMs (a long leader outage): 0, or at least 1 when some were. */
  skipped: number;
  /** The new handledThroughMs once `fire` ran (unchanged when nothing was due). */
  handledThroughMs: number;
  /** The next scheduled time not yet due, and when it will fire (with its flexible offset). */
  next?: { scheduledMs: number; fireAtMs: number };
  /** No time is left to fire: an at() that ran, an end date passed, years run out. */
  completed: boolean;
}

/** How many scheduled times one round fires at most; the rest wait for the next round. */
export const maxFiresPerRound = 10;

/**
 * Where in its flexible window a scheduled time fires: a stable pseudo-random offset in
 * [0, window), from the schedule's seed and the time, so every leader picks the same one.
 */
export function flexOffsetMs(seed: string, scheduledMs: number, windowMs: number): number {
  if (windowMs <= 0) return 0;
  const h = createHash("sha256").update(`${seed}@${scheduledMs}`).digest();
  return h.readUInt32BE(0) % windowMs;
}

/** The plan for one schedule now (see the file comment). Pure. */
export function planDue(input: DueInput, maxFires = maxFiresPerRound): DuePlan {
  const { expression: expr, nowMs } = input;
  const ended = (t: number | undefined) => t === undefined || (input.endDateMs !== undefined && t > input.endDateMs);
  const upcoming = (after: number): DuePlan["next"] => {
    const t = expr.next(after, input.anchorMs);
    return ended(t) ? undefined : { scheduledMs: t!, fireAtMs: t! + flexOffsetMs(input.seed, t!, input.flexibleWindowMs) };
  };
  // Times before the start date never fire; counting starts just before it.
  let cursor = Math.max(input.handledThroughMs, (input.startDateMs ?? -Infinity) - 1);
  if (!input.enabled) {
    // A disabled schedule's times pass by unfired and stay handled when it is enabled again.
    const handled = Math.max(cursor, nowMs);
    const next = upcoming(handled);
    return { fire: [], skipped: 0, handledThroughMs: Math.max(input.handledThroughMs, nowMs), next, completed: next === undefined };
  }
  let skipped = 0;
  let handled = input.handledThroughMs;
  // Anything at or before `oldest` is too old even with its flexible offset: jump past it.
  const oldest = nowMs - input.maxAgeMs - input.flexibleWindowMs;
  if (cursor < oldest) {
    const t = expr.next(cursor, input.anchorMs);
    if (t !== undefined && t <= oldest && !ended(t)) skipped++;
    cursor = oldest;
    // Only a time passed over moves the mark: a weekly schedule between its times has nothing
    // to record, and a moved mark would be a write every round.
    if (skipped > 0) handled = Math.max(handled, oldest);
  }
  const fire: number[] = [];
  for (;;) {
    const next = upcoming(cursor);
    if (next === undefined) return { fire, skipped, handledThroughMs: handled, completed: true };
    if (next.fireAtMs > nowMs || fire.length >= maxFires) return { fire, skipped, handledThroughMs: handled, next, completed: false };
    if (nowMs - next.fireAtMs > input.maxAgeMs) skipped++;
    else fire.push(next.scheduledMs);
    handled = next.scheduledMs;
    cursor = next.scheduledMs;
  }
}

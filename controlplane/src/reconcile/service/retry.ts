/**
 * The service round's one retry policy (nomad's generic scheduler: re-plan on a lost race,
 * bounded, the count reset when the attempt made progress). Pure.
 */

/** How a round's write ended: written whole, or a compare lost after `landed` tasks' writes committed. */
export type RoundOutcome = { kind: "applied" } | { kind: "conflict"; landed: number };

/** Lost compares in a row without progress a round re-plans after, before leaving it to the next round. */
export const maxRoundAttempts = 4;

/** Lost compares a round survives in all, even while every attempt lands something. */
export const maxRoundConflicts = 12;

/** Where a round stands: attempts since the last progress, lost compares in all. */
export interface RoundAttempts {
  attempt: number;
  conflicts: number;
}

/** What a round does after a write: stop (written), re-read and re-plan, or give up until the next round. */
export type RoundStep = { kind: "done" } | { kind: "replan"; next: RoundAttempts } | { kind: "giveUp"; conflicts: number };

/** The next step of a round whose write at `state` ended as `outcome`. */
export function nextRoundStep(state: RoundAttempts, outcome: RoundOutcome): RoundStep {
  if (outcome.kind === "applied") return { kind: "done" };
  const conflicts = state.conflicts + 1;
  // Parts that landed are progress: the re-plan starts from them, with the count reset.
  const attempt = outcome.landed > 0 ? 0 : state.attempt + 1;
  if (conflicts >= maxRoundConflicts || attempt >= maxRoundAttempts) return { kind: "giveUp", conflicts };
  return { kind: "replan", next: { attempt, conflicts } };
}

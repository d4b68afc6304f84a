/**
 * Capped exponential backoff with full jitter: attempt n waits a random time in
 * [0, min(cap, base * 2^n)], so agents cut off together do not come back in step.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}

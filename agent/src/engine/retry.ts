import { RuntimeError } from "../runtime/index.js";

/** How often, and how soon, a failed runtime call is tried again. */
export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxMs: number;
}

/**
 * The wait before trying again after the `failures`-th failure (1-based) with `error`: doubling
 * from `baseMs`, capped at `maxMs`; undefined when the error is final (not a retryable runtime
 * error) or the attempts are spent.
 */
export function retryDelayMs(policy: RetryPolicy, failures: number, error: unknown): number | undefined {
  if (!(error instanceof RuntimeError && error.retryable) || failures >= policy.attempts) return undefined;
  return Math.min(policy.baseMs * 2 ** (failures - 1), policy.maxMs);
}

/** The reason a user reads: a runtime error's own (`CannotPullContainerError: ...`), else `prefix: message`. */
export function failureReason(error: unknown, prefix: string): string {
  if (error instanceof RuntimeError) return error.reason;
  return `${prefix}: ${error instanceof Error ? error.message : String(error)}`;
}

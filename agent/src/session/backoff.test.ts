import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";

describe("backoffDelay", () => {
  it.each([
    // first retry: up to the base
    [0, 1, 500],
    // grows by doubling
    [3, 1, 4000],
    // never past the cap
    [20, 1, 30_000],
    // a zero draw retries at once
    [5, 0, 0],
  ])("attempt %i with draw %f waits %i ms", (attempt, draw, want) => {
    expect(backoffDelay(attempt, 500, 30_000, () => draw)).toBe(want);
  });
});

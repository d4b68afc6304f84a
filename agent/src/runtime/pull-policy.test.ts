import { describe, expect, it } from "vitest";
import { mayUseCacheAfterFailedPull, shouldPull, type PullPolicy } from "./pull-policy.js";

describe("pull policy", () => {
  it.each<[PullPolicy, boolean, boolean, boolean]>([
    // default: always pull; a failed pull falls back to the cached image.
    ["default", true, true, true],
    // default with nothing cached: pull, and a failure fails.
    ["default", false, true, false],
    // always: pull, never fall back.
    ["always", true, true, false],
    // once: only when absent.
    ["once", true, false, false],
    ["once", false, true, false],
    // prefer-cached: only when absent.
    ["prefer-cached", true, false, false],
    ["prefer-cached", false, true, false],
  ])("%s with cached=%s: pull=%s, fallback=%s", (policy, cached, pull, fallback) => {
    expect(shouldPull(policy, cached)).toBe(pull);
    expect(mayUseCacheAfterFailedPull(policy, cached)).toBe(fallback);
  });
});

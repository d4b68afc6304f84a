import { describe, expect, it } from "vitest";
import { CannotPullContainerError, CannotStartContainerError } from "../runtime/index.js";
import { failureReason, retryDelayMs } from "./retry.js";

const policy = { attempts: 4, baseMs: 100, maxMs: 300 };
const retryable = new CannotPullContainerError("daemon unreachable", { retryable: true });
const final = new CannotStartContainerError("bad command", { retryable: false });

describe("retryDelayMs", () => {
  it.each<[string, number, unknown, number | undefined]>([
    // first failure: the base delay
    ["first", 1, retryable, 100],
    // doubling
    ["second", 2, retryable, 200],
    // capped at maxMs
    ["capped", 3, retryable, 300],
    // the attempts are spent
    ["spent", 4, retryable, undefined],
    // a final runtime error is never retried
    ["final", 1, final, undefined],
    // nor is anything that is not a runtime error
    ["plain error", 1, new Error("boom"), undefined],
  ])("%s", (_name, failures, error, want) => {
    expect(retryDelayMs(policy, failures, error)).toBe(want);
  });
});

describe("failureReason", () => {
  it.each<[string, unknown, string]>([
    // a runtime error names itself, as ECS reasons do
    ["runtime error", final, "CannotStartContainerError: bad command"],
    // anything else gets the caller's prefix
    ["plain error", new Error("boom"), "create failed: boom"],
    // a thrown non-error is stringified
    ["string", "boom", "create failed: boom"],
  ])("%s", (_name, error, want) => {
    expect(failureReason(error, "create failed")).toBe(want);
  });
});

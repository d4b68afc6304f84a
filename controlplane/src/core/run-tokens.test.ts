import { describe, expect, it } from "vitest";
import type { RunTokenRecord } from "../store/index.js";
import { clientTokenClaimTimeoutMs, decideToken, requestFingerprint, type TokenDecision } from "./run-tokens.js";

const rec = (over: Partial<RunTokenRecord> = {}): RunTokenRecord => ({
  cluster: "c",
  tokenHash: "h",
  requestHash: "same",
  createdAtMs: 1000,
  done: true,
  taskArns: ["arn:t1"],
  failures: [],
  ...over,
});

describe("decideToken", () => {
  it.each<[string, RunTokenRecord | undefined, string, number, TokenDecision]>([
    // a token never seen: start the tasks
    ["new token", undefined, "same", 2000, "run"],
    // the same request again after it finished: the same answer
    ["repeat", rec(), "same", 2000, "replay"],
    // the token with another request: ECS's ConflictException
    ["other request", rec(), "other", 2000, "conflict"],
    // another request conflicts even while the first is still placing
    ["other request, first still placing", rec({ done: false }), "other", 2000, "conflict"],
    // the same request while the first call is placing: wait for its answer
    ["in flight", rec({ done: false }), "same", 1000 + clientTokenClaimTimeoutMs, "wait"],
    // the first call went quiet past the claim timeout: take its claim over
    ["abandoned", rec({ done: false }), "same", 1001 + clientTokenClaimTimeoutMs, "takeover"],
  ])("%s", (_name, record, requestHash, now, want) => {
    expect(decideToken(record, requestHash, now)).toBe(want);
  });
});

describe("requestFingerprint", () => {
  const base = { cluster: "c", taskDefinition: "web", count: 2, tags: [{ key: "a", value: "1" }], clientToken: "t1" };
  it.each<[string, Record<string, unknown>, boolean]>([
    // the same request with another token is the same request
    ["other token", { ...base, clientToken: "t2" }, true],
    // member order does not matter, nested either
    ["reordered", { tags: [{ value: "1", key: "a" }], count: 2, clientToken: "t1", taskDefinition: "web", cluster: "c" }, true],
    // a different count is a different request
    ["count", { ...base, count: 3 }, false],
    // different tags too
    ["tags", { ...base, tags: [{ key: "a", value: "2" }] }, false],
    // a member added
    ["startedBy", { ...base, startedBy: "job" }, false],
  ])("%s", (_name, other, same) => {
    expect(requestFingerprint(other) === requestFingerprint(base)).toBe(same);
  });
});

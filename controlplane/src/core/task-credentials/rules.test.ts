import { describe, expect, it } from "vitest";
import { credentialsDue, judgeCredential, temporaryAccessKeyId, type CredentialClaims, type CredentialVerdict, type TaskLiveness } from "./rules.js";

const claims: CredentialClaims = {
  v: 1,
  taskArn: "arn:aws:ecs:us-east-1:000000000000:task/c/abc",
  cluster: "c",
  taskId: "abc",
  roleArn: "arn:aws:iam::000000000000:role/app",
  accessKeyId: "ASIAAAAAAAAAAAAAAAAA",
  secretAccessKey: "s3cret",
  issuedAtMs: 1000,
  expirationMs: 10_000,
};
const running: TaskLiveness = { lastStatus: "RUNNING" };

describe("judgeCredential", () => {
  it.each<[string, unknown, string, number, TaskLiveness | undefined, CredentialVerdict]>([
    // A running task's credential, signed with its own key, before it expires.
    ["holds", claims, claims.accessKeyId, 5000, running, { ok: true }],
    // A task still stopping keeps its credentials: its containers may use them on the way out.
    ["task stopping", claims, claims.accessKeyId, 5000, { lastStatus: "DEPROVISIONING" }, { ok: true }],
    // A token sealed for another key (moved between requests) does not hold.
    ["other key", claims, "ASIABBBBBBBBBBBBBBBB", 5000, running, { ok: false, why: "other-key" }],
    // At its expiration it no longer holds.
    ["expired at the instant", claims, claims.accessKeyId, 10_000, running, { ok: false, why: "expired" }],
    // After it too.
    ["expired", claims, claims.accessKeyId, 20_000, running, { ok: false, why: "expired" }],
    // The task was forgotten.
    ["task gone", claims, claims.accessKeyId, 5000, undefined, { ok: false, why: "task-gone" }],
    // The task stopped: revoked before the expiration.
    ["task stopped", claims, claims.accessKeyId, 5000, { lastStatus: "STOPPED" }, { ok: false, why: "task-stopped" }],
    // Not claims at all.
    ["not an object", "x", claims.accessKeyId, 5000, running, { ok: false, why: "malformed" }],
    // Another format version.
    ["other version", { ...claims, v: 2 }, claims.accessKeyId, 5000, running, { ok: false, why: "malformed" }],
    // A field missing.
    ["no secret", { ...claims, secretAccessKey: "" }, claims.accessKeyId, 5000, running, { ok: false, why: "malformed" }],
    // An expiration that is not a number.
    ["expiration as text", { ...claims, expirationMs: "10000" }, claims.accessKeyId, 5000, running, { ok: false, why: "malformed" }],
  ])("%s", (_name, c, akid, now, task, want) => {
    expect(judgeCredential(c, akid, now, task)).toEqual(want);
  });
});

describe("credentialsDue", () => {
  const h = 3600_000;
  it.each<[string, number, number, boolean]>([
    // Just issued: six hours left.
    ["fresh", 6 * h, 0, false],
    // Exactly half left: not yet.
    ["half left", 3 * h, 0, false],
    // Less than half left: re-issue.
    ["under half", 3 * h - 1, 0, true],
    // Already expired (the control plane was away): re-issue.
    ["expired", 0, 1, true],
  ])("%s", (_name, expiration, now, want) => {
    expect(credentialsDue(expiration, now)).toBe(want);
  });

  it("credentialsDue: a shorter validity halves its own window", () => {
    expect(credentialsDue(1000, 0, 4000)).toBe(true);
    expect(credentialsDue(3000, 0, 4000)).toBe(false);
  });
});

describe("temporaryAccessKeyId", () => {
  it.each<[string, number[], string]>([
    // All zero bits.
    ["zeros", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "ASIAAAAAAAAAAAAAAAAA"],
    // All one bits.
    ["ones", [255, 255, 255, 255, 255, 255, 255, 255, 255, 255], "ASIA7777777777777777"],
    // Extra bytes are ignored.
    ["longer input", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255], "ASIAAAAAAAAAAAAAAAAA"],
  ])("%s", (_name, bytes, want) => {
    const id = temporaryAccessKeyId(Uint8Array.from(bytes));
    expect(id).toBe(want);
    expect(id).toHaveLength(20);
  });

  it("temporaryAccessKeyId: fewer than 10 bytes is a programming error", () => {
    expect(() => temporaryAccessKeyId(new Uint8Array(9))).toThrow(/10 random bytes/);
  });
});

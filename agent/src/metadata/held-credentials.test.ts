import { describe, expect, it } from "vitest";
import type { TaskRoleCredentials } from "@berth/proto";
import { HeldCredentials } from "./held-credentials.js";

const cred = (taskArn: string, expirationMs: number): TaskRoleCredentials =>
  ({ taskArn, roleArn: "arn:aws:iam::1:role/r", accessKeyId: `ASIA${taskArn}`, secretAccessKey: "s", sessionToken: "t", expirationMs });

describe("HeldCredentials.retain", () => {
  it.each([
    // Two new tasks of one payload: both keep their credentials before the engine knows either.
    { name: "unknown yet, not expired", steps: [[] as string[]], now: 0, exp: 100, kept: true },
    // The engine knew the task and then forgot it: its credentials go.
    { name: "known, then forgotten", steps: [["A"], []], now: 0, exp: 100, kept: false },
    // Still known: kept.
    { name: "known, still known", steps: [["A"], ["A"]], now: 0, exp: 100, kept: true },
    // Never known and expired (the payload never came): dropped.
    { name: "unknown and expired", steps: [[]], now: 100, exp: 100, kept: false },
  ])("$name", ({ steps, now, exp, kept }) => {
    const held = new HeldCredentials();
    held.put(cred("A", exp));
    for (const known of steps) held.retain(new Set(known), now);
    expect(held.get("A", -1) !== undefined).toBe(kept);
  });

  it("keeps every credential of a payload that brings several tasks", () => {
    const held = new HeldCredentials();
    const engine: string[] = [];
    // The control plane sends cred A, cred B, then the payload; each put prunes against the engine.
    for (const arn of ["A", "B"]) {
      held.put(cred(arn, 100));
      held.retain(new Set(engine), 0);
    }
    engine.push("A", "B");
    held.retain(new Set(engine), 0);
    expect([held.get("A", 0)?.taskArn, held.get("B", 0)?.taskArn]).toEqual(["A", "B"]);
  });
});

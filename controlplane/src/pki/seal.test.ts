import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { seal, unseal } from "./seal.js";

describe("seal", () => {
  const key = randomBytes(32);
  const sealed = seal(Buffer.from("hunter2"), key, Buffer.from("secret-a|v1"));
  it.each<[string, () => Buffer, string | RegExp]>([
    // The same key and binding open it.
    ["opens", () => unseal(sealed, key, "x", Buffer.from("secret-a|v1")), "hunter2"],
    // Another key does not.
    ["wrong key", () => unseal(sealed, randomBytes(32), "the value", Buffer.from("secret-a|v1")), /cannot open the value/],
    // Nor another binding: a value moved to another record.
    ["wrong aad", () => unseal(sealed, key, "the value", Buffer.from("secret-b|v1")), /cannot open the value/],
    // Nor altered text.
    ["altered", () => unseal(sealed.slice(0, -2) + (sealed.endsWith("AA") ? "BB" : "AA"), key, "the value", Buffer.from("secret-a|v1")), /cannot open/],
    // Nor something else.
    ["not sealed", () => unseal("plain", key, "the value"), /not in the v1 sealed format/],
    // Keys are 32 bytes.
    ["short key", () => seal(Buffer.from("x"), randomBytes(16)), /32 bytes/],
  ])("%s", (_name, act, want) => {
    if (typeof want === "string") expect(act().toString()).toBe(want);
    else expect(act).toThrow(want);
  });

  it("never holds the plaintext and differs each time", () => {
    expect(sealed).not.toContain("hunter2");
    expect(seal(Buffer.from("hunter2"), key)).not.toBe(seal(Buffer.from("hunter2"), key));
  });
});

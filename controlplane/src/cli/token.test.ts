import { describe, expect, it } from "vitest";
import { tokenStatus } from "./token.js";

const base = { id: "0123456789", secretHash: "h", createdAt: 0, expiresAt: 1_000, revoked: false };

describe("token ls status", () => {
  it.each([
    // before its expiry
    [base, 999, "active"],
    // at its expiry
    [base, 1_000, "expired"],
    // never expires
    [{ ...base, expiresAt: 0 }, 9e15, "active"],
    // revoked wins over expired
    [{ ...base, revoked: true }, 5_000, "revoked"],
  ])("%#", (t, now, want) => expect(tokenStatus(t, now)).toBe(want));
});

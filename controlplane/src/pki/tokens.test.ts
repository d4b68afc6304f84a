import { describe, expect, it } from "vitest";
import { formatToken, hashSecret, newToken, parseToken, parseTtl, refuseToken, renewAt, type StoredJoinToken } from "./tokens.js";

const digest = "a".repeat(64);
const token = { caDigest: digest, id: "0123456789", secret: "b".repeat(40) };
const stored: StoredJoinToken = { id: token.id, secretHash: hashSecret(token.secret), createdAt: 0, expiresAt: 2_000, revoked: false };

describe("join tokens", () => {
  it("formats and parses back", () => {
    expect(parseToken(formatToken(token))).toEqual(token);
    const fresh = newToken(digest);
    expect(parseToken(formatToken(fresh))).toEqual(fresh);
  });

  it.each([
    // empty
    [""],
    // Swarm's prefix is not ours
    [`SWMTKN-1-${digest}-0123456789-${"b".repeat(40)}`],
    // short digest
    [`BRTHTKN-1-${"a".repeat(63)}-0123456789-${"b".repeat(40)}`],
    // upper-case hex
    [`BRTHTKN-1-${digest}-0123456789-${"B".repeat(40)}`],
  ])("refuses malformed %j", (text) => {
    expect(() => parseToken(text)).toThrow(/malformed join token/);
  });

  it.each([
    // a good token before it expires
    [token, stored, 1_000, undefined],
    // another CA's digest
    [{ ...token, caDigest: "c".repeat(64) }, stored, 1_000, /another cluster CA/],
    // no such id
    [token, undefined, 1_000, /unknown/],
    // right id, wrong secret
    [{ ...token, secret: "d".repeat(40) }, stored, 1_000, /wrong secret/],
    // revoked
    [token, { ...stored, revoked: true }, 1_000, /revoked/],
    // expired, exactly at the end
    [token, stored, 2_000, /expired/],
    // 0 = never expires
    [token, { ...stored, expiresAt: 0 }, 9e15, undefined],
  ])("decides %#", (presented, record, now, want) => {
    const got = refuseToken(presented, record, digest, now);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(want);
  });

  it.each([
    ["24h", 86_400_000],
    ["30m", 1_800_000],
    ["7d", 604_800_000],
    ["90", 90_000],
    ["0", 0],
  ])("parses ttl %s", (text, ms) => expect(parseTtl(text)).toBe(ms));

  it("refuses a bad ttl", () => expect(() => parseTtl("1w")).toThrow(/invalid --ttl/));

  it("never stores the secret", () => expect(stored.secretHash).not.toContain(token.secret));

  it.each([
    // a 30-day certificate renews on day 20
    [0, 30 * 86_400_000, 20 * 86_400_000],
    // an odd length rounds down
    [10, 13, 12],
  ])("renews %i..%i at %i", (nb, na, at) => expect(renewAt(nb, na)).toBe(at));
});

import { describe, expect, it } from "vitest";
import { logFormatLiteral, quoteArg, serverName, wildcardRegex } from "./quoting.js";

describe("quoteArg", () => {
  it.each([
    // plain words
    ["text/plain", "'text/plain'"],
    // spaces, $ and # stay literal inside single quotes
    ["a b $HOME #x", "'a b $HOME #x'"],
    // a single quote is closed out and escaped
    ["it's", "'it'\\''s'"],
  ])("%s", (s, want) => {
    expect(quoteArg(s)).toBe(want);
  });
});

describe("wildcardRegex", () => {
  it.each([
    // * is any run, ? one character
    ["/api/*", "\\/api\\/.*"],
    ["/v?/x", "\\/v.\\/x"],
    // regex characters are literal
    ["/a.b+(c)", "\\/a\\.b\\+\\(c\\)"],
  ])("%s", (p, want) => {
    expect(wildcardRegex(p)).toBe(want);
    expect(new RegExp(`^${want}$`).test(p.replace(/\*/g, "zz").replace(/\?/g, "q"))).toBe(true);
  });
});

describe("names", () => {
  it.each([
    // an IP target
    [{ id: "10.0.0.1", port: 80 }, "t_10_0_0_1_80"],
    // an instance id
    [{ id: "abc-123", port: 32768 }, "t_abc-123_32768"],
  ])("%o", (t, want) => {
    expect(serverName(t)).toBe(want);
  });
  it("doubles % in log-format literals", () => {
    expect(logFormatLiteral("/100%/x")).toBe("/100%%/x");
  });
});

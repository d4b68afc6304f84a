import { describe, expect, it } from "vitest";
import { durationMs, parseGoDuration } from "./duration.js";

describe("parseGoDuration", () => {
  it.each([
    // ECS's default cleanup wait
    ["3h", 10_800_000],
    // ECS's default stop timeout
    ["30s", 30_000],
    // compound, as Go prints durations
    ["1h30m", 5_400_000],
    // milliseconds
    ["500ms", 500],
    // fractions
    ["1.5h", 5_400_000],
    // sub-millisecond units round
    ["1500us", 2],
    // the one bare number Go accepts
    ["0", 0],
    // surrounding whitespace from an env file
    [" 2m ", 120_000],
  ])("parseGoDuration: %s is %d ms", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each([
    // a bare number is ambiguous: refused as Go does
    ["30"],
    // unknown unit
    ["3d"],
    // empty
    [""],
    // junk between terms
    ["1h x 2m"],
    // sign
    ["-5s"],
  ])("parseGoDuration: %j is not a duration", (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  it.each([
    // numbers are milliseconds
    [1500, 1500],
    // strings are Go durations
    ["2s", 2000],
    // not finite
    [Number.NaN, undefined],
  ])("durationMs: %j", (value, ms) => {
    expect(durationMs(value)).toBe(ms);
  });
});

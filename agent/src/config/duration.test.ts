import { describe, expect, it } from "vitest";
import { durationMs, formatGoDuration, parseGoDuration } from "./duration.js";

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

  it.each([
    // ECS's default pull inactivity timeout
    [60_000, "1m0s"],
    // ECS's default pull timeout
    [7_200_000, "2h0m0s"],
    // whole seconds
    [2000, "2s"],
    // fractional seconds
    [1500, "1.5s"],
    // under a second
    [500, "500ms"],
    // zero
    [0, "0s"],
    // every unit
    [3_723_004, "1h2m3.004s"],
  ])("formatGoDuration: %d ms is %s", (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
    // and it reads back
    expect(parseGoDuration(text)).toBe(ms);
  });
});

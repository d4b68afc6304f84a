import { describe, expect, it } from "vitest";
import { optionalTimestampMs, timestampMs } from "./timestamps.js";

const invalid = (m: string) => new Error(m);

describe("timestampMs", () => {
  it.each<[string, unknown, number]>([
    // JSON / CBOR: epoch seconds, fractions kept
    ["epoch seconds", 1764604800.5, 1764604800500],
    // epoch seconds as text (a Query client may send them so)
    ["numeric text", "1764604800", 1764604800000],
    // Query: ISO 8601
    ["ISO text", "2025-12-01T16:00:00Z", Date.UTC(2025, 11, 1, 16)],
  ])("%s", (_name, v, want) => {
    expect(timestampMs("StartTime", v, invalid)).toBe(want);
  });

  it("names the member of a value that is no timestamp", () => {
    expect(() => timestampMs("EndTime", "tomorrow", invalid)).toThrow("EndTime: tomorrow is not a timestamp");
  });

  it("passes an absent optional member as undefined", () => {
    expect(optionalTimestampMs("StartDate", undefined, invalid)).toBeUndefined();
    expect(optionalTimestampMs("StartDate", 1, invalid)).toBe(1000);
  });
});

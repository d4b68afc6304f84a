import { describe, expect, it } from "vitest";
import { InvalidParameterException } from "@berth/shared";
import { decodeName, encodeName, isNameFolder, parseSegmentFileName, segmentFileName, segmentIndexFileName } from "./names.js";
import { compareFilterPositions, compareStreamPositions, decodeFilterToken, decodeStreamToken, encodeFilterToken, encodeStreamToken } from "./tokens.js";
import { matchesFilterPattern, parseFilterPattern } from "./filter-pattern.js";
import { planSweep, retentionCutoffMs, type SweepSegment } from "./sweep-plan.js";
import { acceptLogEvents } from "./put-events.js";
import { parseSegment, eventLine } from "./segments.js";

const day = 86_400_000;

describe("names: group and stream folders round-trip", () => {
  it.each<[string, string]>([
    // the ECS console's group name
    ["console group", "/ecs/web-app"],
    // an ECS stream name with slashes
    ["ecs stream", "ecs/web/0123456789abcdef"],
    // characters CloudWatch allows in groups
    ["punctuation", "a.b-c_d#e"],
    // non-ASCII stream names
    ["unicode", "größe/🚀"],
  ])("%s", (_n, name) => {
    const dir = encodeName(name);
    expect(dir).toMatch(/^[0-9a-f]+$/);
    expect(decodeName(dir)).toBe(name);
  });

  it.each<[string, string, number]>([
    // the longest name kept whole: 100 bytes, 200 hex digits
    ["100 bytes", "a".repeat(100), 200],
    // one byte more: hex prefix and digest
    ["101 bytes", "a".repeat(101), 224],
    // CloudWatch's longest group name
    ["512 characters", `/${"g".repeat(511)}`, 224],
    // a long non-ASCII stream name (2 bytes a character)
    ["long unicode", "é".repeat(300), 224],
  ])("folder under NAME_MAX: %s", (_n, name, length) => {
    const dir = encodeName(name);
    expect(dir).toHaveLength(length);
    expect(isNameFolder(dir)).toBe(true);
    // Names that share the kept prefix still get folders of their own.
    expect(encodeName(`${name}x`)).not.toBe(dir);
  });

  it.each<[string, string]>([
    // not hex
    ["letters", "group.json"],
    // odd length
    ["odd", "abc"],
    // empty
    ["empty", ""],
  ])("not ours: %s", (_n, dir) => expect(decodeName(dir)).toBeUndefined());
});

describe("names: segment files", () => {
  it.each<[string, { counter: number; firstMs: number }, string]>([
    // the first segment of a stream
    ["first", { counter: 1, firstMs: 1764584000000 }, "seg-00000001-1764584000000.jsonl"],
    // a later one sorts after by counter
    ["later", { counter: 12, firstMs: 5 }, "seg-00000012-0000000000005.jsonl"],
  ])("%s", (_n, seg, file) => {
    expect(segmentFileName(seg)).toBe(file);
    expect(parseSegmentFileName(file)).toEqual(seg);
  });

  it.each<[string, string]>([
    // the sidecar is not a segment
    ["sidecar", "seg-00000001-1764584000000.idx.json"],
    // metadata
    ["stream.json", "stream.json"],
  ])("not a segment: %s", (_n, file) => expect(parseSegmentFileName(file)).toBeUndefined());

  it("sidecar name", () => expect(segmentIndexFileName("seg-00000001-0000000000005.jsonl")).toBe("seg-00000001-0000000000005.idx.json"));
});

describe("tokens", () => {
  it.each<[string, "f" | "b", { timestamp: number; seq: number }]>([
    // a forward token
    ["forward", "f", { timestamp: 1764584000123, seq: 42 }],
    // a backward token at the origin
    ["backward origin", "b", { timestamp: 0, seq: 0 }],
    // a key in a named store (several replicas' stores merged)
    ["with store", "f", { timestamp: 1764584000123, seq: 42, store: "0a1b2c3d4e5f" } as { timestamp: number; seq: number }],
  ])("stream token %s round-trips", (_n, d, p) => {
    expect(decodeStreamToken(encodeStreamToken(d, p))).toEqual({ direction: d, position: p });
  });

  it.each<[string, string]>([
    // a filter token is not a stream token
    ["other kind", encodeFilterToken({ timestamp: 1, stream: "s", seq: 1 })],
    // garbage
    ["garbage", "x/1/2"],
  ])("foreign stream token refused: %s", (_n, t) => expect(() => decodeStreamToken(t)).toThrow(InvalidParameterException));

  it("filter token round-trips", () => {
    const p = { timestamp: 1764584000123, stream: "ecs/web/abc", seq: 7 };
    expect(decodeFilterToken(encodeFilterToken(p))).toEqual(p);
    const q = { ...p, store: "0a1b2c3d4e5f" };
    expect(decodeFilterToken(encodeFilterToken(q))).toEqual(q);
  });

  it.each<[string, { timestamp: number; seq: number; store?: string }, { timestamp: number; seq: number; store?: string }, number]>([
    // time decides first, whatever the store
    ["time", { timestamp: 1, seq: 9, store: "b" }, { timestamp: 2, seq: 1, store: "a" }, -1],
    // then the store, before the sequence (each store numbers its own events)
    ["store", { timestamp: 1, seq: 9, store: "a" }, { timestamp: 1, seq: 1, store: "b" }, -1],
    // a key of no store (an old token) sorts before every named store's at its time
    ["old token", { timestamp: 1, seq: 9 }, { timestamp: 1, seq: 1, store: "a" }, -1],
    // then the sequence
    ["seq", { timestamp: 1, seq: 2, store: "a" }, { timestamp: 1, seq: 1, store: "a" }, 1],
  ])("stream order: %s", (_n, a, b, sign) => {
    expect(Math.sign(compareStreamPositions(a, b))).toBe(sign);
  });

  it.each<[string, string]>([
    // not base64 JSON
    ["garbage", "%%%"],
    // JSON of the wrong shape
    ["wrong shape", Buffer.from(JSON.stringify({ a: 1 })).toString("base64url")],
  ])("foreign filter token refused: %s", (_n, t) => expect(() => decodeFilterToken(t)).toThrow(InvalidParameterException));

  it.each<[string, [number, string, number], [number, string, number], number]>([
    // time decides first
    ["time", [1, "b", 9], [2, "a", 1], -1],
    // then stream name
    ["stream", [1, "a", 9], [1, "b", 1], -1],
    // then sequence
    ["seq", [1, "a", 2], [1, "a", 1], 1],
    // equal
    ["equal", [1, "a", 1], [1, "a", 1], 0],
  ])("filter order: %s", (_n, a, b, sign) => {
    const p = (x: [number, string, number]) => ({ timestamp: x[0], stream: x[1], seq: x[2] });
    expect(Math.sign(compareFilterPositions(p(a), p(b)))).toBe(sign);
  });
});

describe("filter patterns", () => {
  it.each<[string, string | undefined, string, boolean]>([
    // no pattern matches all
    ["empty", undefined, "anything", true],
    // one term
    ["term hit", "ERROR", "an ERROR here", true],
    // terms are case-sensitive
    ["case", "ERROR", "an error here", false],
    // all terms must occur, in any order
    ["and", "ERROR disk", "disk ERROR", true],
    ["and miss", "ERROR disk", "ERROR net", false],
    // a quoted phrase is one term
    ["phrase", '"lost connection"', "we lost connection", true],
    ["phrase miss", '"lost connection"', "lost the connection", false],
    // exclusion
    ["exclude", "ERROR -retry", "ERROR will retry", false],
    ["exclude pass", "ERROR -retry", "ERROR fatal", true],
    // alternatives
    ["any of", "?ERROR ?WARN", "WARN low disk", true],
    ["any of miss", "?ERROR ?WARN", "INFO ok", false],
  ])("%s", (_n, pattern, message, want) => {
    expect(matchesFilterPattern(parseFilterPattern(pattern), message)).toBe(want);
  });

  it.each<[string, string, RegExp]>([
    // JSON patterns are not supported
    ["json", '{ $.level = "error" }', /JSON, space-delimited and regex patterns are not supported/],
    // space-delimited patterns are not supported
    ["space-delimited", "[ip, user]", /not supported/],
    // an unbalanced quote
    ["quote", '"lost', /unbalanced quote/],
  ])("refused: %s", (_n, pattern, message) => {
    expect(() => parseFilterPattern(pattern)).toThrow(message);
  });
});

describe("planSweep", () => {
  const now = 100 * day;
  const seg = (group: string, file: string, lastMs: number, bytes = 100): SweepSegment => ({ group, stream: "s", file, lastMs, bytes });
  it.each<[string, SweepSegment[], Record<string, number | undefined>, number, [string, string][]]>([
    // nothing expires without retention, and under the cap nothing goes
    ["keep all", [seg("g", "a", 0)], { g: undefined }, 1000, []],
    // a segment whose newest event is past retention goes
    ["retention", [seg("g", "a", now - 2 * day), seg("g", "b", now)], { g: 1 }, 1000, [["a", "retention"]]],
    // a segment straddling the cutoff stays (reads filter its old events)
    ["straddle", [seg("g", "a", now - day + 1)], { g: 1 }, 1000, []],
    // over the cap the oldest go first, until under
    ["cap", [seg("g", "new", now), seg("g", "old", now - 5), seg("g", "mid", now - 1)], { g: undefined }, 150, [["old", "cap"], ["mid", "cap"]]],
    // retention drops count towards the cap
    ["both", [seg("g", "a", now - 3 * day), seg("h", "b", now - 1), seg("h", "c", now)], { g: 1, h: undefined }, 150, [["a", "retention"], ["b", "cap"]]],
  ])("%s", (_n, segments, retention, maxBytes, want) => {
    const drops = planSweep({ segments, retentionDays: new Map(Object.entries(retention)), nowMs: now, maxBytes });
    expect(drops.map((d) => [d.segment.file, d.reason])).toEqual(want);
  });

  it.each<[string, number | undefined, number | undefined]>([
    // no retention keeps everything
    ["none", undefined, undefined],
    // one day
    ["1 day", 1, 99 * day],
  ])("retentionCutoffMs %s", (_n, days, want) => expect(retentionCutoffMs(days, now)).toBe(want));
});

describe("acceptLogEvents", () => {
  const now = 100 * day;
  it.each<[string, number[], number | undefined, number, object | undefined]>([
    // current events are all stored
    ["fresh", [now - 2, now - 1], undefined, 2, undefined],
    // older than 14 days
    ["too old", [now - 14.5 * day, now - 14.5 * day + 1, now - 13.6 * day], undefined, 1, { tooOldLogEventEndIndex: 1 }],
    // more than 2 hours ahead
    ["too new", [now, now + 3 * 3_600_000], undefined, 1, { tooNewLogEventStartIndex: 1 }],
    // past the group's retention
    ["expired", [now - 1.5 * day, now - 0.75 * day], 1, 1, { expiredLogEventEndIndex: 0 }],
  ])("%s", (_n, times, retention, stored, rejected) => {
    const out = acceptLogEvents(times.map((t) => ({ timestamp: t, message: "m" })), now, retention);
    expect(out.accepted).toHaveLength(stored);
    expect(out.rejected).toEqual(rejected);
  });

  it.each<[string, number[], RegExp]>([
    // out of order
    ["order", [now, now - 1], /must be in chronological order/],
    // a batch over 24 hours
    ["span", [now - 2 * day, now], /cannot span more than 24 hours/],
  ])("refused: %s", (_n, times, message) => {
    expect(() => acceptLogEvents(times.map((t) => ({ timestamp: t, message: "m" })), now, undefined)).toThrow(message);
  });
});

describe("segment lines", () => {
  it.each<[string, string, number]>([
    // whole lines parse
    ["whole", eventLine({ timestamp: 1, seq: 1, ingestionTime: 2, message: "a" }) + eventLine({ timestamp: 2, seq: 2, ingestionTime: 2, message: "b", source: ["c1", 5] }), 2],
    // a torn last line (crash mid-append) is left out
    ["torn", eventLine({ timestamp: 1, seq: 1, ingestionTime: 2, message: "a" }) + '{"t":2,"n":', 1],
  ])("%s", (_n, text, count) => expect(parseSegment(text)).toHaveLength(count));
});

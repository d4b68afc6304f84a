import { describe, expect, it } from "vitest";
import { decodeLine, dockerSince, FrameDemuxer, LineSplitter } from "./log-frames.js";

const frame = (stream: number, text: string) => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

describe("FrameDemuxer", () => {
  it.each([
    // two whole frames in one read
    { reads: [Buffer.concat([frame(1, "out\n"), frame(2, "err\n")])], want: ["stdout:out\n", "stderr:err\n"] },
    // a header split across reads waits until whole
    { reads: [frame(1, "abc").subarray(0, 5), frame(1, "abc").subarray(5)], want: ["stdout:abc"] },
    // a payload split across reads comes out in pieces, same stream
    { reads: [frame(2, "hello").subarray(0, 10), frame(2, "hello").subarray(10)], want: ["stderr:he", "stderr:llo"] },
    // an empty frame yields nothing
    { reads: [frame(1, "")], want: [] },
  ])("demux %#", ({ reads, want }) => {
    const d = new FrameDemuxer();
    expect(reads.flatMap((r) => d.push(r)).map((f) => `${f.stream}:${f.data.toString()}`)).toEqual(want);
  });
});

describe("LineSplitter", () => {
  it.each([
    // whole lines, timestamps split off
    { reads: ["2026-12-01T10:00:00.000000001Z a\n2026-12-01T10:00:00.000000002Z b\n"], max: 100, want: ["2026-12-01T10:00:00.000000001Z|a", "2026-12-01T10:00:00.000000002Z|b"], rest: [] },
    // a line split across reads is whole once its end comes
    { reads: ["2026-12-01T10:00:00.1Z hel", "lo\n"], max: 100, want: ["2026-12-01T10:00:00.1Z|hello"], rest: [] },
    // an unfinished line is held, and flushed at the end
    { reads: ["no newline"], max: 100, want: [], rest: ["|no newline"] },
    // a line past the cap is cut into pieces, even before its end arrives
    { reads: ["abcdefghij"], max: 4, want: ["|abcd", "|efgh"], rest: ["|ij"] },
    // the pieces of a cut line keep the line's timestamp
    { reads: ["2026-12-01T10:00:00Z abcdef\n"], max: 24, want: ["2026-12-01T10:00:00Z|abc", "2026-12-01T10:00:00Z|def"], rest: [] },
    // an empty line stays a line; CRLF loses its CR
    { reads: ["\nx\r\n"], max: 100, want: ["|", "|x"], rest: [] },
  ])("split %#", ({ reads, max, want, rest }) => {
    const s = new LineSplitter("stdout", max);
    const show = (l: { time: string; text: string }) => `${l.time}|${l.text}`;
    expect(reads.flatMap((r) => s.push(Buffer.from(r))).map(show)).toEqual(want);
    expect(s.flush().map(show)).toEqual(rest);
  });
});

describe("decodeLine", () => {
  it.each([
    // a zone offset is a timestamp too
    ["2026-12-01T10:00:00+01:00 x", "2026-12-01T10:00:00+01:00", "x"],
    // text that merely starts with a date-like word keeps it
    ["2026-12-01 10:00 x", "", "2026-12-01 10:00 x"],
  ])("decodeLine(%s)", (raw, time, text) => expect(decodeLine(Buffer.from(raw), "stderr")).toEqual({ time, stream: "stderr", text }));
});

describe("dockerSince", () => {
  it.each([
    // whole seconds
    [1_700_000_000_000, "1700000000.000000000"],
    // milliseconds become nanoseconds
    [1_700_000_000_123, "1700000000.123000000"],
  ])("dockerSince(%d) = %s", (ms, s) => expect(dockerSince(ms)).toBe(s));
});

import { describe, expect, it } from "vitest";
import { NdjsonParser, SseParser, type SseEvent } from "./stream-parse";

describe("SseParser", () => {
  it.each<[string, string[], SseEvent[]]>([
    // one event in one chunk
    ["whole", ['event: change\ndata: {"a":1}\n\n'], [{ event: "change", data: '{"a":1}' }]],
    // split anywhere, even inside a field name
    ["split", ["ev", "ent: ready\nda", "ta: {}\n", "\n"], [{ event: "ready", data: "{}" }]],
    // CRLF line ends, the CR and LF in separate chunks
    ["crlf", ["data: x\r", "\n\r\n"], [{ event: "message", data: "x" }]],
    // comments and retry lines are not events
    ["comments", [": keep-alive\n\nretry: 2000\n\n"], []],
    // several data lines join with a newline
    ["multi-line", ["data: a\ndata: b\n\n"], [{ event: "message", data: "a\nb" }]],
    // two events in one chunk, the name resets after each
    ["two", ["event: x\ndata: 1\n\ndata: 2\n\n"], [{ event: "x", data: "1" }, { event: "message", data: "2" }]],
  ])("%s", (_name, chunks, want) => {
    const p = new SseParser();
    expect(chunks.flatMap((c) => p.push(c))).toEqual(want);
  });
});

describe("NdjsonParser", () => {
  it.each<[string, string[], unknown[]]>([
    // lines in one chunk
    ["whole", ['{"text":"a"}\n{"text":"b"}\n'], [{ text: "a" }, { text: "b" }]],
    // a line split across chunks waits for its end
    ["split", ['{"te', 'xt":"a"}\n{"end":true}', "\n"], [{ text: "a" }, { end: true }]],
    // a garbled line is skipped, the rest kept
    ["garbled", ['{"text":\n{"text":"ok"}\n'], [{ text: "ok" }]],
    // no newline yet: nothing
    ["pending", ['{"text":"a"}'], []],
  ])("%s", (_name, chunks, want) => {
    const p = new NdjsonParser();
    expect(chunks.flatMap((c) => p.push(c))).toEqual(want);
  });
});

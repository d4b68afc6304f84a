import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame, ExecChannel, parseResize, parseStatus } from "./exec-frames.js";

describe("exec frames", () => {
  it.each([
    // stdin bytes, binary-safe
    { channel: ExecChannel.stdin, data: Buffer.from([0, 255, 10]) },
    // an empty stdin end
    { channel: ExecChannel.stdinEnd, data: Buffer.alloc(0) },
    // a status
    { channel: ExecChannel.status, data: Buffer.from('{"exitCode":7}') },
  ])("encodeFrame then decodeFrame keeps channel $channel and the bytes", ({ channel, data }) => {
    expect(decodeFrame(encodeFrame(channel, data))).toEqual({ channel, data });
  });

  it.each([
    // nothing at all
    [Buffer.alloc(0), /^empty exec frame$/],
    // a channel nobody defined
    [Buffer.from([9, 1]), /^unknown exec channel 9$/],
  ])("decodeFrame refuses %s", (msg, want) => expect(() => decodeFrame(msg)).toThrow(want));

  it.each([
    // a terminal size
    ['{"cols":80,"rows":24}', { cols: 80, rows: 24 }],
    // the largest
    ['{"cols":65535,"rows":1}', { cols: 65535, rows: 1 }],
  ])("parseResize(%s)", (text, want) => expect(parseResize(Buffer.from(text))).toEqual(want));

  it.each([
    // not JSON
    ["80x24", /^resize: not JSON/],
    // zero, fractional, missing, too big
    ['{"cols":0,"rows":24}', /^resize: cols and rows/],
    ['{"cols":80.5,"rows":24}', /^resize: cols and rows/],
    ['{"cols":80}', /^resize: cols and rows/],
    ['{"cols":80,"rows":70000}', /^resize: cols and rows/],
  ])("parseResize refuses %s", (text, want) => expect(() => parseResize(Buffer.from(text))).toThrow(want));

  it.each([
    // an exit code
    ['{"exitCode":7}', { exitCode: 7 }],
    // an error
    ['{"error":"container gone"}', { error: "container gone" }],
    // garbage reads as an error status, never as success
    ["{}", { error: "unreadable exec status {}" }],
    ["nope", { error: "unreadable exec status nope" }],
  ])("parseStatus(%s)", (text, want) => expect(parseStatus(Buffer.from(text))).toEqual(want));
});

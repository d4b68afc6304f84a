import { describe, expect, it } from "vitest";
import { parseLogQuery, parseSince } from "./log-query.js";

const now = 1_700_000_000_000;
const q = (s: string) => new URLSearchParams(s);

describe("parseLogQuery", () => {
  it.each([
    // the least: a task; cluster defaults, all lines, no follow
    ["task=t1", { cluster: "default", task: "t1", container: undefined, follow: false, sinceMs: 0, tail: 0 }],
    // everything named
    ["cluster=c&task=t1&container=web&follow=1&since=10m&tail=50", { cluster: "c", task: "t1", container: "web", follow: true, sinceMs: now - 600_000, tail: 50 }],
    // follow=true is follow too
    ["task=t1&follow=true", { cluster: "default", task: "t1", container: undefined, follow: true, sinceMs: 0, tail: 0 }],
  ])("parseLogQuery(%s)", (text, want) => expect(parseLogQuery(q(text), now)).toEqual(want));

  it.each([
    // no task
    ["cluster=c", /^task: the task id or ARN is required/],
    // follow neither yes nor no
    ["task=t&follow=maybe", /^follow: 'maybe'/],
    // a negative or fractional tail
    ["task=t&tail=-1", /^tail: '-1'/],
    ["task=t&tail=1.5", /^tail: '1.5'/],
    // a tail past the cap
    ["task=t&tail=100001", /^tail: '100001' is not a line count from 0 to 100000/],
    // since in a unit nobody uses
    ["task=t&since=3w", /^since: '3w'/],
  ])("parseLogQuery refuses %s", (text, message) => expect(() => parseLogQuery(q(text), now)).toThrow(message));
});

describe("parseSince", () => {
  it.each([
    // unix ms as given
    ["1699999990000", 1_699_999_990_000],
    // durations back from now
    ["30s", now - 30_000],
    ["2h", now - 7_200_000],
    ["1d", now - 86_400_000],
    // empty: from the start
    ["", 0],
  ])("parseSince(%s)", (text, ms) => expect(parseSince(text, now)).toBe(ms));
});

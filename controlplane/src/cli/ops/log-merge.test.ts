import { describe, expect, it } from "vitest";
import { formatLogLine, LogInterleaver, type SourcedLine } from "./log-merge.js";

const at = (n: number) => `2026-12-01T10:00:${String(n).padStart(2, "0")}.000000000Z`;
const line = (source: string, n: number): SourcedLine => ({ source, time: at(n), stream: "stdout", text: `${source}@${n}` });

type Step = ["add", string] | ["push", string, number[], number] | ["end", string] | ["take", number, string[]];

describe("LogInterleaver", () => {
  it.each<{ name: string; holdMs: number; maxQueued: number; steps: Step[] }>([
    {
      // two whole logs interleave by time once both have ended
      name: "whole logs",
      holdMs: Infinity,
      maxQueued: 100,
      steps: [["add", "a"], ["add", "b"], ["push", "a", [1, 3], 0], ["take", 0, []], ["push", "b", [2, 4], 0], ["take", 0, ["a@1", "b@2", "a@3"]], ["end", "a"], ["take", 0, ["b@4"]]],
    },
    {
      // a source that has sent nothing yet holds the others back
      name: "waiting for a silent source",
      holdMs: Infinity,
      maxQueued: 100,
      steps: [["add", "a"], ["add", "b"], ["push", "a", [1], 0], ["take", 0, []], ["end", "b"], ["take", 0, ["a@1"]]],
    },
    {
      // following: a line waits at most holdMs for a quiet source
      name: "hold while following",
      holdMs: 500,
      maxQueued: 100,
      steps: [["add", "a"], ["add", "b"], ["push", "a", [5], 1000], ["take", 1200, []], ["take", 1500, ["a@5"]]],
    },
    {
      // a full queue is released oldest first even though another source is silent
      name: "bounded queue",
      holdMs: Infinity,
      maxQueued: 2,
      steps: [["add", "a"], ["add", "b"], ["push", "a", [1, 2, 3], 0], ["take", 0, ["a@1", "a@2"]]],
    },
  ])("LogInterleaver: $name", ({ holdMs, maxQueued, steps }) => {
    const m = new LogInterleaver({ holdMs, maxQueued });
    for (const step of steps) {
      if (step[0] === "add") m.add(step[1]);
      else if (step[0] === "push") m.push(step[1], step[2].map((n) => line(step[1], n)), step[3]);
      else if (step[0] === "end") m.end(step[1]);
      else expect(m.take(step[1]).map((l) => l.text)).toEqual(step[2]);
    }
  });

  it("LogInterleaver: done once all ended and taken", () => {
    const m = new LogInterleaver({ holdMs: Infinity, maxQueued: 10 });
    m.add("a");
    m.push("a", [line("a", 1)], 0);
    m.end("a");
    expect(m.done).toBe(false);
    m.take(0);
    expect(m.done).toBe(true);
  });
});

describe("formatLogLine", () => {
  it.each([
    // prefix and text
    [false, "t1/web | a@1"],
    // with Docker's timestamp first
    [true, `${at(1)} t1/web | a@1`],
  ])("formatLogLine timestamps=%s", (ts, text) => expect(formatLogLine({ ...line("t1/web", 1), text: "a@1" }, ts)).toBe(text));
});

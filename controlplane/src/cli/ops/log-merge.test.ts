import { describe, expect, it } from "vitest";
import type { Task } from "@aws-sdk/client-ecs";
import { formatLogLine, LogInterleaver, logSources, type SourcedLine } from "./log-merge.js";

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

describe("logSources", () => {
  const task = (id: string, containers: [string, string | undefined][]): Task => ({
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/${id}`,
    containers: containers.map(([name, runtimeId]) => ({ name, runtimeId })),
  });
  const tasks = [task("t1", [["web", "d1"], ["side", "d2"]]), task("t2", [["web", undefined], ["side", "d3"]])];
  it.each<{ name: string; container?: string; seen?: string[]; want: string[] }>([
    // every created container of every task
    { name: "all", want: ["t1/web", "t1/side", "t2/side"] },
    // only the named container; one Docker has not created yet is left out
    { name: "one container", container: "web", want: ["t1/web"] },
    // those already read are not read twice (a service followed, polled again)
    { name: "new only", seen: ["t1/web", "t1/side"], want: ["t2/side"] },
  ])("logSources: $name", ({ container, seen, want }) => {
    expect(logSources(tasks, container, new Set(seen)).map((s) => `${s.task}/${s.container}`)).toEqual(want);
  });
});

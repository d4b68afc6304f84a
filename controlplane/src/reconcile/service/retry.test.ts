import { describe, expect, it } from "vitest";
import { maxRoundAttempts, maxRoundConflicts, nextRoundStep, type RoundAttempts, type RoundOutcome, type RoundStep } from "./retry.js";

describe("nextRoundStep: the service round's one retry policy", () => {
  it.each<[string, RoundAttempts, RoundOutcome, RoundStep]>([
    // the write set landed whole: the round is done
    ["written: done", { attempt: 0, conflicts: 0 }, { kind: "applied" }, { kind: "done" }],
    // written after earlier losses: done all the same
    ["written after lost races: done", { attempt: 2, conflicts: 5 }, { kind: "applied" }, { kind: "done" }],
    // the first transaction lost its compare: nothing landed, re-read and re-plan
    ["a lost compare with nothing landed re-plans", { attempt: 0, conflicts: 0 }, { kind: "conflict", landed: 0 }, { kind: "replan", next: { attempt: 1, conflicts: 1 } }],
    // a later transaction lost after earlier ones landed: progress, so the count starts over
    ["a lost compare after parts landed re-plans with the count reset", { attempt: 2, conflicts: 2 }, { kind: "conflict", landed: 40 }, { kind: "replan", next: { attempt: 0, conflicts: 3 } }],
    // the last allowed attempt without progress lost too: left to the next round
    ["too many losses without progress give up", { attempt: maxRoundAttempts - 1, conflicts: 3 }, { kind: "conflict", landed: 0 }, { kind: "giveUp", conflicts: 4 }],
    // progress resets the count, but never beyond the cap on losses in all
    ["progress never re-plans past the cap on losses", { attempt: 0, conflicts: maxRoundConflicts - 1 }, { kind: "conflict", landed: 1 }, { kind: "giveUp", conflicts: maxRoundConflicts }],
  ])("%s", (_name, state, outcome, step) => {
    expect(nextRoundStep(state, outcome)).toEqual(step);
  });

  it("ends for any sequence of outcomes within the cap on losses", () => {
    for (const landed of [0, 1]) {
      let state: RoundAttempts = { attempt: 0, conflicts: 0 };
      let steps = 0;
      for (;;) {
        const step = nextRoundStep(state, { kind: "conflict", landed });
        steps++;
        if (step.kind !== "replan") break;
        state = step.next;
      }
      expect(steps).toBe(landed ? maxRoundConflicts : maxRoundAttempts);
    }
  });
});

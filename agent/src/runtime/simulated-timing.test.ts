import { describe, expect, it } from "vitest";
import { defaultTimingModel, drawMs, parseDistribution, seededRandom, timingDraws, type Distribution, type TimingModel } from "./simulated-timing.js";

describe("parseDistribution", () => {
  it.each([
    // a bare number is a fixed time
    ["50", { kind: "fixed", ms: 50 }],
    // fixed spelled out
    ["fixed:0", { kind: "fixed", ms: 0 }],
    // uniform between two bounds
    ["uniform:10-50", { kind: "uniform", minMs: 10, maxMs: 50 }],
    // normal: mean and standard deviation
    ["normal:100,20", { kind: "normal", meanMs: 100, sdMs: 20 }],
    // lognormal: median and sigma
    ["lognormal:100,0.5", { kind: "lognormal", medianMs: 100, sigma: 0.5 }],
    // exponential: mean
    ["exp:200", { kind: "exponential", meanMs: 200 }],
    // never: runs until stopped
    ["never", { kind: "never" }],
  ] as [string, Distribution][])("%s", (text, want) => {
    expect(parseDistribution(text)).toEqual(want);
  });

  it.each([
    // unknown kind
    ["gamma:1,2", /is not one of/],
    // negative value
    ["fixed:-1", /not a non-negative number/],
    // bounds reversed
    ["uniform:50-10", /maximum below its minimum/],
    // one value where two are needed
    ["normal:100", /needs 2 values/],
    // a median of zero has no log
    ["lognormal:0,1", /median above 0/],
    // not a number at all
    ["uniform:a-b", /not a non-negative number/],
  ])("%s is refused, naming the field", (text, message) => {
    expect(() => parseDistribution(text, "--start")).toThrow(message);
    expect(() => parseDistribution(text, "--start")).toThrow(/--start/);
  });
});

describe("drawMs", () => {
  const draws = (d: Distribution, n = 20_000, seed = 7) => {
    const rand = seededRandom(seed);
    return Array.from({ length: n }, () => drawMs(d, rand)!);
  };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  it.each([
    // fixed: every draw the same
    [{ kind: "fixed", ms: 42 }, (xs: number[]) => xs.every((x) => x === 42)],
    // uniform: inside the bounds, mean in the middle
    [{ kind: "uniform", minMs: 10, maxMs: 50 }, (xs: number[]) => xs.every((x) => x >= 10 && x <= 50) && Math.abs(mean(xs) - 30) < 1],
    // normal: mean close, never negative even with a wide spread
    [{ kind: "normal", meanMs: 100, sdMs: 20 }, (xs: number[]) => Math.abs(mean(xs) - 100) < 1 && xs.every((x) => x >= 0)],
    // lognormal: the median is the median
    [{ kind: "lognormal", medianMs: 100, sigma: 0.5 }, (xs: number[]) => Math.abs(median(xs) - 100) <= 3],
    // exponential: the mean is the mean
    [{ kind: "exponential", meanMs: 200 }, (xs: number[]) => Math.abs(mean(xs) - 200) < 8],
  ] as [Distribution, (xs: number[]) => boolean][])("%j", (d, holds) => {
    expect(holds(draws(d))).toBe(true);
  });

  it("never draws nothing", () => {
    expect(drawMs({ kind: "never" }, seededRandom(1))).toBeUndefined();
  });

  it("same seed same draws, another seed others", () => {
    const d: Distribution = { kind: "lognormal", medianMs: 30, sigma: 0.4 };
    expect(draws(d, 50, 3)).toEqual(draws(d, 50, 3));
    expect(draws(d, 50, 3)).not.toEqual(draws(d, 50, 4));
  });
});

describe("timingDraws", () => {
  const model: TimingModel = { ...defaultTimingModel, pull: { kind: "fixed", ms: 5 }, create: { kind: "fixed", ms: 6 }, start: { kind: "fixed", ms: 7 }, exit: { kind: "fixed", ms: 1000 }, exitCode: 3 };

  it.each([
    // the modelled steps take their draw
    ["pull", 5],
    ["create", 6],
    ["start", 7],
    // the rest take no time
    ["inspect", 0],
    ["stop", 0],
    ["list", 0],
  ] as const)("%s takes %i ms", (op, ms) => {
    expect(timingDraws(model, 1).delayMs(op)).toBe(ms);
  });

  it("exit: a drawn time and the model's code, or none for never", () => {
    expect(timingDraws(model, 1).exit()).toEqual({ exitAfterMs: 1000, exitCode: 3 });
    expect(timingDraws({ ...model, exit: { kind: "never" } }, 1).exit()).toEqual({});
  });
});

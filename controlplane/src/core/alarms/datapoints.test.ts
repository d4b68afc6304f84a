import { describe, expect, it } from "vitest";
import { alarmPoints, alarmWindow, fullyKeptPeriods, statisticOf, type Statistic } from "./datapoints.js";

describe("statisticOf", () => {
  it.each<[Statistic, (number | undefined)[], number | undefined]>([
    // the mean of the values present
    ["Average", [10, undefined, 30], 20],
    // their sum
    ["Sum", [10, 20, 30], 60],
    // the smallest
    ["Minimum", [10, 5, 30], 5],
    // the largest
    ["Maximum", [10, 5, 30], 30],
    // how many there are
    ["SampleCount", [10, undefined, 30], 2],
    // nothing present: no datapoint
    ["Average", [undefined, undefined], undefined],
  ])("%s of %j", (stat, values, want) => {
    expect(statisticOf(stat, values)).toBe(want);
  });
});

describe("alarmWindow", () => {
  it.each([
    // base 10 s, alarm periods of 30 s: the newest complete base period 50–60 s ends the 30–60 s period
    [50_000, 10_000, 30_000, 2, { lastStartMs: 30_000, lastBaseStartMs: 50_000, baseCount: 6 }],
    // the newest base period 60–70 s does not complete the 60–90 s period yet
    [60_000, 10_000, 30_000, 1, { lastStartMs: 30_000, lastBaseStartMs: 50_000, baseCount: 3 }],
    // alarm period = base period
    [60_000, 10_000, 10_000, 3, { lastStartMs: 60_000, lastBaseStartMs: 60_000, baseCount: 3 }],
  ])("last base %s, base %s, period %s, n %s", (last, base, period, n, want) => {
    expect(alarmWindow(last, base, period, n)).toEqual(want);
  });
});

describe("alarmPoints", () => {
  it("aggregates each alarm period's base values, oldest first, leaving empty periods without a value", () => {
    const w = alarmWindow(50_000, 10_000, 30_000, 2);
    expect(alarmPoints([1, 2, 3, undefined, undefined, undefined], w, 10_000, 30_000, "Sum")).toEqual([{ startMs: 0, value: 6 }, { startMs: 30_000 }]);
  });
});

describe("fullyKeptPeriods", () => {
  it.each<[string, number, number, number, number]>([
    // periods of one base period: every kept one
    ["k = 1", 16, 10_000, 10_000, 16],
    // 20 s of 10 s, 16 kept: 7, as the 8th may need a 17th base period
    ["k = 2", 16, 10_000, 20_000, 7],
    // 60 s of 10 s, 16 kept: (16 - 5) / 6 = 1
    ["k = 6", 16, 10_000, 60_000, 1],
    // a period longer than berth keeps: none
    ["longer than kept", 16, 10_000, 170_000, 0],
  ])("%s", (_name, kept, base, period, want) => {
    expect(fullyKeptPeriods(kept, base, period)).toBe(want);
  });
});

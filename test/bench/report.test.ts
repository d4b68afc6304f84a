import { describe, expect, it } from "vitest";
import { median, percentile } from "./report.js";

describe("percentile", () => {
  it.each<[string, number[], number, number]>([
    // nearest rank: the 9th of 10 sorted samples is the p90
    ["p90 of ten", [10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 90, 9],
    // p50 of an odd count is its median
    ["p50 of five", [5, 3, 1, 4, 2], 50, 3],
    // a single sample is every percentile
    ["one sample", [42], 90, 42],
    // p100 is the largest, p0 the smallest
    ["p100", [3, 1, 2], 100, 3],
    ["p0", [3, 1, 2], 0, 1],
  ])("%s", (_name, samples, p, want) => {
    expect(percentile(samples, p)).toBe(want);
  });

  it("is NaN without samples, as median is", () => {
    expect(percentile([], 90)).toBeNaN();
    expect(median([])).toBeNaN();
  });
});

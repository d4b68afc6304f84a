import { describe, expect, it } from "vitest";
import { renewAt } from "./credentials.js";

const day = 86_400_000;

describe("certificate renewal time", () => {
  it.each([
    // a 30-day certificate renews on day 20
    [0, 30 * day, 20 * day],
    // issued with a minute of slack before now: 2/3 of the whole span
    [1_000 - 60_000, 1_000 + 30 * day, 1_000 - 60_000 + Math.floor(((30 * day + 60_000) * 2) / 3)],
    // an odd span rounds down
    [10, 13, 12],
  ])("valid %i..%i renews at %i", (notBefore, notAfter, at) => expect(renewAt({ notBefore, notAfter })).toBe(at));
});

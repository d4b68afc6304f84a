import { describe, expect, it } from "vitest";
import { groupBy } from "./collections.js";

describe("groupBy", () => {
  it.each<[string, string[], [string, string[]][]]>([
    // nothing in, no groups
    ["empty", [], []],
    // groups keep input order, and appear in order of their first item
    ["order", ["b1", "a1", "b2", "a2", "c1"], [["b", ["b1", "b2"]], ["a", ["a1", "a2"]], ["c", ["c1"]]]],
  ])("%s", (_name, items, want) => {
    expect([...groupBy(items, (s) => s[0])]).toEqual(want);
  });
});

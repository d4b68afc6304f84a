import { describe, expect, it } from "vitest";
import { pageOf } from "./pagination.js";

const ids = ["b", "a", "d", "c", "e", "f"];
const id = (s: string) => s;

describe("pageOf", () => {
  it("walks every item once, in id order, by NextToken", () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const r = pageOf(ids, id, { MaxResults: 5, NextToken: token }, undefined);
      seen.push(...r.page);
      token = r.NextToken;
    } while (token);
    expect(seen).toEqual(["a", "b", "c", "d", "e", "f"]);
  });

  it.each([
    // no MaxResults: everything, no token
    [{}, ["a", "b", "c", "d", "e", "f"], false],
    // exactly all: no token
    [{ MaxResults: 6 }, ["a", "b", "c", "d", "e", "f"], false],
    // fewer: a token
    [{ MaxResults: 5 }, ["a", "b", "c", "d", "e"], true],
  ])("%j", (req, page, more) => {
    const r = pageOf(ids, id, req, undefined);
    expect(r.page).toEqual(page);
    expect(r.NextToken !== undefined).toBe(more);
  });

  it.each([
    // a token berth did not give
    [{ NextToken: "nonsense" }, undefined, "InvalidPaginationToken"],
    // MaxResults with explicit ids
    [{ MaxResults: 5 }, ["a"], "InvalidParameterCombination"],
  ])("refuses %j with ids %j", (req, explicit, code) => {
    expect(() => pageOf(ids, id, req, explicit)).toThrow(expect.objectContaining({ code }));
  });
});

import { describe, expect, it } from "vitest";
import { PrefixCache } from "./prefix-cache.js";
import type { ScanQuery } from "../../store/index.js";

interface Rec {
  id: string;
  even: boolean;
}
const P = "/t/";
const key = (cluster: string, id: string) => `${P}${cluster}/${id}`;

/** A cache holding c1/a..c1/f (even: b, d, f), c2/a and c10/a, listed at revision 10. */
function filled(): PrefixCache<Rec> {
  const c = new PrefixCache<Rec>(P);
  const ids = ["a", "b", "c", "d", "e", "f"];
  c.reset(
    [
      ...ids.map((id, i) => ({ key: key("c1", id), value: { id, even: i % 2 === 1 }, modRevision: String(i + 1) })),
      { key: key("c2", "a"), value: { id: "a", even: false }, modRevision: "7" },
      { key: key("c10", "a"), value: { id: "a", even: false }, modRevision: "8" },
    ],
    "10",
  );
  return c;
}
const even = (r: Rec) => r.even;

describe("PrefixCache.scan", () => {
  it.each<[string, ScanQuery<Rec>, string[], string | undefined]>([
    // a whole cluster, one page: c1/ never takes c10/'s keys
    ["all of c1", { want: 100 }, ["a", "b", "c", "d", "e", "f"], undefined],
    // a short page says where the next starts
    ["first two", { want: 2 }, ["a", "b"], "b"],
    // the next page starts strictly after `after`
    ["after b", { want: 2, after: "b" }, ["c", "d"], "d"],
    // the last page has no next
    ["after d, want 2", { want: 2, after: "d" }, ["e", "f"], undefined],
    // a filter counts only matches toward want
    ["even, want 2", { want: 2, match: even }, ["b", "d"], "d"],
    // a budget of examined records ends a selective page early, with a next
    ["even, budget 3", { want: 5, match: even, budget: 3 }, ["b"], "c"],
    // a budget that ends exactly at the prefix's end gives no next
    ["budget 6", { want: 10, budget: 6 }, ["a", "b", "c", "d", "e", "f"], undefined],
    // descending from the end, and strictly before `after`
    ["descending", { want: 2, descending: true }, ["f", "e"], "e"],
    ["descending after e", { want: 10, descending: true, after: "e" }, ["d", "c", "b", "a"], undefined],
  ])("%s", (_name, q, ids, next) => {
    const page = filled().scan(`${P}c1/`, q);
    expect(page.items.map((r) => r.id)).toEqual(ids);
    expect(page.next).toBe(next);
  });
});

describe("PrefixCache writes", () => {
  it.each<[string, (c: PrefixCache<Rec>) => void, string[], number]>([
    // a new key sorts into place
    ["put new", (c) => c.put(key("c1", "bb"), { id: "bb", even: false }, "11"), ["a", "b", "bb", "c", "d", "e", "f"], 11],
    // an update keeps the order and moves the revision
    ["put existing", (c) => c.put(key("c1", "a"), { id: "a", even: true }, "12"), ["a", "b", "c", "d", "e", "f"], 12],
    // a delete drops the key
    ["delete", (c) => c.delete(key("c1", "c"), "13"), ["a", "b", "d", "e", "f"], 13],
    // deleted then put again before any read: listed once
    ["delete then re-put", (c) => (c.delete(key("c1", "c"), "13"), c.put(key("c1", "c"), { id: "c", even: false }, "14")), ["a", "b", "c", "d", "e", "f"], 14],
    // put and deleted before any read: never listed
    ["put then delete", (c) => (c.put(key("c1", "z"), { id: "z", even: false }, "13"), c.delete(key("c1", "z"), "14")), ["a", "b", "c", "d", "e", "f"], 14],
    // an event older than the listing (a re-delivered one) does not move the revision back
    ["old event", (c) => c.put(key("c1", "a"), { id: "a", even: false }, "3"), ["a", "b", "c", "d", "e", "f"], 10],
  ])("%s", (_name, change, ids, revision) => {
    const c = filled();
    c.list(P); // sorted before the change, so the change is merged in
    change(c);
    expect(c.list(`${P}c1/`).map((i) => i.value.id)).toEqual(ids);
    expect(c.revision).toBe(revision);
  });

  it("records are frozen: a reader cannot change what the next reader sees", () => {
    const c = filled();
    const rec = c.get(key("c1", "a"))!.value;
    expect(() => {
      (rec as { id: string }).id = "x";
    }).toThrow(TypeError);
  });

  it("reset replaces everything", () => {
    const c = filled();
    c.reset([{ key: key("c3", "q"), value: { id: "q", even: true }, modRevision: "20" }], "25");
    expect(c.list(P).map((i) => i.key)).toEqual([key("c3", "q")]);
    expect(c.revision).toBe(25);
  });
});

describe("PrefixCache.waitFor", () => {
  it.each<[string, number, (c: PrefixCache<Rec>) => void, boolean]>([
    // already there: at once
    ["reached", 10, () => undefined, true],
    // a later event brings it there
    ["after a put", 11, (c) => c.put(key("c1", "a"), { id: "a", even: false }, "11"), true],
    // a delete counts as well
    ["after a delete", 12, (c) => c.delete(key("c1", "a"), "12"), true],
    // an event short of it: the bound passes
    ["short of it", 13, (c) => c.put(key("c1", "a"), { id: "a", even: false }, "12"), false],
  ])("%s", async (_name, revision, change, reached) => {
    const c = filled();
    const waiting = c.waitFor(revision, 50);
    change(c);
    expect(await waiting).toBe(reached);
  });
});

describe("PrefixCache.byIndex", () => {
  const indexed = () => {
    const c = new PrefixCache<{ id: string; on: string }>(P, (v) => v.on);
    c.reset([{ key: key("c1", "a"), value: { id: "a", on: "i1" }, modRevision: "1" }, { key: key("c1", "b"), value: { id: "b", on: "i2" }, modRevision: "2" }], "2");
    return c;
  };
  const on = (c: ReturnType<typeof indexed>, v: string) => c.byIndex(v).map((i) => i.value.id).sort();
  it.each<[string, (c: ReturnType<typeof indexed>) => void, Record<string, string[]>]>([
    // from the listing
    ["listed", () => undefined, { i1: ["a"], i2: ["b"] }],
    // a new record joins its value's set
    ["put new", (c) => c.put(key("c1", "c"), { id: "c", on: "i1" }, "3"), { i1: ["a", "c"], i2: ["b"] }],
    // a record that moves leaves its old value's set
    ["moved", (c) => c.put(key("c1", "a"), { id: "a", on: "i2" }, "3"), { i1: [], i2: ["a", "b"] }],
    // a deleted record leaves it too
    ["deleted", (c) => c.delete(key("c1", "b"), "3"), { i1: ["a"], i2: [] }],
  ])("%s", (_name, change, want) => {
    const c = indexed();
    change(c);
    for (const [v, ids] of Object.entries(want)) expect(on(c, v)).toEqual(ids);
  });
});

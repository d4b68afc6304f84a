import { describe, expect, it } from "vitest";
import { pageMerged, pageStream } from "./paging.js";

// Five events of one stream: times 10..14, sequence 1..5.
const stream = [10, 11, 12, 13, 14].map((timestamp, i) => ({ timestamp, seq: i + 1 }));
const seqs = (es: { seq: number }[]) => es.map((e) => e.seq);

describe("pageStream (GetLogEvents)", () => {
  it.each<[string, Parameters<typeof pageStream>[1], number[], [number, number], [number, number]]>([
    // no token: the newest `limit`, as AWS answers without startFromHead
    ["newest", { limit: 2 }, [4, 5], [14, 5], [13, 4]],
    // startFromHead: the oldest `limit`
    ["head", { limit: 2, startFromHead: true }, [1, 2], [11, 2], [10, 1]],
    // forward from a token: the next newer
    ["forward", { limit: 2, token: { direction: "f", position: { timestamp: 11, seq: 2 } } }, [3, 4], [13, 4], [12, 3]],
    // forward at the end: nothing, and the same forward position comes back (clients stop)
    ["end", { limit: 2, token: { direction: "f", position: { timestamp: 14, seq: 5 } } }, [], [14, 5], [14, 5]],
    // backward from a token: the next older, newest of them last
    ["backward", { limit: 2, token: { direction: "b", position: { timestamp: 13, seq: 4 } } }, [2, 3], [12, 3], [11, 2]],
    // an empty stream from the start
    ["empty", { limit: 2 }, [], [0, 0], [0, 0]],
  ])("%s", (name, opts, want, fwd, back) => {
    const page = pageStream(name === "empty" ? [] : stream, opts);
    expect(seqs(page.events)).toEqual(want);
    expect(page.forward).toEqual({ timestamp: fwd[0], seq: fwd[1] });
    expect(page.backward).toEqual({ timestamp: back[0], seq: back[1] });
  });

  it("pages forward from the head through every event exactly once", () => {
    const got: number[] = [];
    let page = pageStream(stream, { limit: 2, startFromHead: true });
    for (let i = 0; i < 10 && page.events.length > 0; i++) {
      got.push(...seqs(page.events));
      page = pageStream(stream, { limit: 2, token: { direction: "f", position: page.forward } });
    }
    expect(got).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("pageMerged (FilterLogEvents)", () => {
  // Two streams interleaved in time; "b" and "a" share time 2.
  const events = [
    { timestamp: 1, stream: "a", seq: 1 },
    { timestamp: 3, stream: "a", seq: 2 },
    { timestamp: 2, stream: "b", seq: 1 },
    { timestamp: 2, stream: "a", seq: 3 },
    { timestamp: 4, stream: "b", seq: 2 },
  ];
  const keys = (es: { timestamp: number; stream: string }[]) => es.map((e) => `${e.timestamp}${e.stream}`);
  it.each<[string, Parameters<typeof pageMerged>[1], string[], boolean]>([
    // all of them, interleaved by time, then stream name
    ["all", { limit: 10 }, ["1a", "2a", "2b", "3a", "4b"], false],
    // a first page says more remain
    ["first page", { limit: 2 }, ["1a", "2a"], true],
    // the page after a position
    ["after", { limit: 2, after: { timestamp: 2, stream: "a", seq: 3 } }, ["2b", "3a"], true],
    // the last page
    ["last", { limit: 2, after: { timestamp: 3, stream: "a", seq: 2 } }, ["4b"], false],
  ])("%s", (_n, opts, want, more) => {
    const page = pageMerged(events, opts);
    expect(keys(page.events)).toEqual(want);
    expect(page.next !== undefined).toBe(more);
  });
});

import { describe, expect, it } from "vitest";
import { decidingAnswer, mergeDescribeLogStreams, mergeFilterLogEvents, mergeGetLogEvents, type StoreAnswer } from "./merge.js";

const ok = (body: Record<string, unknown>): StoreAnswer => ({ status: 200, body });
const err = (type: string, status = 400): StoreAnswer => ({ status, body: { __type: type, message: type } });
/** A store's GetLogEvents answer: events [timestamp, seq] keyed in store `store`. */
const events = (store: string, ...keys: [number, number][]) => ok({ events: keys.map(([t, n]) => ({ timestamp: t, message: `${store}${t}`, ingestionTime: t, berthKey: [store, n] })) });
const messages = (body: object) => (body as { events: { message: string }[] }).events.map((e) => e.message);

describe("decidingAnswer", () => {
  it.each<[string, StoreAnswer[], number | undefined]>([
    // every store found something: merge
    ["all found", [ok({}), ok({})], undefined],
    // some stores lack the group: merge the others
    ["some not found", [err("ResourceNotFoundException"), ok({})], undefined],
    // none has it: the first "not found" is the answer
    ["none found", [err("ResourceNotFoundException"), err("ResourceNotFoundException")], 0],
    // a refusal of the request itself wins
    ["invalid", [ok({}), err("InvalidParameterException")], 1],
  ])("%s", (_name, answers, index) => {
    expect(decidingAnswer(answers)).toBe(index === undefined ? undefined : answers[index]);
  });
});

describe("mergeGetLogEvents", () => {
  // Store a holds t=1,3,5; store b t=2,4 (one stream split between two replicas).
  const answers = [events("a", [1, 1], [3, 2], [5, 3]), events("b", [2, 1], [4, 2]), err("ResourceNotFoundException")];
  it.each<[string, object, string[]]>([
    // from the head: interleaved by time across stores
    ["head", { startFromHead: true, limit: 3 }, ["a1", "b2", "a3"]],
    // newest first page without startFromHead
    ["newest", { limit: 2 }, ["b4", "a5"]],
    // everything in time order
    ["all", { startFromHead: true }, ["a1", "b2", "a3", "b4", "a5"]],
  ])("%s", (_name, input, want) => {
    expect(messages(mergeGetLogEvents(input, answers))).toEqual(want);
  });

  it("pages on from its forward token by key, as each store does", () => {
    const first = mergeGetLogEvents({ startFromHead: true, limit: 3 }, answers) as { nextForwardToken: string };
    expect(first.nextForwardToken).toBe("f/00000000000000000003/a/00000000000000000002");
    // The stores, given that token, return only what lies past it; the merge cuts the same way.
    const second = mergeGetLogEvents({ nextToken: first.nextForwardToken, limit: 3 }, [events("a", [5, 3]), events("b", [4, 2])]);
    expect(messages(second)).toEqual(["b4", "a5"]);
  });
});

describe("mergeFilterLogEvents", () => {
  const filtered = (store: string, stream: string, more: boolean, ...keys: [number, number][]) =>
    ok({ events: keys.map(([t, n]) => ({ logStreamName: stream, timestamp: t, message: `${stream}${t}`, ingestionTime: t, eventId: `${stream}-${store}-${n}`, berthKey: [store, n] })), ...(more ? { nextToken: "x" } : {}) });
  it("merges by time, then stream, and keeps paging while any store has more", () => {
    const page = mergeFilterLogEvents({ limit: 3 }, [filtered("a", "s1", true, [1, 1], [3, 2]), filtered("b", "s2", false, [2, 1])]) as { events: { message: string }[]; nextToken?: string };
    expect(page.events.map((e) => e.message)).toEqual(["s11", "s22", "s13"]);
    expect(page.nextToken).toBeDefined();
  });

  it("says a named stream is missing only when no store has it", () => {
    const a = ok({ events: [], berthUnknownStreams: ["s2"] });
    const b = ok({ events: [], berthUnknownStreams: ["s1"] });
    expect(() => mergeFilterLogEvents({ logStreamNames: ["s1", "s2"] }, [a, b])).not.toThrow();
    expect(() => mergeFilterLogEvents({ logStreamNames: ["s3"] }, [ok({ events: [], berthUnknownStreams: ["s3"] }), ok({ events: [], berthUnknownStreams: ["s3"] })])).toThrow(/does not exist/);
  });
});

describe("mergeDescribeLogStreams", () => {
  it("makes a stream held by two stores one, spanning both, ordered and paged", () => {
    const a = ok({ logStreams: [{ logStreamName: "s", creationTime: 5, firstEventTimestamp: 10, lastEventTimestamp: 20 }, { logStreamName: "t", creationTime: 1 }] });
    const b = ok({ logStreams: [{ logStreamName: "s", creationTime: 3, firstEventTimestamp: 15, lastEventTimestamp: 30, lastIngestionTime: 31 }] });
    const out = mergeDescribeLogStreams({}, [a, b]) as { logStreams: Record<string, unknown>[] };
    expect(out.logStreams).toEqual([
      { logStreamName: "s", creationTime: 3, firstEventTimestamp: 10, lastEventTimestamp: 30, lastIngestionTime: 31 },
      { logStreamName: "t", creationTime: 1 },
    ]);
    expect((mergeDescribeLogStreams({ limit: 1 }, [a, b]) as { nextToken?: string }).nextToken).toBe("o1");
  });
});

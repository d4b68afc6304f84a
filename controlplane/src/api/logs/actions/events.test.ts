import { describe, expect, it } from "vitest";
import { eventIdOf, tokenRange } from "./events.js";

describe("tokenRange", () => {
  const max = Number.MAX_SAFE_INTEGER;
  it.each<[string, [number, number], { direction: "f" | "b"; position: { timestamp: number } } | undefined, [number, number]]>([
    // no token: the request's own range
    ["none", [0, max], undefined, [0, max]],
    // forward: nothing before the token's time is read
    ["forward", [0, max], { direction: "f", position: { timestamp: 500 } }, [500, max]],
    // forward, a later startTime wins
    ["forward, later start", [900, max], { direction: "f", position: { timestamp: 500 } }, [900, max]],
    // backward: nothing after the token's time (end exclusive, so its own ms stays in)
    ["backward", [0, max], { direction: "b", position: { timestamp: 500 } }, [0, 501]],
    // backward, an earlier endTime wins
    ["backward, earlier end", [0, 300], { direction: "b", position: { timestamp: 500 } }, [0, 300]],
  ])("%s", (_name, range, token, want) => {
    expect(tokenRange(range, token)).toEqual(want);
  });
});

describe("eventIdOf", () => {
  it("names the stream, the store and the sequence, so ids differ across stores", () => {
    expect(eventIdOf("s", "a1", 7)).not.toBe(eventIdOf("s", "b2", 7));
    expect(eventIdOf("s", "a1", 7)).toBe(eventIdOf("s", "a1", 7));
  });
});

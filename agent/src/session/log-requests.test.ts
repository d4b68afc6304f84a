import { describe, expect, it } from "vitest";
import { batchLines } from "./log-requests.js";

const line = (text: string) => ({ time: "2026-12-01T10:00:00.000000000Z", stream: "stdout" as const, text });

describe("batchLines", () => {
  it.each([
    // nothing to send
    { texts: [], max: 100, sizes: [] },
    // small lines share one chunk
    { texts: ["a", "b", "c"], max: 1000, sizes: [3] },
    // the cap starts a new chunk (each line costs its text, time and 8 bytes)
    { texts: ["aaaa", "bbbb", "cccc"], max: 2 * (4 + 30 + 8), sizes: [2, 1] },
    // a line larger than the cap travels alone
    { texts: ["x".repeat(500), "y"], max: 100, sizes: [1, 1] },
  ])("batchLines %#", ({ texts, max, sizes }) => {
    const batches = batchLines(texts.map(line), max);
    expect(batches.map((b) => b.length)).toEqual(sizes);
    expect(batches.flat().map((l) => l.text)).toEqual(texts);
  });
});

import { describe, expect, it } from "vitest";
import { sseFrame } from "./sse.js";

describe("sseFrame", () => {
  it.each([
    // a plain object: one data line, a blank line after it
    ["change", { changes: [{ kind: "task", id: "abc" }] }, 'event: change\ndata: {"changes":[{"kind":"task","id":"abc"}]}\n\n'],
    // a string holding a newline stays on one line, escaped by JSON
    ["note", "a\nb", 'event: note\ndata: "a\\nb"\n\n'],
  ])("%s frames as EventSource reads it", (event, data, want) => expect(sseFrame(event, data)).toBe(want));

  it("sseFrame: refuses an event name with a line break", () => expect(() => sseFrame("a\nb", {})).toThrow(/line break/));
});

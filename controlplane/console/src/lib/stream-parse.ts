/** Incremental parsers for the streams the console reads with fetch (so its requests can be signed). */

/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Feeds text chunks of a `text/event-stream` and returns the events each completes, as the
 * EventSource algorithm reads them: lines end in LF, CRLF or CR; `event:` and `data:` fields
 * (several `data:` lines join with LF); a blank line ends an event; `:` lines are comments;
 * an event with no data is dropped; the event name defaults to `message`.
 */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];

  /** The events completed by `chunk`. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      // A lone CR at the end may be the first half of a CRLF: wait for the next chunk.
      if (!m || (m[0] === "\r" && m.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      if (line === "") {
        if (this.data.length > 0) out.push({ event: this.event || "message", data: this.data.join("\n") });
        this.event = "";
        this.data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") this.event = value;
      else if (field === "data") this.data.push(value);
    }
    return out;
  }
}

/** Splits a stream of NDJSON text into parsed objects; a partial last line waits for its end. */
export class NdjsonParser<T = unknown> {
  private buffer = "";

  /** The objects completed by `chunk`; lines that are not JSON are skipped. */
  push(chunk: string): T[] {
    this.buffer += chunk;
    const lines = this.buffer.split("\n");
    this.buffer = lines.pop() ?? "";
    const out: T[] = [];
    for (const line of lines) {
      if (line.trim() === "") continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        // A line cut by a proxy is not worth failing the whole tail for.
      }
    }
    return out;
  }
}

import { randomUUID } from "node:crypto";
import type { ControlMessage, LogChunk, LogEnd, LogLine, LogRequest } from "@berth/proto";

/** Where the answer to one log request goes, on the replica that serves the HTTP reader. */
export interface LogListener {
  lines(lines: LogLine[]): void;
  /** Called once, last: "" when the log ended, else why it failed. */
  end(error: string): void;
}

/** An open log request: cancel it when the reader goes away. */
export interface OpenLog {
  cancel(): void;
}

/** One agent session's door for log requests. */
export interface LogPort {
  /** Sends the request to the agent; a string when refused (too many open). */
  request(req: Omit<LogRequest, "requestId">, listener: LogListener): OpenLog | string;
}

/**
 * The log requests open on one agent session: each gets an id, goes down the session stream,
 * and its chunks and end come back tagged with it. At most `maxOpen` at once, so a session
 * holds a bounded table; the data itself is never held here, it goes straight to the listener.
 */
export class SessionLogRequests implements LogPort {
  private readonly open = new Map<string, LogListener>();

  constructor(
    private readonly write: (msg: ControlMessage) => void,
    private readonly maxOpen = 32,
  ) {}

  request(req: Omit<LogRequest, "requestId">, listener: LogListener): OpenLog | string {
    if (this.open.size >= this.maxOpen) return `the agent already streams ${this.maxOpen} logs; try again later`;
    const requestId = randomUUID();
    this.open.set(requestId, listener);
    this.write({ kind: { $case: "logRequest", value: { ...req, requestId } } });
    return {
      cancel: () => {
        // The agent answers a cancel with LogEnd; the listener is told now, and that end is dropped.
        if (!this.open.delete(requestId)) return;
        this.write({ kind: { $case: "logCancel", value: { requestId } } });
        listener.end("");
      },
    };
  }

  /** A chunk from the agent; one for a request no longer open (cancelled) is dropped. */
  onChunk(chunk: LogChunk): void {
    this.open.get(chunk.requestId)?.lines(chunk.lines);
  }

  /** The agent's last word on a request. */
  onEnd(end: LogEnd): void {
    const listener = this.open.get(end.requestId);
    if (!listener) return;
    this.open.delete(end.requestId);
    listener.end(end.error);
  }

  /** Ends every open request with `why` (the session ended). */
  closeAll(why: string): void {
    const listeners = [...this.open.values()];
    this.open.clear();
    for (const l of listeners) l.end(why);
  }
}

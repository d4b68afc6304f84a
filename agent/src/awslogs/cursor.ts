/**
 * How far a container's output has been shipped, without I/O. Docker stamps each line with a
 * fixed-width RFC 3339 nanosecond time; the cursor holds the last shipped line's time, how many
 * shipped lines carry exactly that time, and the last line number. Reading again from the
 * cursor's time (Docker's `since` is inclusive) replays those lines: they are skipped by count,
 * so after an agent restart no line is shipped twice and none is left out.
 */
export interface LogCursor {
  /** Docker's timestamp of the last shipped line; "" before the first. */
  time: string;
  /** Shipped lines stamped exactly `time`. */
  atTime: number;
  /** The last shipped line's number (lines count from 1 per container). */
  line: number;
}

/** Nothing shipped yet. */
export const startCursor: LogCursor = { time: "", atTime: 0, line: 0 };

/** One read's progress past the cursor it started from. */
export interface CursorReader {
  /** Where the read resumed; lines at or before it are skipped. */
  from: LogCursor;
  /** Lines stamped `from.time` skipped so far. */
  skippedAtTime: number;
  /** The cursor after the last line accepted. */
  at: LogCursor;
}

/** A reader resuming at `cursor`. */
export function resumeAt(cursor: LogCursor): CursorReader {
  return { from: cursor, skippedAtTime: 0, at: cursor };
}

/**
 * Whether one read line is new, and the reader after it. Lines are compared as strings: Docker's
 * fixed-width UTC stamps sort as they read. Pure.
 */
export function nextLine(r: CursorReader, time: string): { fresh: boolean; reader: CursorReader; cursor?: LogCursor } {
  if (r.from.time !== "" && time < r.from.time) return { fresh: false, reader: r };
  if (r.from.time !== "" && time === r.from.time && r.skippedAtTime < r.from.atTime) {
    return { fresh: false, reader: { ...r, skippedAtTime: r.skippedAtTime + 1 } };
  }
  const cursor: LogCursor = { time, atTime: time === r.at.time ? r.at.atTime + 1 : 1, line: r.at.line + 1 };
  return { fresh: true, reader: { ...r, at: cursor }, cursor };
}

/** Docker's `since` for resuming at a cursor: its time floored to the millisecond (0: from the start). */
export function sinceMsOf(cursor: LogCursor): number {
  if (cursor.time === "") return 0;
  const ms = Date.parse(cursor.time);
  return Number.isFinite(ms) ? ms : 0;
}

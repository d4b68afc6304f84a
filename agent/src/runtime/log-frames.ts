/**
 * Docker's log stream, decoded without I/O: the 8-byte multiplexing frames of a non-TTY
 * container (stream byte, three zero bytes, big-endian length) become per-stream bytes, and
 * bytes become whole lines, each with the timestamp Docker prefixed (`timestamps: true`).
 * Both keep at most one partial frame or line, and a line longer than `maxLineBytes` is cut
 * into pieces, so a container writing without line breaks cannot grow memory.
 */

/** Which output a piece of log came from. */
export type LogStreamName = "stdout" | "stderr";

/** One decoded frame's payload. */
export interface LogFrame {
  stream: LogStreamName;
  data: Buffer;
}

/** One line of a container's log. */
export interface DecodedLogLine {
  /** Docker's RFC 3339 nanosecond timestamp, "" when the line had none. */
  time: string;
  stream: LogStreamName;
  text: string;
}

const headerBytes = 8;

/**
 * Splits Docker's multiplexed stream into frames. A frame split across reads is held until
 * whole; its payload is handed on in pieces when larger than `maxHoldBytes`, so one huge frame
 * is never buffered entire.
 */
export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  /** Payload bytes still owed by the frame being read, and its stream. */
  private owed = 0;
  private stream: LogStreamName = "stdout";

  /** Frames (or frame pieces) completed by `chunk`, in order. */
  push(chunk: Buffer): LogFrame[] {
    const out: LogFrame[] = [];
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    for (;;) {
      if (this.owed > 0) {
        if (buf.length === 0) break;
        const take = Math.min(this.owed, buf.length);
        out.push({ stream: this.stream, data: buf.subarray(0, take) });
        this.owed -= take;
        buf = buf.subarray(take);
        continue;
      }
      if (buf.length < headerBytes) {
        this.pending = Buffer.from(buf);
        break;
      }
      // Stream 2 is stderr; 0 (stdin) and 1 are read as stdout.
      this.stream = buf[0] === 2 ? "stderr" : "stdout";
      this.owed = buf.readUInt32BE(4);
      buf = buf.subarray(headerBytes);
    }
    return out;
  }
}

/** Splits one stream's bytes into lines; a trailing partial line waits for the next bytes. */
export class LineSplitter {
  private partial: Buffer = Buffer.alloc(0);
  private lastTime = "";

  constructor(
    private readonly stream: LogStreamName,
    private readonly maxLineBytes = 16 * 1024,
  ) {}

  /** The lines `data` completes. */
  push(data: Buffer): DecodedLogLine[] {
    const out: DecodedLogLine[] = [];
    let buf = this.partial.length ? Buffer.concat([this.partial, data]) : data;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
      out.push(...this.cut(buf.subarray(0, nl)));
      buf = buf.subarray(nl + 1);
    }
    // A partial line past the cap goes out in pieces now rather than waiting for its end.
    while (buf.length > this.maxLineBytes) {
      out.push(this.decode(buf.subarray(0, this.maxLineBytes)));
      buf = buf.subarray(this.maxLineBytes);
    }
    this.partial = Buffer.from(buf);
    return out;
  }

  /** The last partial line, when the stream ended without a line break. */
  flush(): DecodedLogLine[] {
    const rest = this.partial;
    this.partial = Buffer.alloc(0);
    return rest.length ? [this.decode(rest)] : [];
  }

  private cut(line: Buffer): DecodedLogLine[] {
    const out: DecodedLogLine[] = [];
    for (let at = 0; at === 0 || at < line.length; at += this.maxLineBytes) out.push(this.decode(line.subarray(at, at + this.maxLineBytes)));
    return out;
  }

  // The pieces of a cut line carry no timestamp of their own: they take their line's, so
  // interleaving several containers keeps them in place.
  private decode(raw: Buffer): DecodedLogLine {
    const line = decodeLine(raw, this.stream);
    if (line.time) this.lastTime = line.time;
    else line.time = this.lastTime;
    return line;
  }
}

// Docker's prefix: RFC 3339 with nanoseconds, then one space.
const stamp = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) /;

/** One line with Docker's timestamp prefix split off (a piece of a cut line has none). */
export function decodeLine(raw: Buffer, stream: LogStreamName): DecodedLogLine {
  const s = raw.toString("utf8").replace(/\r$/, "");
  const m = stamp.exec(s);
  return m ? { time: m[1], stream, text: s.slice(m[0].length) } : { time: "", stream, text: s };
}

/** Docker's `since` parameter for a unix-ms time: seconds with nanoseconds, as the docker CLI sends it. */
export function dockerSince(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1_000_000).padStart(9, "0")}`;
}

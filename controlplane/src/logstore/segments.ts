import { appendFile, readFile, readdir, rm, truncate, writeFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { parseSegmentFileName, segmentFileName, segmentIndexFileName } from "./names.js";

/** One stored event: time, sequence in its stream, ingestion time, message, and its source. */
export interface StoredEvent {
  timestamp: number;
  seq: number;
  ingestionTime: number;
  message: string;
  /** The agent line source (a container) and its line number there, for exactly-once retries. */
  source?: [string, number];
}

/** One segment file's place in the stream's index: what a query needs to skip it unread. */
export interface SegmentInfo {
  file: string;
  counter: number;
  minMs: number;
  maxMs: number;
  bytes: number;
  count: number;
  lastSeq: number;
  /** Highest line number per source in this segment (restores dedupe state after a restart). */
  sources: Record<string, number>;
  sealed: boolean;
}

/** The on-disk line of one event (short keys: they are written for every line). */
interface EventLine {
  t: number;
  n: number;
  i: number;
  m: string;
  a?: [string, number];
}

/** One event's line, with its newline. */
export function eventLine(e: StoredEvent): string {
  const line: EventLine = { t: e.timestamp, n: e.seq, i: e.ingestionTime, m: e.message };
  if (e.source) line.a = e.source;
  return `${JSON.stringify(line)}\n`;
}

/** Parses a segment's text; a torn last line (a crash mid-append) is left out. */
export function parseSegment(text: string): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (const raw of text.split("\n")) {
    if (!raw) continue;
    try {
      const l = JSON.parse(raw) as EventLine;
      out.push({ timestamp: l.t, seq: l.n, ingestionTime: l.i, message: l.m, ...(l.a ? { source: l.a } : {}) });
    } catch {
      // torn line: it was never acknowledged
    }
  }
  return out;
}

/** A fresh, empty segment's index entry. */
export function newSegment(counter: number, firstMs: number): SegmentInfo {
  return { file: segmentFileName({ counter, firstMs }), counter, minMs: firstMs, maxMs: firstMs, bytes: 0, count: 0, lastSeq: 0, sources: {}, sealed: false };
}

/** Folds appended events into a segment's index entry. */
export function recordAppend(seg: SegmentInfo, events: readonly StoredEvent[], bytes: number): void {
  for (const e of events) {
    if (seg.count === 0) seg.minMs = seg.maxMs = e.timestamp;
    seg.minMs = Math.min(seg.minMs, e.timestamp);
    seg.maxMs = Math.max(seg.maxMs, e.timestamp);
    seg.lastSeq = Math.max(seg.lastSeq, e.seq);
    seg.count++;
    if (e.source) seg.sources[e.source[0]] = Math.max(seg.sources[e.source[0]] ?? 0, e.source[1]);
  }
  seg.bytes += bytes;
}

/**
 * Appends events to a segment file (one write: a crash tears at most the last line). A write that
 * fails part-way (a full disk) is cut back to the segment's known length: the lines it left were
 * never acknowledged, and the retry would store them again after a torn line that eats its first.
 */
export async function appendSegment(dir: string, seg: SegmentInfo, events: readonly StoredEvent[]): Promise<number> {
  const text = events.map(eventLine).join("");
  try {
    await appendFile(join(dir, seg.file), text, "utf8");
  } catch (err) {
    await truncate(join(dir, seg.file), seg.bytes).catch(() => undefined);
    throw err;
  }
  const bytes = Buffer.byteLength(text, "utf8");
  recordAppend(seg, events, bytes);
  return bytes;
}

/** Seals a segment: its index goes to the sidecar so a restart need not read the segment. */
export async function sealSegment(dir: string, seg: SegmentInfo): Promise<void> {
  seg.sealed = true;
  const file = join(dir, segmentIndexFileName(seg.file));
  await writeFile(`${file}.tmp`, JSON.stringify(seg), "utf8");
  await rename(`${file}.tmp`, file);
}

/** Reads a segment's events. */
export async function readSegment(dir: string, seg: SegmentInfo): Promise<StoredEvent[]> {
  try {
    return parseSegment(await readFile(join(dir, seg.file), "utf8"));
  } catch (err) {
    // Swept away while a query was reading the index: it holds nothing any more.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/** Deletes a segment and its sidecar. */
export async function removeSegment(dir: string, seg: SegmentInfo): Promise<void> {
  await rm(join(dir, seg.file), { force: true });
  await rm(join(dir, segmentIndexFileName(seg.file)), { force: true });
}

/**
 * A stream folder's segments, oldest first: sealed ones from their sidecars, unsealed ones (at
 * most the last, after a crash) by reading them.
 */
export async function loadSegments(dir: string): Promise<SegmentInfo[]> {
  const files = (await readdir(dir)).sort();
  const out: SegmentInfo[] = [];
  for (const file of files) {
    const name = parseSegmentFileName(file);
    if (!name) continue;
    const sidecar = await readFile(join(dir, segmentIndexFileName(file)), "utf8").then((t) => JSON.parse(t) as SegmentInfo, () => undefined);
    if (sidecar) {
      out.push({ ...sidecar, file, sealed: true });
      continue;
    }
    const seg = newSegment(name.counter, name.firstMs);
    seg.file = file;
    // A crash mid-append leaves a torn last line without its newline: it is cut off, or the
    // next append would be glued onto it and the (acknowledged) event lost with it.
    const raw = await readFile(join(dir, file));
    const whole = raw.lastIndexOf(0x0a) + 1;
    if (whole < raw.length) await truncate(join(dir, file), whole);
    recordAppend(seg, parseSegment(raw.subarray(0, whole).toString("utf8")), whole);
    out.push(seg);
  }
  return out;
}

/**
 * How the log store names things on disk, without I/O. Group and stream names may hold any
 * character CloudWatch allows (`/`, `#`, `.`, …), so their folders are hex of the UTF-8 name:
 * unique, reversible and safe on every file system. Segments are named by the first event time
 * they hold and a counter, so a listing sorts in write order and a name alone says where a
 * segment starts.
 */

/** A folder name for a group or stream name. */
export function encodeName(name: string): string {
  return Buffer.from(name, "utf8").toString("hex");
}

/** The name a folder stands for, or undefined when the folder is not one of ours. */
export function decodeName(dir: string): string | undefined {
  if (dir.length === 0 || dir.length % 2 !== 0 || !/^[0-9a-f]+$/.test(dir)) return undefined;
  return Buffer.from(dir, "hex").toString("utf8");
}

/** One segment file's identity: its counter within the stream and its first event's time. */
export interface SegmentName {
  counter: number;
  firstMs: number;
}

const segmentPattern = /^seg-(\d{8})-(\d{13})\.jsonl$/;

/** `seg-<counter, 8 digits>-<first event ms, 13 digits>.jsonl`: sorts by counter. */
export function segmentFileName(s: SegmentName): string {
  return `seg-${String(s.counter).padStart(8, "0")}-${String(Math.max(0, s.firstMs)).padStart(13, "0")}.jsonl`;
}

/** The segment a file name stands for, or undefined for any other file. */
export function parseSegmentFileName(file: string): SegmentName | undefined {
  const m = segmentPattern.exec(file);
  return m ? { counter: Number(m[1]), firstMs: Number(m[2]) } : undefined;
}

/** The sidecar that a sealed segment's time range and size are kept in. */
export function segmentIndexFileName(segmentFile: string): string {
  return segmentFile.replace(/\.jsonl$/, ".idx.json");
}

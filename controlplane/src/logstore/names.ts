/**
 * How the log store names things on disk, without I/O. Group and stream names may hold any
 * character CloudWatch allows (`/`, `#`, `.`, …), so their folders are hex of the UTF-8 name:
 * unique and safe on every file system (a long name's folder ends in its digest instead). Segments are named by the first event time
 * they hold and a counter, so a listing sorts in write order and a name alone says where a
 * segment starts.
 */

import { createHash } from "node:crypto";

/** The longest folder that is the whole name in hex (file systems allow 255 bytes a name). */
const maxWholeHex = 200;

/** How much of a long name's hex its folder keeps before the digest (so it reads in `ls`). */
const longPrefixHex = 160;

/**
 * A folder name for a group or stream name: its hex, or, for a name too long for that (CloudWatch
 * allows 512 characters, 1,024+ hex digits), the start of its hex and its SHA-256: 224 digits, a
 * length no whole-name folder has, so the two kinds never collide. The real name is in the
 * folder's group.json / stream.json.
 */
export function encodeName(name: string): string {
  const hex = Buffer.from(name, "utf8").toString("hex");
  if (hex.length <= maxWholeHex) return hex;
  return hex.slice(0, longPrefixHex) + createHash("sha256").update(name, "utf8").digest("hex");
}

/** Whether a folder is one of ours: a name's hex or a long name's digest folder. */
export function isNameFolder(dir: string): boolean {
  return dir.length > 0 && dir.length % 2 === 0 && /^[0-9a-f]+$/.test(dir);
}

/** The name a (whole-name) folder stands for, or undefined when the folder is not one of ours or holds a digest. */
export function decodeName(dir: string): string | undefined {
  if (!isNameFolder(dir) || dir.length > maxWholeHex) return undefined;
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

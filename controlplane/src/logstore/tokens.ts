import { InvalidParameterException } from "@berth/shared";

/**
 * Paging tokens, without I/O. Every stored event has a key: its timestamp and its sequence
 * number within the stream (the order it was appended). GetLogEvents pages one stream by
 * `[timestamp, seq]`; FilterLogEvents pages streams merged by `[timestamp, stream, seq]`. A
 * token holds the key of the last event returned, so the next page starts right after it and
 * events appended meanwhile at later times are not missed. With several control-plane replicas
 * each keeps a store of its own (api/logs/fan-out.ts merges them): a key then also names the
 * store (its id, fixed for the store's folder), ordered between the time and the sequence.
 */

/** Where a page of one stream ends: the key of an event, or a boundary. */
export interface StreamPosition {
  timestamp: number;
  seq: number;
  /** The store the event is in; absent (ordered first) on tokens from before stores were named. */
  store?: string;
}

/** Where a FilterLogEvents page ends. */
export interface FilterPosition extends StreamPosition {
  stream: string;
}

/** GetLogEvents' tokens: `f/` pages forward (newer), `b/` backward (older), as AWS's look. */
export function encodeStreamToken(direction: "f" | "b", p: StreamPosition): string {
  return `${direction}/${String(p.timestamp).padStart(20, "0")}/${p.store ? `${p.store}/` : ""}${String(p.seq).padStart(20, "0")}`;
}

/** A GetLogEvents token back into direction and position; a foreign token is refused by field. */
export function decodeStreamToken(token: string, field = "nextToken"): { direction: "f" | "b"; position: StreamPosition } {
  const m = /^([fb])\/(-?\d{1,20})\/(?:([0-9a-f]{1,32})\/)?(\d{1,20})$/.exec(token);
  if (!m) throw new InvalidParameterException(`${field}: the token is not one this log store issued`);
  return { direction: m[1] as "f" | "b", position: { timestamp: Number(m[2]), seq: Number(m[4]), ...(m[3] && { store: m[3] }) } };
}

/** FilterLogEvents' nextToken: base64url of the last returned event's key. */
export function encodeFilterToken(p: FilterPosition): string {
  return Buffer.from(JSON.stringify(p.store ? [p.timestamp, p.stream, p.seq, p.store] : [p.timestamp, p.stream, p.seq]), "utf8").toString("base64url");
}

/** A FilterLogEvents nextToken back into its position. */
export function decodeFilterToken(token: string): FilterPosition {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    const store = v instanceof Array && v.length === 4 && typeof v[3] === "string" && /^[0-9a-f]{1,32}$/.test(v[3]) ? (v[3] as string) : undefined;
    if (Array.isArray(v) && (v.length === 3 || store) && Number.isSafeInteger(v[0]) && typeof v[1] === "string" && Number.isSafeInteger(v[2])) {
      return { timestamp: v[0] as number, stream: v[1] as string, seq: v[2] as number, ...(store && { store }) };
    }
  } catch {
    // falls through to the refusal
  }
  throw new InvalidParameterException("nextToken: the token is not one this log store issued");
}

/** Orders stream events by key. */
export function compareStreamPositions(a: StreamPosition, b: StreamPosition): number {
  return a.timestamp - b.timestamp || compareStores(a.store, b.store) || a.seq - b.seq;
}

function compareStores(a = "", b = ""): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders merged events by key: time, then stream name, then sequence. */
export function compareFilterPositions(a: FilterPosition, b: FilterPosition): number {
  return a.timestamp - b.timestamp || (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0) || compareStores(a.store, b.store) || a.seq - b.seq;
}

import { InvalidParameterException, ResourceNotFoundException } from "@berth/shared";
import {
  compareFilterPositions,
  compareStreamPositions,
  decodeFilterToken,
  decodeStreamToken,
  encodeFilterToken,
  encodeName,
  encodeStreamToken,
  matchesFilterPattern,
  pageMerged,
  pageStream,
  parseFilterPattern,
} from "../../../logstore/index.js";
import { groupOf } from "../shapes.js";
import type { LogsContext } from "./groups.js";

const defaultLimit = 10_000;

/** A time range from the request: startTime inclusive, endTime exclusive (as CloudWatch Logs). */
function range(input: { startTime?: number; endTime?: number }): [number, number] {
  const start = input.startTime ?? 0;
  const end = input.endTime ?? Number.MAX_SAFE_INTEGER;
  if (end < start) throw new InvalidParameterException("endTime: must not be before startTime");
  return [start, end];
}

/** The request's time range narrowed to what lies past the token (its own time included). Pure. */
export function tokenRange([start, end]: [number, number], token: { direction: "f" | "b"; position: { timestamp: number } } | undefined): [number, number] {
  if (token?.direction === "f") return [Math.max(start, token.position.timestamp), end];
  if (token?.direction === "b") return [start, Math.min(end, token.position.timestamp + 1)];
  return [start, end];
}

/**
 * GetLogEvents: one stream's events in order. Without a token, the newest `limit` (or, with
 * startFromHead, the oldest); `f/` tokens page on towards newer events and `b/` towards older.
 * At the end the forward token comes back unchanged, which is how clients know to stop.
 */
export async function getLogEvents(
  ctx: LogsContext,
  input: { logGroupName?: string; logGroupIdentifier?: string; logStreamName: string; startTime?: number; endTime?: number; nextToken?: string; limit?: number; startFromHead?: boolean },
): Promise<object> {
  const group = groupOf(input);
  const token = input.nextToken === undefined ? undefined : decodeStreamToken(input.nextToken);
  // A token bounds the read by time too, so a page opens no segment wholly before (after) it:
  // paging a long stream reads each segment about once, not once per page.
  const [start, end] = tokenRange(range(input), token);
  const limit = input.limit ?? defaultLimit;
  const store = ctx.store.id;
  // Only the page's events are read (the store stops at `limit`); pageStream then cuts the same page.
  const near = (
    await ctx.store.readBounded(group, input.logStreamName, start, end, {
      limit,
      newest: token ? token.direction === "b" : !input.startFromHead,
      keep: token ? (e) => (token.direction === "f" ? compareStreamPositions({ ...e, store }, token.position) > 0 : compareStreamPositions({ ...e, store }, token.position) < 0) : () => true,
    })
  ).map((e) => ({ ...e, store }));
  const page = pageStream(near, { token, limit, startFromHead: input.startFromHead });
  return {
    // A replica asking for the merge (api/logs/fan-out.ts) is also given each event's key.
    events: page.events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, ...(ctx.peer && { berthKey: [e.store, e.seq] }) })),
    nextForwardToken: encodeStreamToken("f", page.forward),
    nextBackwardToken: encodeStreamToken("b", page.backward),
  };
}

/**
 * FilterLogEvents: events of the named streams (or of those with the prefix, or all) merged in
 * time order, matching the filter pattern, from the page the token names. This is what
 * `aws logs tail` polls; it dedupes by eventId, so an event's id is stable.
 */
export async function filterLogEvents(
  ctx: LogsContext,
  input: {
    logGroupName?: string;
    logGroupIdentifier?: string;
    logStreamNames?: string[];
    logStreamNamePrefix?: string;
    startTime?: number;
    endTime?: number;
    filterPattern?: string;
    nextToken?: string;
    limit?: number;
  },
): Promise<object> {
  const group = groupOf(input);
  if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
    throw new InvalidParameterException("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
  }
  const after = input.nextToken === undefined ? undefined : decodeFilterToken(input.nextToken);
  const [start, end] = tokenRange(range(input), after && { direction: "f", position: after });
  const pattern = parseFilterPattern(input.filterPattern);
  const known = ctx.store.listStreams(group).map((s) => s.name);
  // Asked for a merge, a stream this store lacks may be in another's: the merge decides.
  const unknown = (input.logStreamNames ?? []).filter((name) => !known.includes(name));
  if (unknown.length > 0 && !ctx.peer) throw new ResourceNotFoundException("The specified log stream does not exist.");
  const streams = known.filter((n) => (input.logStreamNames ? input.logStreamNames.includes(n) : input.logStreamNamePrefix === undefined || n.startsWith(input.logStreamNamePrefix)));
  const limit = input.limit ?? defaultLimit;
  const store = ctx.store.id;
  // endTime is inclusive here: "events with a timestamp later than this time are not returned".
  // Each stream gives at most its first limit + 1 matching events past the token: enough for
  // the merged page and to know whether more remain, and no more in memory.
  const merged = (
    await Promise.all(
      streams.map(async (stream) =>
        (
          await ctx.store.readBounded(group, stream, start, end === Number.MAX_SAFE_INTEGER ? end : end + 1, {
            limit: limit + 1,
            keep: (e) => (after === undefined || compareFilterPositions({ ...e, stream, store }, after) > 0) && matchesFilterPattern(pattern, e.message),
          })
        ).map((e) => ({ ...e, stream, store })),
      ),
    )
  ).flat();
  const page = pageMerged(merged, { after, limit });
  return {
    events: page.events.map((e) => ({
      logStreamName: e.stream,
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: e.ingestionTime,
      eventId: eventIdOf(e.stream, e.store, e.seq),
      ...(ctx.peer && { berthKey: [e.store, e.seq] }),
    })),
    searchedLogStreams: [],
    ...(page.next ? { nextToken: encodeFilterToken(page.next) } : {}),
    ...(unknown.length > 0 && { berthUnknownStreams: unknown }),
  };
}

/** A FilterLogEvents eventId: stable, and unique across the replicas' stores. */
export function eventIdOf(stream: string, store: string, seq: number): string {
  return `${encodeName(stream)}-${store}-${seq}`;
}

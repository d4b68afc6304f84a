import { compareFilterPositions, compareStreamPositions, type FilterPosition, type StreamPosition } from "./tokens.js";

/** GetLogEvents' page of one stream's events (sorted by key), and where the next pages start. */
export interface StreamPage<E extends StreamPosition> {
  events: E[];
  /** Key of the newest event returned, or where the request started when none was. */
  forward: StreamPosition;
  /** Key of the oldest event returned, or where the request started when none was. */
  backward: StreamPosition;
}

/**
 * One GetLogEvents page, as CloudWatch Logs pages: without a token the newest `limit` events
 * (the oldest with startFromHead); forward from a token the next newer ones, backward the next
 * older ones. With nothing new the forward position is the token's own, so clients see the same
 * token come back and stop. Pure.
 */
export function pageStream<E extends StreamPosition>(
  sorted: readonly E[],
  opts: { token?: { direction: "f" | "b"; position: StreamPosition }; limit: number; startFromHead?: boolean },
): StreamPage<E> {
  const { token, limit } = opts;
  let events: E[];
  if (token?.direction === "f") events = sorted.filter((e) => compareStreamPositions(e, token.position) > 0).slice(0, limit);
  else if (token?.direction === "b") events = sorted.filter((e) => compareStreamPositions(e, token.position) < 0).slice(-limit);
  else events = opts.startFromHead ? sorted.slice(0, limit) : sorted.slice(-limit);
  const origin = token?.position ?? { timestamp: 0, seq: 0 };
  const first = events[0] ?? origin;
  const last = events[events.length - 1] ?? origin;
  const at = (e: StreamPosition): StreamPosition => ({ timestamp: e.timestamp, seq: e.seq, ...(e.store && { store: e.store }) });
  return { events, forward: at(last), backward: at(first) };
}

/**
 * One FilterLogEvents page over several streams' events: merged in key order (time, stream,
 * sequence), those after the token's position, at most `limit`; `next` is set when more remain
 * (`more`: a store merged in had more than it gave). Pure.
 */
export function pageMerged<E extends FilterPosition>(events: readonly E[], opts: { after?: FilterPosition; limit: number; more?: boolean }): { events: E[]; next?: FilterPosition } {
  const rest = events.filter((e) => opts.after === undefined || compareFilterPositions(e, opts.after) > 0).sort(compareFilterPositions);
  const page = rest.slice(0, opts.limit);
  const last = page[page.length - 1];
  const more = rest.length > opts.limit || opts.more === true;
  return more && last ? { events: page, next: { timestamp: last.timestamp, stream: last.stream, seq: last.seq, ...(last.store && { store: last.store }) } } : { events: page };
}

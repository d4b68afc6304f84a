import {
  compareStreamPositions,
  decodeFilterToken,
  decodeStreamToken,
  encodeFilterToken,
  encodeStreamToken,
  pageMerged,
  pageStream,
} from "../../logstore/index.js";
import { ResourceNotFoundException } from "@berth/shared";
import { pageOf } from "./shapes.js";

/*
 * Merging the answers of several replicas' log stores into the one answer a client gets (see
 * fan-out.ts). Each store answered the same request from its own events, in peer mode: events
 * carry their key (`berthKey: [store, seq]`) and listings come whole. A page is cut from the
 * merge exactly as one store cuts its own, by the same keys, so tokens work across the merge:
 * each store, given the token, returns its events past that key.
 */

/** One store's answer: the HTTP status and the parsed JSON body. */
export interface StoreAnswer {
  status: number;
  body: Record<string, any>;
}

const notFound = "ResourceNotFoundException";
const typeOf = (a: StoreAnswer) => String(a.body.__type ?? "").split("#").pop();

/**
 * Which answer decides before any merge: a refusal other than "not found" (the same request is
 * refused the same everywhere; the first, this replica's own, is given), or "not found" when
 * every store said so. Undefined when the found answers are to be merged. Pure.
 */
export function decidingAnswer(answers: readonly StoreAnswer[]): StoreAnswer | undefined {
  const refused = answers.find((a) => a.status !== 200 && typeOf(a) !== notFound);
  if (refused) return refused;
  return answers.some((a) => a.status === 200) ? undefined : answers[0];
}

/** The answers that found something. */
const found = (answers: readonly StoreAnswer[]) => answers.filter((a) => a.status === 200);

type KeyedEvent = { timestamp: number; message: string; ingestionTime: number; store: string; seq: number; logStreamName?: string; eventId?: string };

function keyed(answers: readonly StoreAnswer[]): KeyedEvent[] {
  return found(answers).flatMap((a) =>
    ((a.body.events ?? []) as Record<string, any>[]).map((e) => {
      const [store, seq] = e.berthKey as [string, number];
      return { timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, store, seq, logStreamName: e.logStreamName, eventId: e.eventId };
    }),
  );
}

/** GetLogEvents over every store: one stream's page, cut from the merge by key. Pure. */
export function mergeGetLogEvents(input: { nextToken?: string; limit?: number; startFromHead?: boolean }, answers: readonly StoreAnswer[]): object {
  const token = input.nextToken === undefined ? undefined : decodeStreamToken(input.nextToken);
  const events = keyed(answers).sort(compareStreamPositions);
  const page = pageStream(events, { token, limit: input.limit ?? 10_000, startFromHead: input.startFromHead });
  return {
    events: page.events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
    nextForwardToken: encodeStreamToken("f", page.forward),
    nextBackwardToken: encodeStreamToken("b", page.backward),
  };
}

/**
 * FilterLogEvents over every store: merged by (time, stream, store, sequence); more remain when
 * the merge is longer than the page or a store had more than it gave. Pure.
 */
export function mergeFilterLogEvents(input: { nextToken?: string; limit?: number; logStreamNames?: string[] }, answers: readonly StoreAnswer[]): object {
  // A stream named is missing only when no store has it.
  const nowhere = (input.logStreamNames ?? []).filter((n) => found(answers).every((a) => ((a.body.berthUnknownStreams ?? []) as string[]).includes(n)));
  if (nowhere.length > 0) throw new ResourceNotFoundException("The specified log stream does not exist.");
  const after = input.nextToken === undefined ? undefined : decodeFilterToken(input.nextToken);
  const events = keyed(answers).map((e) => ({ ...e, stream: e.logStreamName ?? "" }));
  const page = pageMerged(events, { after, limit: input.limit ?? 10_000, more: found(answers).some((a) => a.body.nextToken !== undefined) });
  return {
    events: page.events.map((e) => ({ logStreamName: e.stream, timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, eventId: e.eventId })),
    searchedLogStreams: [],
    ...(page.next ? { nextToken: encodeFilterToken(page.next) } : {}),
  };
}

const min = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
const max = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * DescribeLogStreams over every store: a stream several stores hold (its agent's session moved
 * between replicas) is one stream, spanning them all; ordered and paged as one store does. Pure.
 */
export function mergeDescribeLogStreams(input: { orderBy?: string; descending?: boolean; limit?: number; nextToken?: string }, answers: readonly StoreAnswer[]): object {
  const streams = new Map<string, Record<string, any>>();
  for (const a of found(answers)) {
    for (const s of (a.body.logStreams ?? []) as Record<string, any>[]) {
      const had = streams.get(s.logStreamName);
      if (!had) {
        streams.set(s.logStreamName, { ...s });
        continue;
      }
      had.creationTime = min(had.creationTime, s.creationTime);
      const first = min(had.firstEventTimestamp, s.firstEventTimestamp);
      const last = max(had.lastEventTimestamp, s.lastEventTimestamp);
      const ingested = max(had.lastIngestionTime, s.lastIngestionTime);
      if (first !== undefined) Object.assign(had, { firstEventTimestamp: first, lastEventTimestamp: last });
      if (ingested !== undefined) had.lastIngestionTime = ingested;
    }
  }
  let list = [...streams.values()].sort((a, b) => byName(a.logStreamName, b.logStreamName));
  if (input.orderBy === "LastEventTime") list = list.sort((a, b) => (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) || byName(a.logStreamName, b.logStreamName));
  if (input.descending) list = list.reverse();
  const { page, nextToken } = pageOf(list, input.limit, input.nextToken);
  return { logStreams: page, ...(nextToken ? { nextToken } : {}) };
}

/** DescribeLogGroups over every store: one group per name, its bytes summed; paged by name. Pure. */
export function mergeDescribeLogGroups(input: { limit?: number; nextToken?: string }, answers: readonly StoreAnswer[]): object {
  const groups = new Map<string, Record<string, any>>();
  for (const a of found(answers)) {
    for (const g of (a.body.logGroups ?? []) as Record<string, any>[]) {
      const had = groups.get(g.logGroupName);
      if (!had) {
        groups.set(g.logGroupName, { ...g });
        continue;
      }
      had.creationTime = min(had.creationTime, g.creationTime);
      had.storedBytes = (had.storedBytes ?? 0) + (g.storedBytes ?? 0);
      if (had.retentionInDays === undefined && g.retentionInDays !== undefined) had.retentionInDays = g.retentionInDays;
    }
  }
  const list = [...groups.values()].sort((a, b) => byName(a.logGroupName, b.logGroupName));
  const { page, nextToken } = pageOf(list, input.limit, input.nextToken);
  return { logGroups: page, ...(nextToken ? { nextToken } : {}) };
}

/** The read operations answered from every store, each with its merge. */
export const mergedReads: Partial<Record<string, (input: any, answers: readonly StoreAnswer[]) => object>> = {
  GetLogEvents: mergeGetLogEvents,
  FilterLogEvents: mergeFilterLogEvents,
  DescribeLogStreams: mergeDescribeLogStreams,
  DescribeLogGroups: mergeDescribeLogGroups,
};

/** Changes to what every store holds of a group, applied to each (a group may be on several). */
export const broadcastWrites = new Set(["DeleteLogGroup", "DeleteLogStream", "PutRetentionPolicy", "DeleteRetentionPolicy"]);

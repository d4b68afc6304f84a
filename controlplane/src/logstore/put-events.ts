import { InvalidParameterException } from "@berth/shared";
import { retentionCutoffMs } from "./sweep-plan.js";

/** One event as PutLogEvents sends it. */
export interface InputLogEvent {
  timestamp: number;
  message: string;
}

/** PutLogEvents' `rejectedLogEventsInfo`: index bounds of the events that were not stored. */
export interface RejectedLogEventsInfo {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

const hourMs = 3_600_000;
/** AWS refuses events older than 14 days, newer than 2 hours ahead, and a batch over 24 hours. */
export const putEventLimits = { maxAgeMs: 14 * 24 * hourMs, maxAheadMs: 2 * hourMs, maxSpanMs: 24 * hourMs };

/**
 * Which events of a PutLogEvents batch are stored, as CloudWatch Logs decides: the batch must be
 * in chronological order and span at most 24 hours (else the whole call fails); events too old,
 * past the group's retention or too far ahead are skipped and reported by index. Pure.
 */
export function acceptLogEvents(
  events: readonly InputLogEvent[],
  nowMs: number,
  retentionInDays: number | undefined,
): { accepted: InputLogEvent[]; rejected?: RejectedLogEventsInfo } {
  for (let i = 1; i < events.length; i++) {
    if (events[i].timestamp < events[i - 1].timestamp) {
      throw new InvalidParameterException("Log events in a single PutLogEvents request must be in chronological order.");
    }
  }
  if (events.length > 1 && events[events.length - 1].timestamp - events[0].timestamp > putEventLimits.maxSpanMs) {
    throw new InvalidParameterException("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  }
  const rejected: RejectedLogEventsInfo = {};
  const cutoff = retentionCutoffMs(retentionInDays, nowMs);
  const accepted: InputLogEvent[] = [];
  events.forEach((e, i) => {
    if (e.timestamp > nowMs + putEventLimits.maxAheadMs) rejected.tooNewLogEventStartIndex ??= i;
    else if (e.timestamp < nowMs - putEventLimits.maxAgeMs) rejected.tooOldLogEventEndIndex = i;
    else if (cutoff !== undefined && e.timestamp < cutoff) rejected.expiredLogEventEndIndex = i;
    else accepted.push(e);
  });
  return Object.keys(rejected).length > 0 ? { accepted, rejected } : { accepted };
}

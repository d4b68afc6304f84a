import { InvalidParameterException, type ArnScope } from "@berth/shared";
import type { LogGroupMeta, LogStreamView } from "../../logstore/index.js";

/** `arn:aws:logs:<region>:<account>:log-group:<name>` (logGroupArn; `arn` adds `:*`). */
export function logGroupArn(scope: ArnScope, name: string): string {
  return `arn:aws:logs:${scope.region}:${scope.account}:log-group:${name}`;
}

/** DescribeLogGroups' LogGroup. */
export function logGroupShape(scope: ArnScope, g: LogGroupMeta & { storedBytes: number }): object {
  const arn = logGroupArn(scope, g.name);
  return {
    logGroupName: g.name,
    creationTime: g.createdMs,
    ...(g.retentionInDays === undefined ? {} : { retentionInDays: g.retentionInDays }),
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: g.storedBytes,
    logGroupClass: "STANDARD",
    logGroupArn: arn,
  };
}

/** DescribeLogStreams' LogStream. */
export function logStreamShape(scope: ArnScope, group: string, s: LogStreamView): object {
  return {
    logStreamName: s.name,
    creationTime: s.createdMs,
    ...(s.firstEventMs === undefined ? {} : { firstEventTimestamp: s.firstEventMs, lastEventTimestamp: s.lastEventMs }),
    ...(s.lastIngestionMs === undefined ? {} : { lastIngestionTime: s.lastIngestionMs }),
    arn: `${logGroupArn(scope, group)}:log-stream:${s.name}`,
    storedBytes: 0,
  };
}

/**
 * The group a request names: `logGroupName`, or `logGroupIdentifier` (a name or an ARN, as
 * newer clients send); exactly one of them.
 */
export function groupOf(input: { logGroupName?: string; logGroupIdentifier?: string }): string {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
    throw new InvalidParameterException("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  const id = input.logGroupName ?? input.logGroupIdentifier;
  if (id === undefined) throw new InvalidParameterException("Should provide either logGroupName or logGroupIdentifier.");
  const m = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(:\*)?$/.exec(id);
  return m ? m[1] : id;
}

/** A page of an ordered list: nextToken is the offset of the next item, opaque to clients. */
export function pageOf<T>(items: readonly T[], limit: number | undefined, token: string | undefined, max = 50): { page: T[]; nextToken?: string } {
  const from = token === undefined ? 0 : Number(/^o(\d{1,9})$/.exec(token)?.[1] ?? NaN);
  if (!Number.isInteger(from)) throw new InvalidParameterException("nextToken: the token is not one this log store issued");
  const n = limit ?? max;
  const page = items.slice(from, from + n);
  return from + n < items.length ? { page, nextToken: `o${from + n}` } : { page };
}

/**
 * At most this many groups or streams go from one replica's store to another's merge: a bound on
 * the memory one listing takes there (a larger listing is cut, in the listing's order).
 */
export const peerListingCap = 10_000;

/** The retention periods CloudWatch Logs accepts (the model's `Days` documentation). */
export const retentionDays: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * The model's name patterns, matched whole as CloudWatch Logs does (the generated validators
 * match botocore's unanchored patterns anywhere in the value, as JSON Schema does).
 */
export function checkName(field: "logGroupName" | "logStreamName", value: string): void {
  const pattern = field === "logGroupName" ? /^[.\-_/#A-Za-z0-9]+$/ : /^[^:*]*$/;
  if (!pattern.test(value)) {
    throw new InvalidParameterException(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${field === "logGroupName" ? "[\\.\\-_/#A-Za-z0-9]+" : "[^:*]*"}`);
  }
}

import { InvalidParameterException } from "@berth/shared";
import { acceptLogEvents, type InputLogEvent } from "../../../logstore/index.js";
import { checkName, groupOf, logStreamShape, pageOf, peerListingCap } from "../shapes.js";
import { ensureLocalGroup } from "./ensure-group.js";
import type { LogsContext } from "./groups.js";

/** CreateLogStream. */
export async function createLogStream(ctx: LogsContext, input: { logGroupName: string; logStreamName: string }): Promise<object> {
  checkName("logStreamName", input.logStreamName);
  await ensureLocalGroup(ctx.store, ctx.registry, input.logGroupName);
  await ctx.store.createStream(input.logGroupName, input.logStreamName);
  return {};
}

/** DeleteLogStream. */
export async function deleteLogStream(ctx: LogsContext, input: { logGroupName: string; logStreamName: string }): Promise<object> {
  await ctx.store.deleteStream(input.logGroupName, input.logStreamName);
  return {};
}

/** DescribeLogStreams by name prefix, or by last event time; ascending unless `descending`. */
export async function describeLogStreams(
  ctx: LogsContext,
  input: { logGroupName?: string; logGroupIdentifier?: string; logStreamNamePrefix?: string; orderBy?: "LogStreamName" | "LastEventTime"; descending?: boolean; limit?: number; nextToken?: string },
): Promise<object> {
  const group = groupOf(input);
  if (input.orderBy === "LastEventTime" && input.logStreamNamePrefix !== undefined) {
    throw new InvalidParameterException("Cannot order by LastEventTime with a logStreamNamePrefix.");
  }
  let streams = ctx.store.listStreams(group).filter((s) => input.logStreamNamePrefix === undefined || s.name.startsWith(input.logStreamNamePrefix));
  if (input.orderBy === "LastEventTime") streams = [...streams].sort((a, b) => (a.lastEventMs ?? 0) - (b.lastEventMs ?? 0) || (a.name < b.name ? -1 : 1));
  if (input.descending) streams = [...streams].reverse();
  // A replica merging the stores' answers gets the whole listing and pages the merge itself.
  if (ctx.peer) return { logStreams: streams.slice(0, peerListingCap).map((s) => logStreamShape(ctx.scope, group, s)) };
  const { page, nextToken } = pageOf(streams, input.limit, input.nextToken);
  return { logStreams: page.map((s) => logStreamShape(ctx.scope, group, s)), ...(nextToken ? { nextToken } : {}) };
}

/** PutLogEvents: stored as CloudWatch Logs accepts them; skipped ones reported by index. */
export async function putLogEvents(ctx: LogsContext, input: { logGroupName: string; logStreamName: string; logEvents: InputLogEvent[] }): Promise<object> {
  await ensureLocalGroup(ctx.store, ctx.registry, input.logGroupName);
  const retention = ctx.store.group(input.logGroupName).retentionInDays;
  const { accepted, rejected } = acceptLogEvents(input.logEvents, Date.now(), retention);
  // Called even when every event was refused: a missing stream is still ResourceNotFoundException.
  await ctx.store.append(input.logGroupName, input.logStreamName, accepted);
  return rejected ? { rejectedLogEventsInfo: rejected } : {};
}

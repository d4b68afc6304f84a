import { InvalidParameterException, ResourceAlreadyExistsException, ResourceNotFoundException, type ArnScope } from "@berth/shared";
import type { LogGroupRegistry } from "../../../core/index.js";
import type { LogStore } from "../../../logstore/index.js";
import { ensureLocalGroup } from "./ensure-group.js";
import { checkName, groupOf, logGroupShape, pageOf, peerListingCap, retentionDays } from "../shapes.js";

/** What the Logs actions work on: the store and the ARN scope. */
export interface LogsContext {
  store: LogStore;
  scope: ArnScope;
  /**
   * Set when another replica asks, to merge this store's answer with the others'
   * (api/logs/fan-out.ts): events carry their keys, listings come whole (the merger pages them).
   */
  peer?: boolean;
  /** The groups every replica knows (etcd); without it each store's groups are its own. */
  registry?: LogGroupRegistry;
}

/** CreateLogGroup. */
export async function createLogGroup(ctx: LogsContext, input: { logGroupName: string }): Promise<object> {
  checkName("logGroupName", input.logGroupName);
  // Recorded for every replica first: a name another replica made is refused here too.
  if (ctx.registry && !(await ctx.registry.create({ name: input.logGroupName, createdMs: Date.now() }))) {
    throw new ResourceAlreadyExistsException("The specified log group already exists");
  }
  await ctx.store.createGroup(input.logGroupName);
  return {};
}

/** DeleteLogGroup: the group, its streams and their events. */
export async function deleteLogGroup(ctx: LogsContext, input: { logGroupName: string }): Promise<object> {
  const recorded = (await ctx.registry?.delete(input.logGroupName)) ?? false;
  await ctx.store.deleteGroup(input.logGroupName).catch((err: unknown) => {
    // Recorded but never stored here: deleted all the same.
    if (!(recorded && err instanceof ResourceNotFoundException)) throw err;
  });
  return {};
}

/** DescribeLogGroups by prefix or pattern (a substring, case-insensitive, as AWS), paged by name. */
export async function describeLogGroups(
  ctx: LogsContext,
  input: { logGroupNamePrefix?: string; logGroupNamePattern?: string; logGroupIdentifiers?: string[]; limit?: number; nextToken?: string },
): Promise<object> {
  if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
    throw new InvalidParameterException("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  }
  const wanted = input.logGroupIdentifiers?.map((id) => groupOf({ logGroupIdentifier: id }));
  const pattern = input.logGroupNamePattern?.toLowerCase();
  const groups = ctx.store
    .listGroups()
    .filter((g) => input.logGroupNamePrefix === undefined || g.name.startsWith(input.logGroupNamePrefix))
    .filter((g) => pattern === undefined || g.name.toLowerCase().includes(pattern))
    .filter((g) => wanted === undefined || wanted.includes(g.name));
  // A replica merging the stores' answers gets the whole listing and pages the merge itself.
  if (ctx.peer) return { logGroups: groups.slice(0, peerListingCap).map((g) => logGroupShape(ctx.scope, ctx.store.group(g.name))) };
  const { page, nextToken } = pageOf(groups, input.limit, input.nextToken);
  return { logGroups: page.map((g) => logGroupShape(ctx.scope, ctx.store.group(g.name))), ...(nextToken ? { nextToken } : {}) };
}

/** PutRetentionPolicy: one of the day counts CloudWatch Logs accepts. */
export async function putRetentionPolicy(ctx: LogsContext, input: { logGroupName: string; retentionInDays: number }): Promise<object> {
  if (!retentionDays.includes(input.retentionInDays)) {
    throw new InvalidParameterException(`retentionInDays: ${input.retentionInDays} is not one of ${retentionDays.join(", ")}`);
  }
  await ensureLocalGroup(ctx.store, ctx.registry, input.logGroupName);
  await ctx.registry?.setRetention(input.logGroupName, input.retentionInDays);
  await ctx.store.setRetention(input.logGroupName, input.retentionInDays);
  return {};
}

/** DeleteRetentionPolicy: the group's events never expire again. */
export async function deleteRetentionPolicy(ctx: LogsContext, input: { logGroupName: string }): Promise<object> {
  await ensureLocalGroup(ctx.store, ctx.registry, input.logGroupName);
  await ctx.registry?.setRetention(input.logGroupName, undefined);
  await ctx.store.setRetention(input.logGroupName, undefined);
  return {};
}

import type { ContainerInstanceRecord, TaskRecord } from "@berth/shared";
import { keys, type Listing, type ScanPage, type ScanQuery, type Versioned } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import type { PrefixCache } from "./prefix-cache.js";

/**
 * The reads core serves from the replica's watched cache (see StateCache) when it has one, and
 * from etcd otherwise (a context without a cache: tools, tests of core alone, or a cache that
 * fell behind this replica's own writes). Answers have the shapes the store's give, so a caller
 * cannot tell which answered. Read-modify-write paths keep reading etcd: their guard needs the
 * revision etcd holds now.
 */

/**
 * How a listing treats this replica's own recent writes: by default it waits for the watch to
 * bring them (then reads etcd); `asIs` takes the cache as it is, for readers that ask again every
 * period and can be a period late (StateCache.asIs).
 */
export interface CachedReadOptions {
  asIs?: boolean;
}

/** Every task record of `cluster` (of all clusters when absent), in key order. */
export async function readTasks(ctx: CoreContext, cluster?: string, o: CachedReadOptions = {}): Promise<Listing<TaskRecord>> {
  const prefix = keys.tasks(cluster);
  const c = o.asIs ? ctx.cache?.asIs("tasks") : await ctx.cache?.ready("tasks");
  return c ? { items: c.list(prefix), revision: String(c.revision) } : ctx.store.tasks.list(prefix);
}

/** Every container instance record of `cluster` (of all clusters when absent), in key order. */
export async function readInstances(ctx: CoreContext, cluster?: string, o: CachedReadOptions = {}): Promise<Listing<ContainerInstanceRecord>> {
  const prefix = keys.instances(cluster);
  const c = o.asIs ? ctx.cache?.asIs("instances") : await ctx.cache?.ready("instances");
  return c ? { items: c.list(prefix), revision: String(c.revision) } : ctx.store.instances.list(prefix);
}

/** One task record, as DescribeTasks reads it. */
export async function readTask(ctx: CoreContext, cluster: string, id: string): Promise<Versioned<TaskRecord> | undefined> {
  const c = await ctx.cache?.ready("tasks");
  return c ? c.get(keys.task(cluster, id)) : ctx.store.tasks.get(cluster, id);
}

/** One container instance record, as DescribeContainerInstances reads it. */
export async function readInstance(ctx: CoreContext, cluster: string, id: string): Promise<Versioned<ContainerInstanceRecord> | undefined> {
  const c = await ctx.cache?.ready("instances");
  return c ? c.get(keys.instance(cluster, id)) : ctx.store.instances.get(cluster, id);
}

/** A page of a cluster's tasks (see Collection.scan: the same page either way). */
export async function scanTasks(ctx: CoreContext, cluster: string, q: ScanQuery<TaskRecord>): Promise<ScanPage<TaskRecord>> {
  const c = await ctx.cache?.ready("tasks");
  return c ? c.scan(keys.tasks(cluster), q) : ctx.store.tasks.scan(keys.tasks(cluster), q);
}

/** A page of a cluster's container instances (see Collection.scan). */
export async function scanInstances(ctx: CoreContext, cluster: string, q: ScanQuery<ContainerInstanceRecord>): Promise<ScanPage<ContainerInstanceRecord>> {
  const c = await ctx.cache?.ready("instances");
  return c ? c.scan(keys.instances(cluster), q) : ctx.store.instances.scan(keys.instances(cluster), q);
}

/**
 * The task records on one instance, in key order (an agent session's own tasks, asked every
 * period by its network sync): from the cache as it is, a period late at worst (StateCache.asIs).
 */
export async function readInstanceTasks(ctx: CoreContext, cluster: string, instanceId: string): Promise<TaskRecord[]> {
  const c = ctx.cache?.asIs("tasks");
  if (!c) return (await ctx.store.tasks.list(keys.tasks(cluster))).items.map((i) => i.value).filter((t) => t.containerInstanceId === instanceId);
  return instanceTasksIn(c, cluster, instanceId);
}

/** The task records on one instance in `tasks` (the cache's, indexed by instance), in key order as etcd lists them. */
export function instanceTasksIn(tasks: PrefixCache<TaskRecord>, cluster: string, instanceId: string): TaskRecord[] {
  return tasks
    .byIndex(`${cluster}/${instanceId}`)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((i) => i.value);
}

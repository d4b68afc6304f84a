import type { ClusterRecord, ContainerInstanceRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from "@berth/shared";
import { serviceGroup } from "@berth/shared";
import { evaluateQuery, queryTargetOf, type QueryExpr } from "../scheduler/index.js";
import { keys, type ScanPage } from "../store/index.js";
import type { CoreContext } from "./context.js";
import { snapshotInstances } from "./run-tasks.js";
import { isFargateInstance } from "./capacity-launch.js";
import { familyCounts, familyShown } from "./taskdefs.js";
import { readTasks, scanInstances, scanTasks } from "./cache/reads.js";

/**
 * The List* calls, one page each. Every page is a bounded scan of one prefix (see
 * Collection.scan): its cost follows the page asked for, never the number of records stored, and
 * a selective filter may answer a short page with a `next` to go on from, as ECS's own list
 * calls may ("it is possible the number of results to be fewer than maxResults").
 */

/** Where a page starts and how long it is: the decoded nextToken and maxResults. */
export interface PageRequest {
  /** The `next` of the previous page. */
  after?: string;
  want: number;
}

/** ACTIVE clusters in name order. */
export function listClustersPage(ctx: CoreContext, page: PageRequest): Promise<ScanPage<ClusterRecord>> {
  return ctx.store.clusters.scan(keys.clusters(), { ...page, match: (c) => c.status === "ACTIVE" });
}

/** What ListTaskDefinitions filters and sorts by. */
export interface TaskDefinitionFilter {
  /** One family's revisions only (ECS's `familyPrefix` of ListTaskDefinitions). */
  familyPrefix?: string;
  status: "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS";
  /** Reverse order: families Z to A, newest revision first, as ECS's sort DESC. */
  descending: boolean;
}

/**
 * Task definitions by family then revision. ListTaskDefinitions' `familyPrefix` is, despite its
 * name, "the full family name" (ECS's documentation): it narrows the range read to that
 * family's keys (`task-definitions/{family}!{revision}`).
 */
export function listTaskDefinitionsPage(ctx: CoreContext, f: TaskDefinitionFilter, page: PageRequest): Promise<ScanPage<TaskDefinitionRecord>> {
  const prefix = keys.taskDefinitions(f.familyPrefix || undefined);
  return ctx.store.taskDefinitions.scan(prefix, { ...page, descending: f.descending, match: (t) => t.status === f.status });
}

/**
 * Family names shown for `status` (see familyShown), from the family records' counts. A record
 * from before counts existed passes the scan and is counted from its revisions afterwards, so it
 * may shorten the page but never shows wrongly.
 */
export async function listFamiliesPage(
  ctx: CoreContext,
  f: { familyPrefix?: string; status: "ACTIVE" | "INACTIVE" | "ALL" },
  page: PageRequest,
): Promise<ScanPage<string>> {
  const prefix = f.familyPrefix ? keys.familiesStartingWith(f.familyPrefix) : keys.families();
  const counted = (r: { active?: number; inactive?: number; deleting?: number }) => r.active !== undefined && r.inactive !== undefined && r.deleting !== undefined;
  const res = await ctx.store.families.scan(prefix, {
    ...page,
    match: (r) => !counted(r) || familyShown({ active: r.active!, inactive: r.inactive!, deleting: r.deleting! }, f.status),
  });
  const shown: string[] = [];
  for (const r of res.items) {
    if (counted(r) || familyShown(await familyCounts(ctx, r), f.status)) shown.push(r.family);
  }
  return { items: shown, next: res.next };
}

/** What ListTasks filters by; absent fields do not filter. */
export interface TaskListFilter {
  /** ECS lists RUNNING by default; PENDING means desired RUNNING but not RUNNING yet. */
  desiredStatus: "RUNNING" | "PENDING" | "STOPPED";
  containerInstanceId?: string;
  family?: string;
  startedBy?: string;
  serviceName?: string;
  launchType?: string;
}

/** Whether a task passes ListTasks' filter. */
export function taskListed(t: TaskRecord, f: TaskListFilter): boolean {
  const status = f.desiredStatus === "PENDING" ? t.desiredStatus === "RUNNING" && t.lastStatus !== "RUNNING" : t.desiredStatus === f.desiredStatus;
  return (
    status &&
    // A FARGATE task has no container instance on ECS: berth tracks the Fargate agent it runs
    // on, but a containerInstance filter (which names an EC2 instance) never matches it.
    (!f.containerInstanceId || (t.containerInstanceId === f.containerInstanceId && t.launchType !== "FARGATE")) &&
    (!f.family || t.family === f.family) &&
    (!f.startedBy || t.startedBy === f.startedBy) &&
    (!f.serviceName || t.group === serviceGroup(f.serviceName)) &&
    (!f.launchType || t.launchType === f.launchType)
  );
}

/** A cluster's tasks passing `f`, in id order. */
export function listTasksPage(ctx: CoreContext, cluster: string, f: TaskListFilter, page: PageRequest): Promise<ScanPage<TaskRecord>> {
  return scanTasks(ctx, cluster, { ...page, match: (t) => taskListed(t, f) });
}

/** A cluster's services until INACTIVE (DRAINING ones still show, as on ECS), in name order. */
export function listServicesPage(
  ctx: CoreContext,
  cluster: string,
  f: { launchType?: string; schedulingStrategy?: string },
  page: PageRequest,
): Promise<ScanPage<ServiceRecord>> {
  const match = (s: ServiceRecord) =>
    s.status !== "INACTIVE" && (!f.launchType || s.launchType === f.launchType) && (!f.schedulingStrategy || s.schedulingStrategy === f.schedulingStrategy);
  return ctx.store.services.scan(keys.services(cluster), { ...page, match });
}

/**
 * A cluster's container instances with `status` (all but INACTIVE by default) that satisfy the
 * cluster query, in id order. The query needs the tasks an instance holds: from its record, or,
 * for a record from before records carried them, from the cluster's tasks.
 */
export async function listInstancesPage(
  ctx: CoreContext,
  cluster: string,
  f: { status?: string; query?: QueryExpr },
  page: PageRequest,
): Promise<ScanPage<ContainerInstanceRecord>> {
  // Fargate agents are capacity, not container instances a user manages: ECS lists none.
  const statusOk = (i: ContainerInstanceRecord) => !isFargateInstance(i) && (f.status ? i.status === f.status : i.status !== "INACTIVE");
  const query = f.query;
  if (!query) return scanInstances(ctx, cluster, { ...page, match: statusOk });
  const matches = (i: ContainerInstanceRecord, tasks?: TaskRecord[]) => evaluateQuery(query, queryTargetOf(snapshotInstances([i], tasks)[0]));
  const res = await scanInstances(ctx, cluster, { ...page, match: (i) => statusOk(i) && (!i.heldTasks || matches(i)) });
  if (res.items.every((i) => i.heldTasks)) return res;
  const tasks = await clusterTasks(ctx, cluster);
  return { items: res.items.filter((i) => i.heldTasks || matches(i, tasks)), next: res.next };
}

/** Every task of a cluster, read in pages (DescribeServices' counts, the session's listing). */
export async function clusterTasks(ctx: CoreContext, cluster: string): Promise<TaskRecord[]> {
  return (await readTasks(ctx, cluster)).items.map((i) => i.value);
}

/** Running and pending task counts per instance, as DescribeContainerInstances reports them. */
export async function instanceTaskCounts(ctx: CoreContext, cluster: string): Promise<Map<string, { running: number; pending: number }>> {
  const counts = new Map<string, { running: number; pending: number }>();
  for (const t of await clusterTasks(ctx, cluster)) {
    if (t.lastStatus === "STOPPED") continue;
    const c = counts.get(t.containerInstanceId) ?? { running: 0, pending: 0 };
    if (t.lastStatus === "RUNNING") c.running++;
    else if (t.lastStatus === "PENDING" || t.lastStatus === "PROVISIONING") c.pending++;
    counts.set(t.containerInstanceId, c);
  }
  return counts;
}

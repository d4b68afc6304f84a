import { randomInt } from "node:crypto";
import {
  ConflictError,
  InvalidParameterException,
  parseArn,
  parseTaskDefinitionRef,
  type ServiceDeploymentRecord,
  type ServiceDeploymentStatus,
  type ServiceRecord,
  type ServiceRevisionRecord,
  type TaskDefinitionRecord,
} from "@berth/shared";
import { keys, type ScanPage, type Txn, type Versioned } from "../store/index.js";
import type { CoreContext } from "./context.js";
import type { PageRequest } from "./listings.js";
import { definitionsToCapture, planServiceHistory, type HistoryIds } from "./service-history-plan.js";

/** How many service deployments (and revisions) a service keeps; older ones are forgotten. */
export const maxServiceHistory = 100;

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Ids in creation order, shaped like ECS's: a service deployment's is 21 characters (the time
 * in base 36, then random ones), a revision's 19 digits (the time in ms, then random digits).
 */
export const randomHistoryIds: HistoryIds = {
  deployment: (now) => {
    let id = now.toString(36).padStart(9, "0");
    while (id.length < 21) id += idAlphabet[randomInt(idAlphabet.length)];
    return id;
  },
  revision: (now) => {
    let id = String(now).padStart(13, "0");
    while (id.length < 19) id += String(randomInt(10));
    return id;
  },
};

/**
 * Writes a service record (create: `modRevision` "0") with the history it implies, in one
 * guarded transaction: its deployments linked to their revisions and service deployments, new
 * ones created, changed statuses stored. Every writer of service records goes through here, so
 * the history cannot miss a step. Throws ConflictError when the service (or a history record
 * read) changed meanwhile; returns the record as written.
 */
export async function writeService(ctx: CoreContext, next: ServiceRecord, modRevision: string): Promise<ServiceRecord> {
  const write = await prepareServiceWrite(ctx, next, modRevision);
  const txn = ctx.store.txn();
  write.stage(txn);
  await ctx.store.commit(txn);
  await write.committed();
  return write.service;
}

/**
 * A service record's write with its history, read and planned but not yet staged: `stage`
 * adds its guarded operations (`ops` of them) to a transaction that may carry other writes (a
 * service round's tasks), `committed` logs and trims once that transaction landed.
 */
export interface ServiceWrite {
  service: ServiceRecord;
  ops: number;
  stage(txn: Txn): void;
  committed(): Promise<void>;
}

/** Reads what {@link writeService} needs and plans the history, leaving the commit to the caller. */
export async function prepareServiceWrite(ctx: CoreContext, next: ServiceRecord, modRevision: string): Promise<ServiceWrite> {
  const definitions = new Map<string, TaskDefinitionRecord | undefined>();
  for (const arn of definitionsToCapture(next)) {
    const { family, revision } = parseTaskDefinitionRef(arn);
    definitions.set(arn, revision === undefined ? undefined : (await ctx.store.taskDefinitions.get(family, revision))?.value);
  }
  const read = new Map<string, Versioned<ServiceDeploymentRecord>>();
  for (const arn of new Set(next.deployments.map((d) => d.serviceDeploymentArn).filter((a): a is string => !!a))) {
    const got = await getServiceDeployment(ctx, arn);
    if (got) read.set(arn, got);
  }
  const existing = new Map([...read].map(([arn, v]) => [arn, v.value]));
  const plan = planServiceHistory({ service: next, existing, definitions, scope: ctx.scope, now: ctx.now(), ids: randomHistoryIds });
  return {
    service: plan.service,
    ops: 1 + plan.createRevisions.length + plan.createDeployments.length + plan.updateDeployments.length,
    stage(txn) {
      if (modRevision === "0") ctx.store.services.stageCreate(txn, plan.service);
      else ctx.store.services.stageUpdate(txn, plan.service, modRevision);
      for (const r of plan.createRevisions) ctx.store.serviceRevisions.stageCreate(txn, r);
      for (const d of plan.createDeployments) ctx.store.serviceDeployments.stageCreate(txn, d);
      for (const d of plan.updateDeployments) ctx.store.serviceDeployments.stageUpdate(txn, d, read.get(d.arn)!.modRevision);
    },
    async committed() {
      for (const d of [...plan.createDeployments, ...plan.updateDeployments]) {
        ctx.log.info("service deployment", { cluster: d.cluster, service: d.service, serviceDeploymentArn: d.arn, status: d.status });
      }
      if (plan.createDeployments.length > 0) await trimHistory(ctx, next.cluster, next.name);
    },
  };
}

/**
 * Read-modify-write of one service through {@link writeService}, retried on conflicts; `change`
 * returns the new record or undefined to leave it. Undefined when there is no such service.
 */
export async function mutateService(
  ctx: CoreContext,
  cluster: string,
  name: string,
  change: (cur: ServiceRecord) => ServiceRecord | undefined,
  attempts = 8,
): Promise<ServiceRecord | undefined> {
  for (let i = 0; ; i++) {
    const cur = await ctx.store.services.get(cluster, name);
    if (!cur) return undefined;
    const next = change(cur.value);
    if (next === undefined) return cur.value;
    try {
      return await writeService(ctx, next, cur.modRevision);
    } catch (err) {
      if (!(err instanceof ConflictError) || i + 1 >= attempts) throw err;
    }
  }
}

/** The two prefixes a service's history lives under. */
const historyPrefixes = (cluster: string, service: string) => [keys.serviceDeployments(cluster, service), keys.serviceRevisions(cluster, service)];

/** Deletes `all` in transactions of 100 keys (below etcd's per-transaction limit). */
async function deleteKeys(ctx: CoreContext, all: string[]): Promise<void> {
  for (let i = 0; i < all.length; i += 100) {
    const txn = ctx.store.txn();
    for (const k of all.slice(i, i + 100)) txn.delete(k);
    await ctx.store.commit(txn);
  }
}

/** Forgets a service's oldest history beyond {@link maxServiceHistory}; best effort, the next write tries again. */
async function trimHistory(ctx: CoreContext, cluster: string, service: string): Promise<void> {
  for (const prefix of historyPrefixes(cluster, service)) {
    const all = await ctx.store.kv.listKeys(prefix);
    await deleteKeys(ctx, all.slice(0, Math.max(0, all.length - maxServiceHistory))).catch((err: Error) =>
      ctx.log.warn("service history trim failed", { cluster, service, err }),
    );
  }
}

/** Deletes all history of a service that is being forgotten (by the cleanup round). */
export async function forgetServiceHistory(ctx: CoreContext, cluster: string, service: string): Promise<void> {
  for (const prefix of historyPrefixes(cluster, service)) await deleteKeys(ctx, await ctx.store.kv.listKeys(prefix));
}

/** cluster, service and id of a service-deployment or service-revision ARN; undefined when it is neither. */
export function historyArnParts(arn: string, kind: "service-deployment" | "service-revision"): { cluster: string; service: string; id: string } | undefined {
  const p = parseArn(arn);
  if (!p || p.kind !== kind || p.path.length !== 3) return undefined;
  return { cluster: p.path[0], service: p.path[1], id: p.path[2] };
}

/** The stored service deployment `arn` names, with its mod revision. */
export async function getServiceDeployment(ctx: CoreContext, arn: string): Promise<Versioned<ServiceDeploymentRecord> | undefined> {
  const parts = historyArnParts(arn, "service-deployment");
  return parts ? ctx.store.serviceDeployments.get(parts.cluster, parts.service, parts.id) : undefined;
}

/** Records for up to 20 ARNs of one kind, and ECS-shaped failures for the rest. */
async function describeMany<T>(
  arns: string[],
  field: string,
  get: (arn: string) => Promise<T | undefined>,
): Promise<{ found: T[]; failures: { arn: string; reason: string }[] }> {
  if (arns.length < 1 || arns.length > 20) throw new InvalidParameterException(`${field}: between 1 and 20 ARNs are required`);
  const found: T[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const arn of arns) {
    const got = await get(arn);
    if (got) found.push(got);
    else failures.push({ arn, reason: "MISSING" });
  }
  return { found, failures };
}

/** DescribeServiceDeployments: the records, MISSING for unknown or malformed ARNs. */
export function describeServiceDeployments(ctx: CoreContext, arns: string[]) {
  return describeMany(arns, "serviceDeploymentArns", async (arn) => (await getServiceDeployment(ctx, arn))?.value);
}

/** DescribeServiceRevisions: the records, MISSING for unknown or malformed ARNs. */
export function describeServiceRevisions(ctx: CoreContext, arns: string[]) {
  return describeMany(arns, "serviceRevisionArns", async (arn) => {
    const parts = historyArnParts(arn, "service-revision");
    return parts ? (await ctx.store.serviceRevisions.get(parts.cluster, parts.service, parts.id))?.value : undefined;
  });
}

/** What ListServiceDeployments filters by. */
export interface ServiceDeploymentFilter {
  status?: ServiceDeploymentStatus[];
  createdAfterMs?: number;
  createdBeforeMs?: number;
}

/** A service's deployments, newest first, filtered; a bounded scan like every listing. */
export function listServiceDeploymentsPage(
  ctx: CoreContext,
  cluster: string,
  service: string,
  f: ServiceDeploymentFilter,
  page: PageRequest,
): Promise<ScanPage<ServiceDeploymentRecord>> {
  const match = (d: ServiceDeploymentRecord) =>
    (!f.status?.length || f.status.includes(d.status)) &&
    (f.createdAfterMs === undefined || d.createdAtMs >= f.createdAfterMs) &&
    (f.createdBeforeMs === undefined || d.createdAtMs <= f.createdBeforeMs);
  return ctx.store.serviceDeployments.scan(keys.serviceDeployments(cluster, service), { ...page, descending: true, match });
}

/** The revision records a service's deployments run, by ARN (for counts and rollbacks). */
export async function revisionsOf(ctx: CoreContext, arns: string[]): Promise<Map<string, ServiceRevisionRecord>> {
  const out = new Map<string, ServiceRevisionRecord>();
  for (const arn of new Set(arns)) {
    const parts = historyArnParts(arn, "service-revision");
    const got = parts && (await ctx.store.serviceRevisions.get(parts.cluster, parts.service, parts.id));
    if (got) out.set(arn, got.value);
  }
  return out;
}

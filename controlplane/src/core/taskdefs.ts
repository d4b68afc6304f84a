import {
  checkTagList,
  ClientException,
  ConflictError,
  InvalidParameterException,
  nextRevision,
  normalizeTaskDefinition,
  parseTaskDefinitionRef,
  taskDefinitionArn,
  validateTaskDefinition,
  type RegisterTaskDefinitionInput,
  type TaskDefinitionRecord,
} from "@berth/shared";
import { keys, type FamilyRecord } from "../store/index.js";
import type { CoreContext } from "./context.js";

/**
 * Registers a new revision of `input.family`: validated (ECS's rules and quotas, nothing written
 * when refused), normalized as ECS describes it, and written together with the family's
 * revision counter (and its status counts) in one guarded transaction, so two concurrent
 * registrations never get the same revision. A family holds at most ECS's 1,000,000 revisions.
 */
export async function registerTaskDefinition(ctx: CoreContext, input: RegisterTaskDefinitionInput): Promise<TaskDefinitionRecord> {
  validateTaskDefinition(input);
  if (input.tags !== undefined) input = { ...input, tags: checkTagList(input.tags, "tags") };
  for (let attempt = 0; attempt < 10; attempt++) {
    const fam = await ctx.store.families.get(input.family);
    const revision = nextRevision(input.family, fam?.value.latestRevision);
    const rec = normalizeTaskDefinition(input, {
      arn: taskDefinitionArn(ctx.scope, input.family, revision),
      revision,
      registeredAtMs: ctx.now(),
    });
    const counts = fam ? await familyCounts(ctx, fam.value) : zeroCounts;
    const family: FamilyRecord = { family: input.family, latestRevision: revision, ...counts, active: counts.active + 1 };
    const txn = ctx.store.txn();
    if (fam) ctx.store.families.stageUpdate(txn, family, fam.modRevision);
    else ctx.store.families.stageCreate(txn, family);
    ctx.store.taskDefinitions.stageCreate(txn, rec);
    try {
      await ctx.store.commit(txn);
      ctx.log.info("task definition registered", { family: input.family, revision });
      return rec;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new ConflictError(`family ${input.family} kept changing while registering`);
}

/**
 * The task definition a reference names: `family:revision` or its ARN exactly (INACTIVE and
 * DELETE_IN_PROGRESS ones too, as ECS allows describing them), or a bare family's newest ACTIVE
 * revision, found by reading the family's revisions newest first.
 */
export async function resolveTaskDefinition(ctx: CoreContext, ref: string, field = "taskDefinition"): Promise<TaskDefinitionRecord> {
  const { family, revision } = parseTaskDefinitionRef(ref, field);
  if (revision !== undefined) {
    const got = await ctx.store.taskDefinitions.get(family, revision);
    if (!got) throw new ClientException(`Unable to describe task definition.`);
    return got.value;
  }
  const newest = await ctx.store.taskDefinitions.scan(keys.taskDefinitions(family), {
    want: 1,
    descending: true,
    match: (t) => t.status === "ACTIVE",
    budget: Number.POSITIVE_INFINITY,
  });
  if (!newest.items[0]) throw new ClientException(`Unable to describe task definition.`);
  return newest.items[0];
}

/** Marks a revision INACTIVE: no new tasks or services may use it; running ones carry on. */
export async function deregisterTaskDefinition(ctx: CoreContext, ref: string): Promise<TaskDefinitionRecord> {
  const { family, revision } = parseTaskDefinitionRef(ref);
  if (revision === undefined) {
    throw new InvalidParameterException("taskDefinition: a revision is required to deregister (family:revision or ARN)");
  }
  const rec = await moveRevision(ctx, family, revision, (cur) => (cur.status === "ACTIVE" ? { ...cur, status: "INACTIVE", deregisteredAtMs: ctx.now() } : undefined));
  if (!rec) throw new ClientException("The specified task definition does not exist.");
  return rec;
}

/** What DeleteTaskDefinitions answers: the revisions now DELETE_IN_PROGRESS, and per-reference failures. */
export interface DeleteTaskDefinitionsResult {
  deleted: TaskDefinitionRecord[];
  failures: { arn: string; reason: string; detail?: string }[];
}

/**
 * Marks INACTIVE revisions DELETE_IN_PROGRESS, as ECS does: they can no longer run new tasks or
 * back new deployments, and the cleanup loop deletes each once no live task or service uses it.
 * An ACTIVE or missing revision is a failure of that reference alone; the others go ahead.
 */
export async function deleteTaskDefinitions(ctx: CoreContext, refs: string[]): Promise<DeleteTaskDefinitionsResult> {
  if (refs.length < 1 || refs.length > 10) throw new InvalidParameterException("taskDefinitions: between 1 and 10 task definitions are required");
  const out: DeleteTaskDefinitionsResult = { deleted: [], failures: [] };
  for (const [i, ref] of refs.entries()) {
    const { family, revision } = parseTaskDefinitionRef(ref, `taskDefinitions[${i}]`);
    if (revision === undefined) throw new InvalidParameterException(`taskDefinitions[${i}]: a revision is required (family:revision or ARN)`);
    const arn = taskDefinitionArn(ctx.scope, family, revision);
    let found: TaskDefinitionRecord | undefined;
    const rec = await moveRevision(ctx, family, revision, (cur) => {
      found = cur;
      return cur.status === "INACTIVE" ? { ...cur, status: "DELETE_IN_PROGRESS", deleteRequestedAtMs: ctx.now() } : undefined;
    });
    if (!rec) out.failures.push({ arn, reason: "The specified task definition does not exist." });
    else if (found?.status === "ACTIVE") {
      out.failures.push({ arn, reason: "The specified task definition is still in ACTIVE status. Please deregister the target and try again." });
    } else out.deleted.push(rec);
  }
  return out;
}

/**
 * Changes one revision's status with `change` (undefined: leave it) and the family's counts in
 * one guarded transaction, re-read on conflict. DELETE_IN_PROGRESS revisions are also listed
 * under their own prefix, so the cleanup loop finds them without reading every definition.
 */
async function moveRevision(
  ctx: CoreContext,
  family: string,
  revision: number,
  change: (cur: TaskDefinitionRecord) => TaskDefinitionRecord | undefined,
): Promise<TaskDefinitionRecord | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const [cur, fam] = await Promise.all([ctx.store.taskDefinitions.get(family, revision), ctx.store.families.get(family)]);
    if (!cur) return undefined;
    const next = change(cur.value);
    if (!next) return cur.value;
    const txn = ctx.store.txn();
    ctx.store.taskDefinitions.stageUpdate(txn, next, cur.modRevision);
    if (fam) {
      const counts = await familyCounts(ctx, fam.value);
      const moved = { ...counts, [statusCount(cur.value.status)]: counts[statusCount(cur.value.status)] - 1 };
      moved[statusCount(next.status)]++;
      ctx.store.families.stageUpdate(txn, { ...fam.value, ...moved }, fam.modRevision);
    }
    if (next.status === "DELETE_IN_PROGRESS") txn.put(keys.taskDefinitionDeletion(family, revision), { family, revision });
    try {
      await ctx.store.commit(txn);
      ctx.log.info(`task definition ${next.status === "INACTIVE" ? "deregistered" : "marked for deletion"}`, { family, revision });
      return next;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new ConflictError(`task definition ${family}:${revision} kept changing`);
}

/** The DELETE_IN_PROGRESS revisions waiting for their last user, from their markers. */
export async function pendingDefinitionDeletions(ctx: CoreContext): Promise<{ family: string; revision: number; arn: string }[]> {
  const marks = await ctx.store.kv.list<{ family: string; revision: number }>(keys.taskDefinitionDeletions());
  return marks.items.map(({ value: m }) => ({ ...m, arn: taskDefinitionArn(ctx.scope, m.family, m.revision) }));
}

/**
 * Deletes a DELETE_IN_PROGRESS revision for good, with its marker and the family's count, in
 * one guarded transaction. The family record stays, so the name's revisions never repeat.
 * Returns false when the revision changed meanwhile (the next round looks again).
 */
export async function finishDefinitionDeletion(ctx: CoreContext, family: string, revision: number): Promise<boolean> {
  const [cur, fam] = await Promise.all([ctx.store.taskDefinitions.get(family, revision), ctx.store.families.get(family)]);
  const mark = keys.taskDefinitionDeletion(family, revision);
  const txn = ctx.store.txn();
  if (cur && cur.value.status !== "DELETE_IN_PROGRESS") return false;
  if (cur) txn.expect(ctx.store.taskDefinitions.key(family, revision), cur.modRevision).delete(ctx.store.taskDefinitions.key(family, revision));
  if (cur && fam) {
    const counts = await familyCounts(ctx, fam.value);
    ctx.store.families.stageUpdate(txn, { ...fam.value, ...counts, deleting: Math.max(0, counts.deleting - 1) }, fam.modRevision);
  }
  txn.delete(mark);
  try {
    await ctx.store.commit(txn);
  } catch (err) {
    if (err instanceof ConflictError) return false;
    throw err;
  }
  ctx.log.info("task definition deleted", { family, revision });
  return true;
}

/** A family's revisions by status, the way {@link FamilyRecord} counts them. */
export type FamilyCounts = Required<Pick<FamilyRecord, "active" | "inactive" | "deleting">>;

const zeroCounts: FamilyCounts = { active: 0, inactive: 0, deleting: 0 };

const statusCount = (s: TaskDefinitionRecord["status"]): keyof FamilyCounts => (s === "ACTIVE" ? "active" : s === "INACTIVE" ? "inactive" : "deleting");

/**
 * The family's status counts; a record written before counts existed is counted from its
 * revisions (read in pages), once: the next write stores the counts.
 */
export async function familyCounts(ctx: CoreContext, fam: FamilyRecord): Promise<FamilyCounts> {
  if (fam.active !== undefined && fam.inactive !== undefined && fam.deleting !== undefined) {
    return { active: fam.active, inactive: fam.inactive, deleting: fam.deleting };
  }
  const counts = { ...zeroCounts };
  for (const { value } of (await ctx.store.taskDefinitions.list(keys.taskDefinitions(fam.family))).items) counts[statusCount(value.status)]++;
  return counts;
}

/**
 * Whether a family shows in ListTaskDefinitionFamilies for `status`: ACTIVE with an ACTIVE
 * revision, INACTIVE with revisions but none ACTIVE, ALL with any revision left (a family whose
 * revisions were all deleted is not shown, though its name keeps its revision counter).
 */
export function familyShown(counts: FamilyCounts, status: "ACTIVE" | "INACTIVE" | "ALL"): boolean {
  const any = counts.active + counts.inactive + counts.deleting > 0;
  if (status === "ACTIVE") return counts.active > 0;
  if (status === "INACTIVE") return any && counts.active === 0;
  return any;
}

/** Volume kinds backed by AWS services (EFS, FSx, S3 Files, EBS at launch). */
const awsOnlyVolumeKinds = ["efsVolumeConfiguration", "fsxWindowsFileServerVolumeConfiguration", "s3filesVolumeConfiguration", "configuredAtLaunch"] as const;

/**
 * The definition a task or service may use, refused as ECS words it when berth cannot run it:
 * INACTIVE revisions and volumes backed by AWS storage services. The Fargate rules themselves are
 * checked in capacity-launch.ts.
 */
export async function runnableDefinition(ctx: CoreContext, ref: string, launchType?: string, field = "taskDefinition"): Promise<TaskDefinitionRecord> {
  const td = await resolveTaskDefinition(ctx, ref, field);
  if (td.status === "DELETE_IN_PROGRESS") throw new InvalidParameterException(`TaskDefinition is being deleted: ${td.taskDefinitionArn}`);
  if (td.status !== "ACTIVE") throw new InvalidParameterException(`TaskDefinition is inactive: ${td.taskDefinitionArn}`);
  // Amazon's storage services have no counterpart on a self-hosted host: say so before placing.
  for (const v of td.volumes ?? []) {
    const kind = awsOnlyVolumeKinds.find((k) => v[k] !== undefined && v[k] !== false);
    if (kind) {
      throw new InvalidParameterException(
        `Task definition ${td.family}:${td.revision} volume '${v.name}' uses ${kind}, which berth cannot mount; use a host path (host.sourcePath) or a Docker volume (dockerVolumeConfiguration)`,
      );
    }
  }
  return td;
}

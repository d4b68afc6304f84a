import {
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
 * revision counter in one guarded transaction, so two concurrent registrations never get the
 * same revision. A family holds at most ECS's 1,000,000 revisions.
 */
export async function registerTaskDefinition(ctx: CoreContext, input: RegisterTaskDefinitionInput): Promise<TaskDefinitionRecord> {
  validateTaskDefinition(input);
  for (let attempt = 0; attempt < 10; attempt++) {
    const fam = await ctx.store.families.get(input.family);
    const revision = nextRevision(input.family, fam?.value.latestRevision);
    const rec = normalizeTaskDefinition(input, {
      arn: taskDefinitionArn(ctx.scope, input.family, revision),
      revision,
      registeredAtMs: ctx.now(),
    });
    const family: FamilyRecord = { family: input.family, latestRevision: revision };
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
 * The task definition a reference names: `family:revision` or its ARN exactly (INACTIVE ones too,
 * as ECS allows describing them), or a bare family's newest ACTIVE revision.
 */
export async function resolveTaskDefinition(ctx: CoreContext, ref: string, field = "taskDefinition"): Promise<TaskDefinitionRecord> {
  const { family, revision } = parseTaskDefinitionRef(ref, field);
  if (revision !== undefined) {
    const got = await ctx.store.taskDefinitions.get(family, revision);
    if (!got) throw new ClientException(`Unable to describe task definition.`);
    return got.value;
  }
  const all = await ctx.store.taskDefinitions.list(keys.taskDefinitions(family));
  const active = all.items.map((i) => i.value).filter((t) => t.status === "ACTIVE");
  const latest = active[active.length - 1];
  if (!latest) throw new ClientException(`Unable to describe task definition.`);
  return latest;
}

/** Marks a revision INACTIVE: no new tasks or services may use it; running ones carry on. */
export async function deregisterTaskDefinition(ctx: CoreContext, ref: string): Promise<TaskDefinitionRecord> {
  const { family, revision } = parseTaskDefinitionRef(ref);
  if (revision === undefined) {
    throw new InvalidParameterException("taskDefinition: a revision is required to deregister (family:revision or ARN)");
  }
  let changed = false;
  const rec = await ctx.store.taskDefinitions.mutate([family, revision], (cur) => {
    if (cur.status === "INACTIVE") return undefined;
    changed = true;
    return { ...cur, status: "INACTIVE", deregisteredAtMs: ctx.now() };
  });
  if (!rec) throw new ClientException("The specified task definition does not exist.");
  if (changed) ctx.log.info("task definition deregistered", { family, revision });
  return rec;
}

/** Every registered definition (optionally of one family), oldest first. */
export async function listTaskDefinitions(ctx: CoreContext, family?: string): Promise<TaskDefinitionRecord[]> {
  const all = await ctx.store.taskDefinitions.list(keys.taskDefinitions(family));
  return all.items.map((i) => i.value);
}

/** Families with at least one revision in `status` (ACTIVE by ECS default; ALL for every one). */
export async function listFamilies(ctx: CoreContext, status: "ACTIVE" | "INACTIVE" | "ALL"): Promise<string[]> {
  const defs = await listTaskDefinitions(ctx);
  const byFamily = new Map<string, Set<string>>();
  for (const d of defs) {
    const set = byFamily.get(d.family) ?? new Set<string>();
    set.add(d.status);
    byFamily.set(d.family, set);
  }
  return [...byFamily]
    .filter(([, statuses]) => status === "ALL" || (status === "ACTIVE" ? statuses.has("ACTIVE") : !statuses.has("ACTIVE")))
    .map(([f]) => f);
}

/** Volume kinds backed by AWS services (EFS, FSx, S3 Files, EBS at launch). */
const awsOnlyVolumeKinds = ["efsVolumeConfiguration", "fsxWindowsFileServerVolumeConfiguration", "s3filesVolumeConfiguration", "configuredAtLaunch"] as const;

/**
 * The definition a task or service may use, refused as ECS words it when berth cannot run it:
 * INACTIVE revisions, FARGATE (berth runs tasks on registered instances only), awsvpc (no
 * task ENIs yet) and volumes backed by AWS storage services.
 */
export async function runnableDefinition(ctx: CoreContext, ref: string, launchType?: string, field = "taskDefinition"): Promise<TaskDefinitionRecord> {
  if (launchType === "FARGATE") {
    throw new InvalidParameterException("launchType: FARGATE is not available in berth; tasks run on registered container instances (EC2 or EXTERNAL)");
  }
  const td = await resolveTaskDefinition(ctx, ref, field);
  if (td.status !== "ACTIVE") throw new InvalidParameterException(`TaskDefinition is inactive: ${td.taskDefinitionArn}`);
  if (td.networkMode === "awsvpc") {
    throw new InvalidParameterException(
      `Task definition ${td.family}:${td.revision} uses networkMode awsvpc, which berth cannot run yet; register a revision with bridge, host or none`,
    );
  }
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

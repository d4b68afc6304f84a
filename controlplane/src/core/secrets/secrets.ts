/**
 * Secrets Manager's secrets in etcd: each secret one record holding its versions, every value
 * sealed by the vault before it is written; each change one write guarded by the mod revision
 * read (create: absence). A secret whose scheduled deletion is due is purged when next touched
 * and by {@link purgeDueSecrets}.
 */
import { randomUUID } from "node:crypto";
import { ConflictError, InvalidParameterException, InvalidRequestException, ResourceExistsException, ResourceNotFoundException, ServerException } from "@berth/shared";
import { keys, type SecretRecord, type SecretVersionRecord, type Versioned } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { addVersion, currentStage, dayOf, deletionDue, pickVersion, secretArn, secretIdCandidates, secretMatchesId } from "./secret-rules.js";
import type { Vault } from "./vault.js";

/** A secret value as the API carries it: a string or bytes. */
export type SecretValue = { string: string } | { binary: Buffer };

/** What CreateSecret asks for. */
export interface CreateSecretInput {
  name: string;
  description?: string;
  kmsKeyId?: string;
  tags?: { Key: string; Value: string }[];
  value?: SecretValue;
  clientRequestToken?: string;
}

const notFound = () => new ResourceNotFoundException("Secrets Manager can't find the specified secret.");
const markedForDeletion = () => new InvalidRequestException("You can't perform this operation on the secret because it was marked for deletion.");

function vaultOf(ctx: CoreContext): Vault {
  if (!ctx.vault) throw new ServerException("this control plane has no secrets key loaded");
  return ctx.vault;
}

const aadOf = (arn: string, versionId: string) => `secretsmanager|${arn}|${versionId}`;

function sealVersion(ctx: CoreContext, arn: string, id: string, value: SecretValue, stages: string[]): SecretVersionRecord {
  const bytes = "string" in value ? Buffer.from(value.string, "utf8") : value.binary;
  return { id, stages, createdMs: ctx.now(), sealed: vaultOf(ctx).seal(bytes, aadOf(arn, id)), binary: !("string" in value) };
}

/** Opens one version's value. */
export function openVersion(ctx: CoreContext, rec: SecretRecord, v: SecretVersionRecord): SecretValue {
  const bytes = vaultOf(ctx).open(v.sealed, aadOf(rec.arn, v.id));
  return v.binary ? { binary: bytes } : { string: bytes.toString("utf8") };
}

/**
 * The secret `id` names (name, full or partial ARN), or undefined; a secret whose deletion is
 * due is purged here rather than returned.
 */
export async function findSecret(ctx: CoreContext, id: string): Promise<Versioned<SecretRecord> | undefined> {
  for (const name of secretIdCandidates(id).names) {
    const got = await ctx.store.secrets.get(name);
    if (!got || !secretMatchesId(got.value, id)) continue;
    if (got.value.deletionDueMs !== undefined && got.value.deletionDueMs <= ctx.now()) {
      await ctx.store.secrets.delete(got.value, got.modRevision).catch((err) => {
        if (!(err instanceof ConflictError)) throw err;
      });
      return undefined;
    }
    return got;
  }
  return undefined;
}

async function mustFind(ctx: CoreContext, id: string): Promise<Versioned<SecretRecord>> {
  const got = await findSecret(ctx, id);
  if (!got) throw notFound();
  return got;
}

/**
 * Read-modify-write of the secret `id` names, retried on a lost compare; `change` returns the
 * new record, or undefined to leave it.
 */
async function mutateSecret(ctx: CoreContext, id: string, change: (cur: SecretRecord) => SecretRecord | undefined): Promise<SecretRecord> {
  for (let attempt = 0; ; attempt++) {
    const cur = await mustFind(ctx, id);
    const next = change(cur.value);
    if (!next) return cur.value;
    try {
      await ctx.store.secrets.update(next, cur.modRevision);
      return next;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 7) throw err;
    }
  }
}

function checkValue(value: { SecretString?: string; SecretBinary?: string }): SecretValue | undefined {
  if (value.SecretString !== undefined && value.SecretBinary !== undefined) {
    throw new InvalidParameterException("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (value.SecretString !== undefined) return { string: value.SecretString };
  if (value.SecretBinary !== undefined) return { binary: Buffer.from(value.SecretBinary, "base64") };
  return undefined;
}

/** The API's SecretString/SecretBinary pair as a value (at most one of them). */
export const secretValueOf = checkValue;

/** CreateSecret: a new secret, with its first version as AWSCURRENT when a value is given. */
export async function createSecret(ctx: CoreContext, input: CreateSecretInput, random: () => number = Math.random): Promise<{ rec: SecretRecord; versionId?: string }> {
  const existing = await findSecret(ctx, input.name);
  if (existing) {
    if (existing.value.deletedMs !== undefined) {
      throw new InvalidRequestException("You can't create this secret because a secret with this name is already scheduled for deletion.");
    }
    // The same ClientRequestToken again is the same request: answer what it made.
    const same = input.clientRequestToken !== undefined && existing.value.versions.some((v) => v.id === input.clientRequestToken);
    if (same) return { rec: existing.value, versionId: input.clientRequestToken };
    throw new ResourceExistsException(`The operation failed because the secret ${input.name} already exists.`);
  }
  const now = ctx.now();
  const arn = secretArn(ctx.scope, input.name, random);
  const versionId = input.value ? (input.clientRequestToken ?? randomUUID()) : undefined;
  const rec: SecretRecord = {
    name: input.name,
    arn,
    ...(input.description !== undefined && { description: input.description }),
    ...(input.kmsKeyId !== undefined && { kmsKeyId: input.kmsKeyId }),
    tags: input.tags ?? [],
    createdMs: now,
    lastChangedMs: now,
    versions: input.value && versionId ? [sealVersion(ctx, arn, versionId, input.value, [currentStage])] : [],
  };
  try {
    await ctx.store.secrets.create(rec);
  } catch (err) {
    if (err instanceof ConflictError) throw new ResourceExistsException(`The operation failed because the secret ${input.name} already exists.`);
    throw err;
  }
  return { rec, versionId };
}

/**
 * PutSecretValue (and UpdateSecret's value): a new version with `stages` (default AWSCURRENT).
 * The same token with the same value is the same request; with another value it is refused.
 */
export async function putSecretValue(
  ctx: CoreContext,
  id: string,
  value: SecretValue,
  opts: { clientRequestToken?: string; stages?: string[] } = {},
): Promise<{ rec: SecretRecord; versionId: string; stages: string[] }> {
  const versionId = opts.clientRequestToken ?? randomUUID();
  const stages = opts.stages ?? [currentStage];
  let result: { versionId: string; stages: string[] } = { versionId, stages };
  const rec = await mutateSecret(ctx, id, (cur) => {
    if (cur.deletedMs !== undefined) throw markedForDeletion();
    const existing = cur.versions.find((v) => v.id === versionId);
    if (existing) {
      const old = openVersion(ctx, cur, existing);
      const same = "string" in old && "string" in value ? old.string === value.string : "binary" in old && "binary" in value && old.binary.equals(value.binary);
      if (!same) throw new ResourceExistsException("You can't modify an existing version, you can only create a new version.");
      result = { versionId, stages: existing.stages };
      return undefined;
    }
    return { ...cur, lastChangedMs: ctx.now(), versions: addVersion(cur.versions, sealVersion(ctx, cur.arn, versionId, value, stages)) };
  });
  return { rec, ...result };
}

/** GetSecretValue: the version named (default AWSCURRENT), its value opened; LastAccessedDate moves by the day. */
export async function getSecretValue(ctx: CoreContext, id: string, versionId?: string, stage?: string): Promise<{ rec: SecretRecord; version: SecretVersionRecord; value: SecretValue }> {
  const got = await mustFind(ctx, id);
  if (got.value.deletedMs !== undefined) throw markedForDeletion();
  const version = pickVersion(got.value, versionId, stage);
  const value = openVersion(ctx, got.value, version);
  const today = dayOf(ctx.now());
  if (got.value.lastAccessedMs !== today) {
    // Best effort: a lost race means another read recorded the same day.
    await ctx.store.secrets.update({ ...got.value, lastAccessedMs: today }, got.modRevision).catch((err) => {
      if (!(err instanceof ConflictError)) throw err;
    });
  }
  return { rec: got.value, version, value };
}

/** DescribeSecret's record (a secret scheduled for deletion is described, as AWS does). */
export async function describeSecret(ctx: CoreContext, id: string): Promise<SecretRecord> {
  return (await mustFind(ctx, id)).value;
}

/** Every secret, by name; those whose deletion is due are left out (and purged by the sweep). */
export async function listSecretRecords(ctx: CoreContext): Promise<SecretRecord[]> {
  const now = ctx.now();
  const listing = await ctx.store.secrets.list(keys.secrets());
  return listing.items.map((i) => i.value).filter((r) => r.deletionDueMs === undefined || r.deletionDueMs > now);
}

/** UpdateSecret: description and KMS key; a value given becomes a new AWSCURRENT version. */
export async function updateSecret(
  ctx: CoreContext,
  id: string,
  input: { description?: string; kmsKeyId?: string; value?: SecretValue; clientRequestToken?: string },
): Promise<{ rec: SecretRecord; versionId?: string }> {
  let rec = await mutateSecret(ctx, id, (cur) => {
    if (cur.deletedMs !== undefined) throw markedForDeletion();
    if (input.description === undefined && input.kmsKeyId === undefined) return undefined;
    return {
      ...cur,
      ...(input.description !== undefined && { description: input.description }),
      ...(input.kmsKeyId !== undefined && { kmsKeyId: input.kmsKeyId }),
      lastChangedMs: ctx.now(),
    };
  });
  if (!input.value) return { rec };
  const put = await putSecretValue(ctx, rec.arn, input.value, { clientRequestToken: input.clientRequestToken });
  rec = put.rec;
  return { rec, versionId: put.versionId };
}

/**
 * DeleteSecret: scheduled `windowDays` (7-30, default 30) ahead, or at once with
 * `force`. Returns the record and the deletion date.
 */
export async function deleteSecret(ctx: CoreContext, id: string, opts: { windowDays?: number; force?: boolean }): Promise<{ rec: SecretRecord; deletionMs: number }> {
  if (opts.force && opts.windowDays !== undefined) {
    throw new InvalidParameterException("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  const now = ctx.now();
  if (opts.force) {
    for (let attempt = 0; ; attempt++) {
      const cur = await mustFind(ctx, id);
      try {
        await ctx.store.secrets.delete(cur.value, cur.modRevision);
        return { rec: cur.value, deletionMs: now };
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 7) throw err;
      }
    }
  }
  const due = deletionDue(now, opts.windowDays);
  const rec = await mutateSecret(ctx, id, (cur) => {
    if (cur.deletedMs !== undefined) throw new InvalidRequestException("You can't perform this operation on the secret because it was already scheduled for deletion.");
    return { ...cur, deletedMs: now, deletionDueMs: due, lastChangedMs: now };
  });
  return { rec, deletionMs: rec.deletionDueMs ?? due };
}

/** RestoreSecret: cancels a scheduled deletion. */
export async function restoreSecret(ctx: CoreContext, id: string): Promise<SecretRecord> {
  return mutateSecret(ctx, id, (cur) => {
    if (cur.deletedMs === undefined) return undefined;
    const { deletedMs: _d, deletionDueMs: _due, ...rest } = cur;
    return { ...rest, lastChangedMs: ctx.now() };
  });
}

/** Removes every secret whose scheduled deletion is due; returns how many went. */
export async function purgeDueSecrets(ctx: CoreContext): Promise<number> {
  const now = ctx.now();
  const listing = await ctx.store.secrets.list(keys.secrets());
  let purged = 0;
  for (const item of listing.items) {
    if (item.value.deletionDueMs === undefined || item.value.deletionDueMs > now) continue;
    try {
      await ctx.store.secrets.delete(item.value, item.modRevision);
      purged++;
    } catch (err) {
      // Restored or purged by another replica meanwhile: nothing to do.
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  return purged;
}

import { InvalidNextTokenException, InvalidParameterException } from "@berth/shared";

/** Secrets Manager's Tag shape (capitalised, unlike ECS's). */
type Tag = { Key?: string; Value?: string };
import {
  createSecret,
  deleteSecret,
  describeSecret,
  getSecretValue,
  listSecretRecords,
  putSecretValue,
  restoreSecret,
  secretMatchesFilters,
  secretValueOf,
  updateSecret,
  versionStages,
  type CoreContext,
  type SecretFilter,
  type SecretValue,
} from "../../../core/index.js";
import type { SecretRecord } from "../../../store/index.js";

// JSON 1.1 timestamps are epoch seconds.
const seconds = (ms: number) => ms / 1000;

/** Names Secrets Manager accepts: 1-512 of letters, digits and `/_+=.@-` (the model has no pattern). */
function checkSecretName(name: string): void {
  if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) {
    throw new InvalidParameterException("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!");
  }
}

/** DescribeSecret's fields, shared with ListSecrets' entries. */
function describeShape(rec: SecretRecord, stagesField: "VersionIdsToStages" | "SecretVersionsToStages"): object {
  return {
    ARN: rec.arn,
    Name: rec.name,
    ...(rec.description !== undefined && { Description: rec.description }),
    ...(rec.kmsKeyId !== undefined && { KmsKeyId: rec.kmsKeyId }),
    RotationEnabled: false,
    LastChangedDate: seconds(rec.lastChangedMs),
    ...(rec.lastAccessedMs !== undefined && { LastAccessedDate: seconds(rec.lastAccessedMs) }),
    ...(rec.deletedMs !== undefined && { DeletedDate: seconds(rec.deletedMs) }),
    ...(rec.tags.length > 0 && { Tags: rec.tags }),
    [stagesField]: versionStages(rec),
    CreatedDate: seconds(rec.createdMs),
  };
}

/** CreateSecret. */
export async function createSecretAction(
  ctx: CoreContext,
  input: { Name: string; ClientRequestToken?: string; Description?: string; KmsKeyId?: string; SecretString?: string; SecretBinary?: string; Tags?: Tag[] },
): Promise<object> {
  checkSecretName(input.Name);
  const tags = (input.Tags ?? []).map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" }));
  const { rec, versionId } = await createSecret(ctx, {
    name: input.Name,
    description: input.Description,
    kmsKeyId: input.KmsKeyId,
    tags,
    value: secretValueOf(input),
    clientRequestToken: input.ClientRequestToken,
  });
  return { ARN: rec.arn, Name: rec.name, ...(versionId !== undefined && { VersionId: versionId }) };
}

/** GetSecretValue. */
export async function getSecretValueAction(ctx: CoreContext, input: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<object> {
  const { rec, version, value } = await getSecretValue(ctx, input.SecretId, input.VersionId, input.VersionStage);
  return {
    ARN: rec.arn,
    Name: rec.name,
    VersionId: version.id,
    ...("string" in value ? { SecretString: value.string } : { SecretBinary: value.binary.toString("base64") }),
    VersionStages: version.stages,
    CreatedDate: seconds(version.createdMs),
  };
}

/** PutSecretValue. */
export async function putSecretValueAction(
  ctx: CoreContext,
  input: { SecretId: string; ClientRequestToken?: string; SecretString?: string; SecretBinary?: string; VersionStages?: string[] },
): Promise<object> {
  const value: SecretValue | undefined = secretValueOf(input);
  if (!value) throw new InvalidParameterException("You must provide either SecretString or SecretBinary.");
  const { rec, versionId, stages } = await putSecretValue(ctx, input.SecretId, value, { clientRequestToken: input.ClientRequestToken, stages: input.VersionStages });
  return { ARN: rec.arn, Name: rec.name, VersionId: versionId, VersionStages: stages };
}

/** UpdateSecret: description, KMS key, and a new AWSCURRENT version when a value is given. */
export async function updateSecretAction(
  ctx: CoreContext,
  input: { SecretId: string; ClientRequestToken?: string; Description?: string; KmsKeyId?: string; SecretString?: string; SecretBinary?: string },
): Promise<object> {
  const { rec, versionId } = await updateSecret(ctx, input.SecretId, {
    description: input.Description,
    kmsKeyId: input.KmsKeyId,
    value: secretValueOf(input),
    clientRequestToken: input.ClientRequestToken,
  });
  return { ARN: rec.arn, Name: rec.name, ...(versionId !== undefined && { VersionId: versionId }) };
}

/** DescribeSecret. */
export async function describeSecretAction(ctx: CoreContext, input: { SecretId: string }): Promise<object> {
  return describeShape(await describeSecret(ctx, input.SecretId), "VersionIdsToStages");
}

type SortBy = "created-date" | "last-accessed-date" | "last-changed-date" | "name";

/** ListSecrets: filters, planned deletions on request, sorted, paged (MaxResults 1-100). */
export async function listSecretsAction(
  ctx: CoreContext,
  input: { IncludePlannedDeletion?: boolean; MaxResults?: number; NextToken?: string; Filters?: SecretFilter[]; SortOrder?: "asc" | "desc"; SortBy?: SortBy },
): Promise<object> {
  const sortKey: Record<SortBy, (r: SecretRecord) => number | string> = {
    "created-date": (r) => r.createdMs,
    "last-accessed-date": (r) => r.lastAccessedMs ?? 0,
    "last-changed-date": (r) => r.lastChangedMs,
    name: (r) => r.name,
  };
  const key = sortKey[input.SortBy ?? "created-date"];
  const dir = input.SortOrder === "asc" ? 1 : -1;
  const all = (await listSecretRecords(ctx))
    .filter((r) => input.IncludePlannedDeletion || r.deletedMs === undefined)
    .filter((r) => secretMatchesFilters(r, input.Filters ?? []))
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return (ka < kb ? -1 : ka > kb ? 1 : a.name < b.name ? -1 : 1) * dir;
    });
  const from = input.NextToken === undefined ? 0 : Number(/^s(\d{1,9})$/.exec(input.NextToken)?.[1] ?? NaN);
  if (!Number.isInteger(from) || from > all.length) throw new InvalidNextTokenException("The NextToken value is not valid.");
  const max = input.MaxResults ?? 100;
  const page = all.slice(from, from + max);
  return {
    SecretList: page.map((r) => describeShape(r, "SecretVersionsToStages")),
    ...(from + max < all.length && { NextToken: `s${from + max}` }),
  };
}

/** DeleteSecret: a recovery window of 7-30 days (default 30), or ForceDeleteWithoutRecovery. */
export async function deleteSecretAction(ctx: CoreContext, input: { SecretId: string; RecoveryWindowInDays?: number; ForceDeleteWithoutRecovery?: boolean }): Promise<object> {
  const { rec, deletionMs } = await deleteSecret(ctx, input.SecretId, { windowDays: input.RecoveryWindowInDays, force: input.ForceDeleteWithoutRecovery === true });
  return { ARN: rec.arn, Name: rec.name, DeletionDate: seconds(deletionMs) };
}

/** RestoreSecret. */
export async function restoreSecretAction(ctx: CoreContext, input: { SecretId: string }): Promise<object> {
  const rec = await restoreSecret(ctx, input.SecretId);
  return { ARN: rec.arn, Name: rec.name };
}

/** ListSecretVersionIds: every version kept, labelled or not, newest first. */
export async function listSecretVersionIdsAction(ctx: CoreContext, input: { SecretId: string; IncludeDeprecated?: boolean }): Promise<object> {
  const rec = await describeSecret(ctx, input.SecretId);
  const versions = rec.versions.filter((v) => input.IncludeDeprecated || v.stages.length > 0).reverse();
  return {
    ARN: rec.arn,
    Name: rec.name,
    Versions: versions.map((v) => ({ VersionId: v.id, VersionStages: v.stages, CreatedDate: seconds(v.createdMs) })),
  };
}

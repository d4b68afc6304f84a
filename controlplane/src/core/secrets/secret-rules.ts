/**
 * Secrets Manager's rules as pure functions: ARNs, how a new version moves the staging labels,
 * which version a GetSecretValue names, ListSecrets' filters and a deletion's due date. The
 * etcd side is secrets.ts; nothing here reads a clock or the store.
 */
import { InvalidParameterException, ResourceNotFoundException, type ArnScope } from "@berth/shared";
import type { SecretRecord, SecretVersionRecord } from "../../store/index.js";

/** The label of the version a secret is read at by default. */
export const currentStage = "AWSCURRENT";
/** The label the previous AWSCURRENT version gets when another becomes current. */
export const previousStage = "AWSPREVIOUS";
/** How many versions without a label are kept (AWS keeps about 100 deprecated versions). */
export const maxUnlabelledVersions = 100;

const arnSuffixChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>`; `random` gives 6 values in [0,1). */
export function secretArn(scope: ArnScope, name: string, random: () => number): string {
  let suffix = "";
  for (let i = 0; i < 6; i++) suffix += arnSuffixChars[Math.floor(random() * arnSuffixChars.length)];
  return `arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:${name}-${suffix}`;
}

/**
 * What a SecretId names: a name, or an ARN, full (with the 6-character suffix) or partial
 * (without). A full ARN's name is its part before the suffix; both forms are tried.
 */
export function secretIdCandidates(id: string): { names: string[]; arn?: string } {
  const m = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(id);
  if (!m) return { names: [id] };
  const tail = m[1];
  const full = /^(.+)-[A-Za-z0-9]{6}$/.exec(tail);
  return full ? { names: [full[1], tail], arn: id } : { names: [tail] };
}

/** Whether `rec` is what `id` named (a full ARN must match exactly, its suffix included). */
export function secretMatchesId(rec: SecretRecord, id: string): boolean {
  const c = secretIdCandidates(id);
  if (c.arn !== undefined && rec.name !== id.slice(id.indexOf(":secret:") + 8)) return rec.arn === c.arn;
  return c.names.includes(rec.name);
}

/**
 * The versions after adding version `id` with `stages`: each stage moves to it; when
 * AWSCURRENT moves, the version that held it becomes AWSPREVIOUS. Unlabelled versions beyond
 * {@link maxUnlabelledVersions} are dropped, oldest first.
 */
export function addVersion(versions: readonly SecretVersionRecord[], added: SecretVersionRecord): SecretVersionRecord[] {
  const oldCurrent = added.stages.includes(currentStage) ? versions.find((v) => v.stages.includes(currentStage)) : undefined;
  let next = versions.map((v) => ({ ...v, stages: v.stages.filter((s) => !added.stages.includes(s)) }));
  if (oldCurrent && oldCurrent.id !== added.id) {
    next = next.map((v) => ({ ...v, stages: v.id === oldCurrent.id ? [...v.stages.filter((s) => s !== previousStage), previousStage] : v.stages.filter((s) => s !== previousStage) }));
  }
  next.push(added);
  const unlabelled = next.filter((v) => v.stages.length === 0);
  const drop = new Set(unlabelled.slice(0, Math.max(0, unlabelled.length - maxUnlabelledVersions)).map((v) => v.id));
  return next.filter((v) => !drop.has(v.id));
}

/**
 * The version GetSecretValue reads: by id, by stage, both (they must agree), or AWSCURRENT.
 * Throws ResourceNotFoundException in AWS's words when there is none.
 */
export function pickVersion(rec: SecretRecord, versionId?: string, stage?: string): SecretVersionRecord {
  if (versionId !== undefined) {
    const v = rec.versions.find((x) => x.id === versionId);
    if (!v) throw new ResourceNotFoundException(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    if (stage !== undefined && !v.stages.includes(stage)) {
      throw new InvalidParameterException(`You provided a VersionStage that is not associated to the provided VersionId.`);
    }
    return v;
  }
  const label = stage ?? currentStage;
  const v = rec.versions.find((x) => x.stages.includes(label));
  if (!v) throw new ResourceNotFoundException(`Secrets Manager can't find the specified secret value for staging label: ${label}`);
  return v;
}

/** `VersionIdsToStages` of DescribeSecret / `SecretVersionsToStages` of ListSecrets: labelled versions only. */
export function versionStages(rec: SecretRecord): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of rec.versions) if (v.stages.length > 0) out[v.id] = [...v.stages];
  return out;
}

/** When a deletion with `windowDays` (7-30, default 30) scheduled at `now` is due. */
export function deletionDue(now: number, windowDays = 30): number {
  if (!Number.isInteger(windowDays) || windowDays < 7 || windowDays > 30) {
    throw new InvalidParameterException(`RecoveryWindowInDays: ${windowDays} must be an integer from 7 to 30`);
  }
  return now + windowDays * 86_400_000;
}

/** One ListSecrets filter. */
export interface SecretFilter {
  Key: string;
  Values: string[];
}

const filterKeys = ["description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all"];

/**
 * Whether `rec` passes every filter (AND); within one filter any value passes (OR). Values are
 * prefix matches, case-sensitive; a value starting with `!` negates its match, as AWS does.
 */
export function secretMatchesFilters(rec: SecretRecord, filters: readonly SecretFilter[]): boolean {
  return filters.every((f) => {
    if (!filterKeys.includes(f.Key)) throw new InvalidParameterException(`Filters.Key: '${f.Key}' is not one of ${filterKeys.join(", ")}`);
    const fields = filterFields(rec, f.Key);
    const positive = f.Values.filter((v) => !v.startsWith("!"));
    const negative = f.Values.filter((v) => v.startsWith("!")).map((v) => v.slice(1));
    if (negative.some((n) => fields.some((x) => x.startsWith(n)))) return false;
    return positive.length === 0 || positive.some((p) => fields.some((x) => x.startsWith(p)));
  });
}

function filterFields(rec: SecretRecord, key: string): string[] {
  switch (key) {
    case "name":
      return [rec.name];
    case "description":
      return rec.description === undefined ? [] : [rec.description];
    case "tag-key":
      return rec.tags.map((t) => t.Key);
    case "tag-value":
      return rec.tags.map((t) => t.Value);
    case "all":
      return [rec.name, ...(rec.description === undefined ? [] : [rec.description]), ...rec.tags.flatMap((t) => [t.Key, t.Value])];
    default:
      // primary-region and owning-service: berth's secrets are never replicas nor service-owned.
      return [];
  }
}

/** The day `ms` falls on, at midnight UTC: LastAccessedDate's granularity. */
export function dayOf(ms: number): number {
  return Math.floor(ms / 86_400_000) * 86_400_000;
}

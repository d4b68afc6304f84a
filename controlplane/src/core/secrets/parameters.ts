/**
 * SSM Parameter Store in etcd: one record per parameter holding its history (at most 100
 * versions), a SecureString's values sealed by the vault before they are written; each change one
 * write guarded by the mod revision read (create: absence).
 */
import { ConflictError, ParameterAlreadyExists, ParameterNotFound, ParameterPatternMismatchException, ParameterVersionNotFound, ServerException, SsmValidationException } from "@berth/shared";
import { keys, type ParameterRecord, type ParameterVersionRecord, type Versioned } from "../../store/index.js";
import type { CoreContext } from "../context.js";
import { appendParameterVersion, checkParameterName, parameterNameCandidates, parseSelector, pickParameterVersion, type ParameterSelector } from "./parameter-rules.js";

/** The default KMS key of a SecureString, as SSM names it. */
export const defaultParameterKeyId = "alias/aws/ssm";

/** What PutParameter asks for. */
export interface PutParameterInput {
  name: string;
  value: string;
  type?: ParameterVersionRecord["type"];
  overwrite?: boolean;
  description?: string;
  keyId?: string;
  allowedPattern?: string;
  tags?: { Key: string; Value: string }[];
  tier?: ParameterRecord["tier"];
  dataType?: string;
}

const aadOf = (name: string, version: number) => `ssm|${name}|${version}`;

/** PutParameter: a new parameter, or with `overwrite` a new version of an existing one. */
export async function putParameter(ctx: CoreContext, input: PutParameterInput): Promise<ParameterRecord> {
  checkParameterName(input.name);
  if (input.tags?.length && input.overwrite) {
    throw new SsmValidationException(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  }
  for (let attempt = 0; ; attempt++) {
    const cur = await ctx.store.parameters.get(input.name);
    if (cur && !input.overwrite) {
      throw new ParameterAlreadyExists("The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
    }
    const last = cur?.value.versions[cur.value.versions.length - 1];
    const type = input.type ?? last?.type;
    if (!type) throw new SsmValidationException("A parameter type is required when you create a parameter.");
    if (input.keyId !== undefined && type !== "SecureString") throw new SsmValidationException("KeyId is required for SecureString type parameter only.");
    if (type === "StringList" && input.value.split(",").some((v) => v === "")) throw new SsmValidationException("StringList parameter values can't hold empty items.");
    const allowedPattern = input.allowedPattern ?? last?.allowedPattern;
    if (allowedPattern !== undefined && !allowedBy(allowedPattern).test(input.value)) {
      throw new ParameterPatternMismatchException(`Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`);
    }
    const version = (last?.version ?? 0) + 1;
    const v: ParameterVersionRecord = {
      version,
      type,
      ...(type === "SecureString" ? { sealed: vaultOf(ctx).seal(Buffer.from(input.value, "utf8"), aadOf(input.name, version)), keyId: input.keyId ?? last?.keyId ?? defaultParameterKeyId } : { value: input.value }),
      ...((input.description ?? last?.description) !== undefined && { description: input.description ?? last?.description }),
      ...(allowedPattern !== undefined && { allowedPattern }),
      labels: [],
      modifiedMs: ctx.now(),
    };
    const rec: ParameterRecord = cur
      ? { ...cur.value, ...(input.tier && { tier: input.tier }), versions: appendParameterVersion(cur.value.versions, v) }
      : { name: input.name, tier: input.tier ?? "Standard", dataType: input.dataType ?? "text", tags: input.tags ?? [], versions: [v] };
    try {
      if (cur) await ctx.store.parameters.update(rec, cur.modRevision);
      else await ctx.store.parameters.create(rec);
      return rec;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 7) throw err;
    }
  }
}

/** AllowedPattern as a whole-value regular expression; one that does not compile is refused. */
function allowedBy(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    throw new SsmValidationException(`AllowedPattern: '${pattern}' is not a valid regular expression`);
  }
}

function vaultOf(ctx: CoreContext) {
  if (!ctx.vault) throw new ServerException("this control plane has no secrets key loaded");
  return ctx.vault;
}

/** A version's value: a SecureString opened when `decrypt`, else its sealed text (ciphertext, as SSM answers). */
export function parameterValue(ctx: CoreContext, rec: ParameterRecord, v: ParameterVersionRecord, decrypt: boolean): string {
  if (v.type !== "SecureString") return v.value ?? "";
  if (!decrypt) return v.sealed ?? "";
  return vaultOf(ctx).open(v.sealed ?? "", aadOf(rec.name, v.version)).toString("utf8");
}

/** The parameter a name or ARN names, or undefined. */
export async function findParameter(ctx: CoreContext, ref: string): Promise<Versioned<ParameterRecord> | undefined> {
  for (const name of parameterNameCandidates(ref)) {
    const got = await ctx.store.parameters.get(name);
    if (got) return got;
  }
  return undefined;
}

/**
 * The parameter and version a GetParameter name selects (`name`, `name:3`, `name:label`, or an
 * ARN of them). Throws ParameterNotFound / ParameterVersionNotFound in SSM's words.
 */
export async function selectParameter(ctx: CoreContext, ref: string): Promise<{ rec: ParameterRecord; version: ParameterVersionRecord; sel: ParameterSelector }> {
  const sel = parseSelector(ref);
  const got = await findParameter(ctx, sel.name);
  if (!got) throw new ParameterNotFound(`Parameter ${sel.name} not found.`);
  const version = pickParameterVersion(got.value, sel);
  if (!version) {
    if (sel.version !== undefined) throw new ParameterVersionNotFound(`Systems Manager could not find version ${sel.version} of ${sel.name}. Verify the version and try again.`);
    throw new ParameterNotFound(`Parameter ${sel.name} has no version labelled ${sel.label}.`);
  }
  return { rec: got.value, version, sel };
}

/** Every parameter under `prefix` (a key prefix of names: "" for all), sorted by name. */
export async function listParameterRecords(ctx: CoreContext, prefix = ""): Promise<ParameterRecord[]> {
  const listing = await ctx.store.parameters.list(keys.parameters(prefix));
  return listing.items.map((i) => i.value).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** DeleteParameter: false when there was none. */
export async function deleteParameter(ctx: CoreContext, name: string): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const got = await findParameter(ctx, name);
    if (!got) return false;
    try {
      await ctx.store.parameters.delete(got.value, got.modRevision);
      return true;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 7) throw err;
    }
  }
}

/**
 * A task's secrets resolved at launch, as ECS's agent resolves them: each container's
 * `secrets[].valueFrom`, `logConfiguration.secretOptions[].valueFrom` and
 * `repositoryCredentials.credentialsParameter`, read from Secrets Manager or Parameter Store.
 * The values go to the agent in the launch message only; nothing here writes them anywhere.
 * A reference that does not resolve fails the whole task with ECS's stoppedReason wording.
 */
import { BerthError, type ContainerDefinition } from "@berth/shared";
import type { CoreContext } from "../context.js";
import { findParameter, parameterValue } from "./parameters.js";
import { parseSelector, pickParameterVersion } from "./parameter-rules.js";
import { getSecretValue } from "./secrets.js";

/** One container's resolved secrets. */
export interface ResolvedContainerSecrets {
  containerName: string;
  /** secrets[]: environment variable -> value. */
  environment: Record<string, string>;
  /** logConfiguration.secretOptions: log option -> value. */
  logOptions: Record<string, string>;
  registryAuth?: { username: string; password: string };
}

/** Every reference resolved failed on: why the task cannot start, in ECS's words. */
export class TaskSecretsError extends Error {
  override name = "TaskSecretsError";
}

/** The prefix of every stoppedReason ECS gives a task whose secrets or registry auth failed. */
export const secretsFailurePrefix = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ";

/** Where a valueFrom points. */
export type SecretReference =
  | { source: "secretsmanager"; secretId: string; jsonKey?: string; versionStage?: string; versionId?: string }
  | { source: "ssm"; name: string }
  /** A bare name without `:`: a parameter, else a secret of that name (berth's leniency). */
  | { source: "either"; name: string };

/**
 * Parses a valueFrom: a Secrets Manager ARN (full or partial) or name with the optional
 * `:json-key:version-stage:version-id` suffix; an SSM parameter ARN; or a bare name.
 */
export function parseValueFrom(valueFrom: string): SecretReference {
  const asm = /^(arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:[^:]+)(?::([^:]*)(?::([^:]*)(?::([^:]*))?)?)?$/.exec(valueFrom);
  if (asm) return asmRef(asm[1], asm[2], asm[3], asm[4]);
  if (/^arn:[^:]+:ssm:/.test(valueFrom)) return { source: "ssm", name: valueFrom };
  if (!valueFrom.includes(":")) return { source: "either", name: valueFrom };
  const [id, key, stage, version] = valueFrom.split(":");
  return asmRef(id, key, stage, version);
}

function asmRef(secretId: string, jsonKey?: string, versionStage?: string, versionId?: string): SecretReference {
  return {
    source: "secretsmanager",
    secretId,
    ...(jsonKey ? { jsonKey } : {}),
    ...(versionStage ? { versionStage } : {}),
    ...(versionId ? { versionId } : {}),
  };
}

/** The error's AWS words: `<Type>: <message>`, as the ECS agent quotes a service's answer. */
function awsWords(err: unknown): string {
  return err instanceof BerthError ? `${err.ecsType}: ${err.message}` : (err as Error).message;
}

/** Resolves one reference to its value; throws TaskSecretsError in ECS's wording. */
async function resolveReference(ctx: CoreContext, valueFrom: string): Promise<string> {
  const ref = parseValueFrom(valueFrom);
  if (ref.source !== "secretsmanager") {
    const value = await parameterOrUndefined(ctx, ref.name);
    if (value !== undefined) return value;
    if (ref.source === "ssm") throw new TaskSecretsError(`${secretsFailurePrefix}unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid parameters: ${ref.name}`);
    return resolveSecret(ctx, { source: "secretsmanager", secretId: ref.name }, valueFrom, true);
  }
  return resolveSecret(ctx, ref, valueFrom, false);
}

async function parameterOrUndefined(ctx: CoreContext, ref: string): Promise<string | undefined> {
  const sel = parseSelector(ref);
  const got = await findParameter(ctx, sel.name);
  const version = got && pickParameterVersion(got.value, sel);
  return got && version ? parameterValue(ctx, got.value, version, true) : undefined;
}

async function resolveSecret(ctx: CoreContext, ref: Extract<SecretReference, { source: "secretsmanager" }>, valueFrom: string, either: boolean): Promise<string> {
  const asm = `${secretsFailurePrefix}unable to retrieve secret from asm: service call has been retried 1 time(s): `;
  let value: string;
  try {
    const got = await getSecretValue(ctx, ref.secretId, ref.versionId, ref.versionStage);
    value = "string" in got.value ? got.value.string : got.value.binary.toString("utf8");
  } catch (err) {
    if (!(err instanceof BerthError) || err.httpStatus >= 500) throw err;
    if (either) throw new TaskSecretsError(`${secretsFailurePrefix}unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid parameters: ${valueFrom}`);
    throw new TaskSecretsError(`${asm}failed to fetch secret ${ref.secretId} from secrets manager: ${awsWords(err)}`);
  }
  if (ref.jsonKey === undefined) return value;
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    doc = undefined;
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new TaskSecretsError(`${asm}retrieved secret from Secrets Manager is not a JSON object, so it has no json key ${ref.jsonKey}`);
  }
  const field = (doc as Record<string, unknown>)[ref.jsonKey];
  if (field === undefined) throw new TaskSecretsError(`${asm}retrieved secret from Secrets Manager did not contain json key ${ref.jsonKey}`);
  return typeof field === "string" ? field : JSON.stringify(field);
}

/** The registry credentials a credentialsParameter names: a secret whose value is JSON {username, password}. */
async function resolveRegistryAuth(ctx: CoreContext, credentialsParameter: string): Promise<{ username: string; password: string }> {
  const ref = parseValueFrom(credentialsParameter);
  const id = ref.source === "secretsmanager" ? ref.secretId : ref.name;
  const failed = (why: string) => new TaskSecretsError(`${secretsFailurePrefix}unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching secret from the service for ${id}: ${why}`);
  let text: string;
  try {
    const got = await getSecretValue(ctx, id);
    text = "string" in got.value ? got.value.string : got.value.binary.toString("utf8");
  } catch (err) {
    if (!(err instanceof BerthError) || err.httpStatus >= 500) throw err;
    throw failed(awsWords(err));
  }
  let doc: { username?: unknown; password?: unknown } | undefined;
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    doc = undefined;
  }
  if (typeof doc?.username !== "string" || typeof doc.password !== "string") {
    throw failed("the secret's value must be JSON with string fields username and password");
  }
  return { username: doc.username, password: doc.password };
}

/** Whether a container definition names any secret berth must resolve. */
export function needsSecrets(defs: readonly ContainerDefinition[]): boolean {
  return defs.some((d) => (d.secrets?.length ?? 0) > 0 || (d.logConfiguration?.secretOptions?.length ?? 0) > 0 || d.repositoryCredentials?.credentialsParameter);
}

/**
 * Resolves every container's references; the first that fails throws TaskSecretsError and
 * nothing is returned, so a task starts with all its secrets or not at all.
 */
export async function resolveTaskSecrets(ctx: CoreContext, defs: readonly ContainerDefinition[]): Promise<ResolvedContainerSecrets[]> {
  const out: ResolvedContainerSecrets[] = [];
  for (const d of defs) {
    if (!needsSecrets([d])) continue;
    const environment: Record<string, string> = {};
    for (const s of d.secrets ?? []) environment[s.name!] = await resolveReference(ctx, s.valueFrom!);
    const logOptions: Record<string, string> = {};
    for (const s of d.logConfiguration?.secretOptions ?? []) logOptions[s.name!] = await resolveReference(ctx, s.valueFrom!);
    const cred = d.repositoryCredentials?.credentialsParameter;
    out.push({ containerName: d.name!, environment, logOptions, ...(cred ? { registryAuth: await resolveRegistryAuth(ctx, cred) } : {}) });
  }
  return out;
}

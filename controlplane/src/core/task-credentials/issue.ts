import { randomBytes } from "node:crypto";
import { ExpiredTokenException, ServerException, UnrecognizedClientException } from "@berth/shared";
import type { CoreContext } from "../context.js";
import { readTask } from "../cache/index.js";
import { judgeCredential, taskCredentialsValidityMs, temporaryAccessKeyId, type CredentialClaims } from "./rules.js";

/** A task role's temporary credentials, as the agent serves them (ECS's field names, less the casing). */
export interface IssuedCredentials {
  taskArn: string;
  roleArn: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expirationMs: number;
}

/** The task an issue is for: its ARN and where its record lives. */
export interface CredentialTask {
  arn: string;
  cluster: string;
  id: string;
}

/** AWS's words when a session token is not one it issued, or no longer holds. */
const invalidToken = "The security token included in the request is invalid.";
const expiredToken = "The security token included in the request is expired";

/** The sealing context of a token: bound to its key id, so a token moved to another key does not open. */
const tokenAad = (accessKeyId: string) => `berth task credentials/${accessKeyId}`;

/**
 * Issues fresh temporary credentials for `task` running as `roleArn`, valid `validityMs`. Nothing
 * is written: the secret and the claims travel sealed in the session token (under the secrets
 * key every replica holds), so any replica verifies them and none keeps a copy at rest.
 */
export function issueTaskCredentials(ctx: CoreContext, task: CredentialTask, roleArn: string, validityMs: number = taskCredentialsValidityMs): IssuedCredentials {
  if (!ctx.vault) throw new ServerException("task role credentials need the secrets key, and this control plane has none loaded");
  const now = ctx.now();
  const accessKeyId = temporaryAccessKeyId(randomBytes(10));
  // 40 characters, as AWS secret keys are.
  const secretAccessKey = randomBytes(30).toString("base64").replace(/\+/g, "A").replace(/\//g, "B");
  const claims: CredentialClaims = {
    v: 1,
    taskArn: task.arn,
    cluster: task.cluster,
    taskId: task.id,
    roleArn,
    accessKeyId,
    secretAccessKey,
    issuedAtMs: now,
    expirationMs: now + validityMs,
  };
  const sessionToken = ctx.vault.seal(Buffer.from(JSON.stringify(claims)), tokenAad(accessKeyId));
  return { taskArn: task.arn, roleArn, accessKeyId, secretAccessKey, sessionToken, expirationMs: claims.expirationMs };
}

/**
 * The secret of temporary credentials `accessKeyId` presented with `sessionToken`, for SigV4 to
 * check the signature with. A token that does not open for that key, or is not berth's, is
 * UnrecognizedClientException; one past its expiration ExpiredTokenException; one whose task
 * has stopped or is gone UnrecognizedClientException, as AWS answers for revoked credentials.
 */
export async function taskCredentialSecret(ctx: CoreContext, accessKeyId: string, sessionToken: string): Promise<string> {
  const opened = ctx.vault?.tryOpen(sessionToken, tokenAad(accessKeyId));
  if (!opened) throw new UnrecognizedClientException(invalidToken);
  let claims: unknown;
  try {
    claims = JSON.parse(opened.toString("utf8"));
  } catch {
    throw new UnrecognizedClientException(invalidToken);
  }
  const c = claims as Partial<CredentialClaims>;
  const record = typeof c.cluster === "string" && typeof c.taskId === "string" ? (await readTask(ctx, c.cluster, c.taskId))?.value : undefined;
  // A task id reused under another ARN (never, but cheap to rule out) is not this task.
  const task = record && record.arn === c.taskArn ? record : undefined;
  const verdict = judgeCredential(claims, accessKeyId, ctx.now(), task);
  if (verdict.ok) return (claims as CredentialClaims).secretAccessKey;
  if (verdict.why === "expired") throw new ExpiredTokenException(expiredToken);
  throw new UnrecognizedClientException(invalidToken);
}

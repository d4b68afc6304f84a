/**
 * The decisions behind a task role's temporary credentials, pure: what a session token says,
 * whether a presented credential still holds, and when a task's credentials are re-issued.
 * The I/O (sealing, reading the task) is in issue.ts.
 */

/** How long issued credentials hold: ECS's task role credentials last about six hours. */
export const taskCredentialsValidityMs = 6 * 3600_000;

/**
 * What a session token carries, sealed (see issue.ts): berth keeps no record of issued
 * credentials, as STS keeps none of its session tokens; the token is the record.
 */
export interface CredentialClaims {
  /** Format version, for a later change of shape. */
  v: 1;
  taskArn: string;
  /** The task's cluster name and id: where its record is read to see it still runs. */
  cluster: string;
  taskId: string;
  roleArn: string;
  accessKeyId: string;
  secretAccessKey: string;
  issuedAtMs: number;
  expirationMs: number;
}

/** Why a presented credential is refused, or that it holds. */
export type CredentialVerdict =
  | { ok: true }
  | { ok: false; why: "malformed" | "other-key" | "expired" | "task-gone" | "task-stopped" };

/** The task record's parts a verdict reads; undefined when no such task is on record. */
export interface TaskLiveness {
  lastStatus: string;
}

/**
 * Whether `claims` (opened from the request's token) let the request signed with
 * `accessKeyId` through at `nowMs`. The token must be for that key; it holds until its
 * expiration, and only while its task has not stopped: a stopped task's credentials are
 * revoked at once, as ECS's are (its containers may still use them while they stop).
 */
export function judgeCredential(claims: unknown, accessKeyId: string, nowMs: number, task: TaskLiveness | undefined): CredentialVerdict {
  if (!isClaims(claims)) return { ok: false, why: "malformed" };
  if (claims.accessKeyId !== accessKeyId) return { ok: false, why: "other-key" };
  if (nowMs >= claims.expirationMs) return { ok: false, why: "expired" };
  if (!task) return { ok: false, why: "task-gone" };
  if (task.lastStatus === "STOPPED") return { ok: false, why: "task-stopped" };
  return { ok: true };
}

/**
 * Whether a task's credentials expiring at `expirationMs` are re-issued at `nowMs`: once less
 * than half their validity is left, so a task always holds credentials good for hours, and an
 * SDK that caches them (botocore refreshes 15 minutes before expiry, the JS SDK 5) never sees
 * them lapse while the control plane is briefly away.
 */
export function credentialsDue(expirationMs: number, nowMs: number, validityMs: number = taskCredentialsValidityMs): boolean {
  return expirationMs - nowMs < validityMs / 2;
}

/** Crockford-free base32 (A-Z, 2-7), the alphabet AWS access key ids use. */
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * An access key id for temporary credentials from 10 random bytes: `ASIA` and 16 base32
 * characters, 20 in all, as STS's temporary keys look (long-term keys start `AKIA`).
 */
export function temporaryAccessKeyId(random: Uint8Array): string {
  if (random.length < 10) throw new Error("temporaryAccessKeyId needs 10 random bytes");
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of random.subarray(0, 10)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `ASIA${out}`;
}

function isClaims(v: unknown): v is CredentialClaims {
  if (typeof v !== "object" || v === null) return false;
  const c = v as Record<string, unknown>;
  const strings = ["taskArn", "cluster", "taskId", "roleArn", "accessKeyId", "secretAccessKey"];
  return c.v === 1 && strings.every((k) => typeof c[k] === "string" && c[k] !== "") && typeof c.expirationMs === "number" && typeof c.issuedAtMs === "number";
}

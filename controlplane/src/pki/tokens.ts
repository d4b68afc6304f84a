/**
 * Join tokens, the pure part: format, parse, hash and the accept/refuse decision. A token is
 * `BRTHTKN-1-<CA digest>-<id>-<secret>` like Swarm's `SWMTKN-1-<digest>-<secret>`: the digest
 * (sha256 of the cluster CA certificate's DER, hex) lets a joining agent pin the CA before it
 * trusts anything; the id names the token for `berth token ls/revoke`; only a hash of the secret
 * is ever stored.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export { formatToken, parseToken, type JoinToken } from "@berth/shared";
import { type JoinToken } from "@berth/shared";

/** What etcd keeps of a token: never the secret itself. */
export interface StoredJoinToken {
  id: string;
  secretHash: string;
  createdAt: number;
  /** ms since epoch; 0 = never expires. */
  expiresAt: number;
  revoked: boolean;
}

/** A new token for the CA with digest `caDigest`, with fresh random id and secret. */
export function newToken(caDigest: string, random: (n: number) => Buffer = randomBytes): JoinToken {
  return { caDigest, id: random(5).toString("hex"), secret: random(20).toString("hex") };
}

/** The hash stored in place of the secret. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** The CA digest a token pins: sha256 of the certificate's DER, hex. */
export function caDigest(der: Uint8Array): string {
  return createHash("sha256").update(der).digest("hex");
}

/** Parses a TTL like `24h`, `30m`, `7d`, `90s` or `0` (never expires) into ms. */
export function parseTtl(text: string): number {
  const m = /^(\d+)(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid --ttl '${text}': use a number with s, m, h or d (e.g. 24h), or 0 for no expiry`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? "s") as "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

/**
 * Whether `presented` may join now: the reason it may not, or undefined when it may. Reasons are
 * written for the agent's log, since the agent shows them as they are.
 */
export function refuseToken(presented: JoinToken, stored: StoredJoinToken | undefined, ownCaDigest: string, now: number): string | undefined {
  if (presented.caDigest !== ownCaDigest) return "join token was made for another cluster CA";
  if (!stored) return `join token ${presented.id} is unknown (wrong token?)`;
  const a = Buffer.from(hashSecret(presented.secret), "hex");
  const b = Buffer.from(stored.secretHash, "hex");
  if (a.length !== b.length || !timingSafeEqual(a, b)) return `join token ${presented.id} has a wrong secret`;
  if (stored.revoked) return `join token ${presented.id} was revoked`;
  if (stored.expiresAt !== 0 && now >= stored.expiresAt) return `join token ${presented.id} expired at ${new Date(stored.expiresAt).toISOString()}`;
  return undefined;
}

/** Renew a certificate once 2/3 of its life has passed (Swarm renews between 50% and 80%). */
export function renewAt(notBefore: number, notAfter: number): number {
  return notBefore + Math.floor(((notAfter - notBefore) * 2) / 3);
}

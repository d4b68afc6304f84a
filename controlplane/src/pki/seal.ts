/**
 * AES-256-GCM sealing under a 32-byte key, the one way berth keeps anything secret at rest: the
 * cluster CA's private key (ca.ts) and every Secrets Manager value and SecureString parameter
 * (core/secrets/). `aad` binds a sealed value to where it belongs (a secret's ARN and version),
 * so a value copied to another record does not open there.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** Seals `plain`: `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function seal(plain: Buffer, key: Buffer, aad?: Buffer): string {
  checkKey(key);
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  if (aad) c.setAAD(aad);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return ["v1", iv, c.getAuthTag(), ct].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

/**
 * Opens what {@link seal} sealed with the same key and `aad`; a wrong key, other aad or altered
 * text throws an Error whose message says `what` could not be opened.
 */
export function unseal(sealed: string, key: Buffer, what: string, aad?: Buffer): Buffer {
  checkKey(key);
  const [v, iv, tag, ct] = sealed.split(".");
  if (v !== "v1" || !iv || !tag || ct === undefined) throw new Error(`${what} is not in the v1 sealed format`);
  const d = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  d.setAuthTag(Buffer.from(tag, "base64url"));
  if (aad) d.setAAD(aad);
  try {
    return Buffer.concat([d.update(Buffer.from(ct, "base64url")), d.final()]);
  } catch {
    throw new Error(`cannot open ${what}: the key file does not match the one it was sealed with`);
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new Error(`the key file must hold 32 bytes, it holds ${key.length}`);
}

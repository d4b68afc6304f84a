/**
 * The cluster CA and join tokens in etcd: the CA key file, the CA made once (a create guarded on
 * absence, so concurrent first starts of several replicas agree: the loser reads the winner's),
 * and token create/list/revoke. Tokens are stored by id with only their secret's hash.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { keys, Txn, type Kv } from "../store/index.js";
import { createCa, openCa, type Ca, type StoredCa } from "./ca.js";
import { formatToken, hashSecret, newToken, type StoredJoinToken } from "./tokens.js";

/** Reads the 32-byte CA key file, creating it (mode 0600) when absent. */
export async function loadCaKey(path: string): Promise<Buffer> {
  return loadKeyFile(path, "CA");
}

/**
 * Reads a 32-byte key file, creating it (mode 0600, in a 0700 folder) when absent; `what` names
 * the key in errors ("CA", "secrets").
 */
export async function loadKeyFile(path: string, what: string): Promise<Buffer> {
  try {
    return checkLength(await readFile(path), path, what);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // 'wx': another process creating it at the same moment wins, and we read its key.
    await writeFile(path, randomBytes(32), { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return checkLength(await readFile(path), path, what);
}

function checkLength(key: Buffer, path: string, what: string): Buffer {
  if (key.length !== 32) throw new Error(`${what} key file ${path} must hold exactly 32 bytes (it holds ${key.length}); remove it only if nothing was sealed with it`);
  return key;
}

/** The installation's CA, made and stored by the first replica to get here. */
export async function ensureCa(kv: Kv, key: Buffer): Promise<Ca> {
  const existing = await kv.get<StoredCa>(keys.clusterCa());
  if (existing) return openCa(existing.value, key);
  const made = await createCa(key);
  try {
    await kv.commit(new Txn().expectAbsent(keys.clusterCa()).put(keys.clusterCa(), made));
    return openCa(made, key);
  } catch {
    // Another replica stored its CA first (or our commit went unseen): use what is there.
    const winner = await kv.get<StoredCa>(keys.clusterCa());
    if (!winner) throw new Error("could not store the cluster CA in etcd");
    return openCa(winner.value, key);
  }
}

/** The stored CA certificate only (for token commands that need the digest, not the key). */
export async function readCaCertificate(kv: Kv): Promise<string | undefined> {
  return (await kv.get<StoredCa>(keys.clusterCa()))?.value.certPem;
}

/** Creates a join token valid `ttlMs` (0 = no expiry) and returns its text, shown once. */
export async function createJoinToken(kv: Kv, digest: string, ttlMs: number, now = Date.now()): Promise<{ token: string; record: StoredJoinToken }> {
  const t = newToken(digest);
  const record: StoredJoinToken = { id: t.id, secretHash: hashSecret(t.secret), createdAt: now, expiresAt: ttlMs === 0 ? 0 : now + ttlMs, revoked: false };
  await kv.commit(new Txn().expectAbsent(keys.joinToken(t.id)).put(keys.joinToken(t.id), record));
  return { token: formatToken(t), record };
}

/** Every stored token (never the secrets), oldest first. */
export async function listJoinTokens(kv: Kv): Promise<StoredJoinToken[]> {
  const listing = await kv.list<StoredJoinToken>(keys.joinTokens());
  return listing.items.map((i) => i.value).sort((a, b) => a.createdAt - b.createdAt);
}

/** The stored token with `id`, if any. */
export async function getJoinToken(kv: Kv, id: string): Promise<StoredJoinToken | undefined> {
  return (await kv.get<StoredJoinToken>(keys.joinToken(id)))?.value;
}

/** Marks a token revoked (kept, so `token ls` shows it); false when there is no such token. */
export async function revokeJoinToken(kv: Kv, id: string): Promise<boolean> {
  const cur = await kv.get<StoredJoinToken>(keys.joinToken(id));
  if (!cur) return false;
  await kv.commit(new Txn().expect(keys.joinToken(id), cur.modRevision).put(keys.joinToken(id), { ...cur.value, revoked: true }));
  return true;
}

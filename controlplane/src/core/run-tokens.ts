import { createHash } from "node:crypto";
import { ConflictError, ConflictException, lastIdOf, ServerException, type TaskRecord } from "@berth/shared";
import type { RunTokenRecord } from "../store/index.js";
import type { CoreContext } from "./context.js";
import { clusterTasks } from "./listings.js";
import type { RunTasksResult } from "./run-tasks.js";

/**
 * RunTask's clientToken: the same token with the same request within the window answers with
 * the tasks the first call started instead of starting more; with a different request it is
 * ECS's ConflictException naming those tasks. The token's record lives under an etcd lease of
 * the window's length, so etcd forgets it when the window ends.
 */

/** How long a clientToken stands for its tasks (ECS does not document its window; berth's choice). */
export const clientTokenWindowSeconds = 60 * 60;

/** How long a first call may take to place its tasks before a repeat takes its claim over. */
export const clientTokenClaimTimeoutMs = 30_000;

/** sha256 of `value`'s JSON with object keys sorted, so member order does not matter. */
function digest(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
        : v;
  return createHash("sha256").update(JSON.stringify(canonical(value))).digest("hex");
}

/** The fingerprint of a RunTask request: every member but the clientToken itself. Pure. */
export function requestFingerprint(input: Record<string, unknown>): string {
  const { clientToken: _token, ...rest } = input;
  return digest(rest);
}

/** What a RunTask with a clientToken does, given the token's record (if any). */
export type TokenDecision = "run" | "replay" | "conflict" | "wait" | "takeover";

/**
 * `run` when the token is new, `replay` when it stands for the same request's finished answer,
 * `conflict` for a different request, `wait` while the same request is still being placed, and
 * `takeover` when that first call went quiet past the claim timeout (its process died). Pure.
 */
export function decideToken(rec: RunTokenRecord | undefined, requestHash: string, now: number): TokenDecision {
  if (!rec) return "run";
  if (rec.requestHash !== requestHash) return "conflict";
  if (rec.done) return "replay";
  return now - rec.createdAtMs > clientTokenClaimTimeoutMs ? "takeover" : "wait";
}

/**
 * Runs `start` at most once per (cluster, clientToken) within the window; see the file comment.
 * The claim is written before any task (guarded: absent, or the revision of a stale claim), so
 * two concurrent calls never both start tasks; a claim whose start failed is removed.
 */
export async function runTasksOnce(
  ctx: CoreContext,
  cluster: string,
  clientToken: string,
  requestHash: string,
  start: (tokenHash: string) => Promise<RunTasksResult>,
): Promise<RunTasksResult> {
  const col = ctx.store.runTokens;
  const tokenHash = createHash("sha256").update(clientToken).digest("hex");
  const key = col.key(cluster, tokenHash);
  for (let round = 0; round < 100; round++) {
    const cur = await col.get(cluster, tokenHash);
    const decision = decideToken(cur?.value, requestHash, ctx.now());
    if (decision === "replay") return replay(ctx, cluster, cur!.value);
    if (decision === "conflict") {
      throw new ConflictException(`The clientToken is already in use with a different RunTask request (tasks ${cur!.value.taskArns.join(", ") || "being started"}).`, cur!.value.taskArns);
    }
    if (decision === "wait") {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    const claim: RunTokenRecord = { cluster, tokenHash, requestHash, createdAtMs: ctx.now(), done: false, taskArns: [], failures: [] };
    const lease = await ctx.store.kv.expiringLease(clientTokenWindowSeconds);
    const txn = ctx.store.txn();
    if (cur) txn.expect(key, cur.modRevision);
    else txn.expectAbsent(key);
    let claimed: string;
    try {
      claimed = await ctx.store.commit(txn.put(key, claim, lease));
    } catch (err) {
      if (err instanceof ConflictError) continue; // another call claimed it first: read its claim
      throw err;
    }
    // A first call that died may have placed its tasks before it could record them: they carry
    // the token's hash, so the takeover answers with those instead of starting more.
    const placed = decision === "takeover" ? await tasksOfToken(ctx, cluster, tokenHash) : [];
    let res: RunTasksResult;
    if (placed.length > 0) res = { tasks: placed, failures: [] };
    else {
      try {
        res = await start(tokenHash);
      } catch (err) {
        await ctx.store.commit(ctx.store.txn().expect(key, claimed).delete(key)).catch(() => undefined);
        throw err;
      }
    }
    const done: RunTokenRecord = { ...claim, done: true, taskArns: res.tasks.map((t) => t.arn), failures: res.failures };
    // The tasks run whatever happens to this write: the caller gets them, and should the record
    // stay unfinished, a repeat's takeover finds them by their hash.
    await ctx.store.commit(ctx.store.txn().expect(key, claimed).put(key, done, lease)).catch((err: Error) => {
      ctx.log.warn("clientToken answer not recorded; a repeat will find the tasks by their token", { cluster, err });
    });
    return res;
  }
  throw new ServerException("the RunTask with this clientToken is still being placed; retry it");
}

/** The cluster's tasks started under the token (read in pages; a takeover is rare). */
async function tasksOfToken(ctx: CoreContext, cluster: string, tokenHash: string): Promise<TaskRecord[]> {
  return (await clusterTasks(ctx, cluster)).filter((t) => t.runTokenHash === tokenHash);
}

/** The answer a token stands for: its tasks as they are now (those still recorded) and its failures. */
async function replay(ctx: CoreContext, cluster: string, rec: RunTokenRecord): Promise<RunTasksResult> {
  const got = await Promise.all(rec.taskArns.map((arn) => ctx.store.tasks.get(cluster, lastIdOf(arn))));
  return { tasks: got.filter((g) => g !== undefined).map((g) => g.value as TaskRecord), failures: rec.failures };
}

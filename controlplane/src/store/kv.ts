import etcd3 from "etcd3";
import type { Etcd3, IOptions, Lease } from "etcd3";
import { ConflictError, ServerException } from "@berth/shared";
import { callDeadlineMs, faultHandling, keepaliveOptions } from "./etcd-client.js";
import { keys } from "./keys.js";

/** A value read from etcd with the mod revision any guarded write of it must compare against. */
export interface Versioned<T> {
  value: T;
  /** etcd mod_revision as a decimal string; "0" means the key is absent. */
  modRevision: string;
}

/** One bounded read of a prefix: the values with their keys, and whether more follow. */
export interface Page<T> {
  items: (Versioned<T> & { key: string })[];
  more: boolean;
  /** The store revision the page was read at. */
  revision: string;
}

/** Which part of a prefix {@link Kv.page} reads. */
export interface PageQuery {
  /** A full key: the page starts strictly after it (before it, when descending). */
  after?: string;
  limit: number;
  descending?: boolean;
  /** Read at this store revision (a later page of the same listing). */
  revision?: string;
}

/**
 * How many values one range read asks etcd for. Most records are a few KiB and a task
 * definition's input is capped at 64 KiB by ECS's quota, so a page stays far below the client's
 * receive limit ({@link maxReceiveBytes}); a page that still does not fit (instance records of
 * hosts with thousands of tasks) is read again in smaller pages (see {@link Kv.page}). Large
 * enough that a cluster of 5,000 instances is read in 25 round trips.
 */
export const rangePageSize = 200;

/** A list read at one store revision, so a watch can resume exactly after it. */
export interface Listing<T> {
  items: (Versioned<T> & { key: string })[];
  revision: string;
}

type Mutation = { type: "put"; key: string; value: string; lease?: string } | { type: "delete"; key: string };

/**
 * The largest etcd answer the client accepts (gRPC's default is 4 MiB). Pages keep answers far
 * below it; the headroom is for one listing of unusually large records, which must not fail.
 */
export const maxReceiveBytes = 64 * 1024 * 1024;

/** etcd's default --max-txn-ops: no more compares, nor more operations, in one transaction. */
export const maxTxnOps = 128;

/**
 * What one {@link Txn} may stage: etcd's limit less the compare a fenced {@link Kv} adds for the
 * leader's election key.
 */
export const maxStagedOps = maxTxnOps - 1;

/**
 * A leader's claim to act: its election key and the revision that key was created at. While the
 * key exists with that create revision, no other replica leads; once it is gone (resigned,
 * lease expired) or re-created, the claim is void.
 */
export interface Fence {
  key: string;
  createRevision: string;
}

/**
 * A fenced write refused because its fence no longer holds: this replica stopped leading
 * while the write was in flight. Not a conflict to retry: the writer should stop acting.
 */
export class FencedOutError extends Error {
  override name = "FencedOutError";
}

/**
 * A revision-guarded write: every `expect` must still hold for any `put`/`delete` to happen.
 * Build one, then hand it to {@link Kv.commit}.
 */
export class Txn {
  readonly guards = new Map<string, string>();
  readonly mutations: Mutation[] = [];

  /** Requires `key` to be at `modRevision` ("0": absent) when the transaction commits. */
  expect(key: string, modRevision: string): this {
    this.guards.set(key, modRevision);
    return this;
  }
  /** Requires `key` to be absent. */
  expectAbsent(key: string): this {
    return this.expect(key, "0");
  }
  put(key: string, value: unknown, lease?: string): this {
    this.mutations.push({ type: "put", key, value: JSON.stringify(value), lease });
    return this;
  }
  delete(key: string): this {
    this.mutations.push({ type: "delete", key });
    return this;
  }
  get size(): number {
    return Math.max(this.guards.size, this.mutations.length);
  }
}

/**
 * The thin adapter over etcd3: JSON values, mod revisions as strings, guarded commits. The only
 * file that talks to the etcd client for reads and writes.
 */
export class Kv {
  /**
   * Called for every guarded write that lost its compare (for the conflicts metric), with what
   * the losing transaction found at the keys it meant to write: their mod revisions tell a
   * watched cache how far it must catch up before the retry reads it.
   */
  onConflict?: (found: { key: string; modRevision: string }[]) => void;
  /**
   * Called for every write that landed, with the revision it landed at, so a watched cache can
   * make a later read on this replica wait until it has seen the write (read-your-writes).
   */
  onCommit?: (txn: Txn, revision: string) => void;

  constructor(
    readonly client: Etcd3,
    /** When set, every commit also requires the fence to hold (see {@link Kv.fenced}). */
    readonly fence?: Fence,
  ) {}

  /**
   * A view of this store whose commits land only while `fence` holds, so a leader that lost its
   * election mid-round cannot write beside the next leader: its lease guard and `active()`
   * checks stop it between writes, the fence stops the write already in flight. Reads and the
   * client are shared; conflicts still count on this Kv's onConflict.
   */
  fenced(fence: Fence): Kv {
    const view = new Kv(this.client, fence);
    view.onConflict = (found) => this.onConflict?.(found);
    view.onCommit = (txn, revision) => this.onCommit?.(txn, revision);
    return view;
  }

  /** Connects to `endpoints` (comma separated or a list). */
  static connect(endpoints: string | string[], options: Partial<IOptions> = {}): Kv {
    const hosts = Array.isArray(endpoints) ? endpoints : endpoints.split(",").map((s) => s.trim());
    return new Kv(
      new etcd3.Etcd3({
        hosts,
        faultHandling: faultHandling(hosts.length),
        defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + callDeadlineMs }),
        ...options,
        grpcOptions: { "grpc.max_receive_message_length": maxReceiveBytes, ...keepaliveOptions, ...options.grpcOptions },
      }),
    );
  }

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    const res = await this.client.get(key).exec();
    const kv = res.kvs[0];
    if (!kv) return undefined;
    return { value: JSON.parse(kv.value.toString()) as T, modRevision: String(kv.mod_revision) };
  }

  /**
   * Every value under `prefix`, in key order, read at one store revision. Read in pages of
   * {@link rangePageSize} keys, so no single etcd answer grows with the store: an unbounded
   * range past the gRPC message limit fails, and etcd3 then resets the channel every other call
   * shares. Callers that show a page to a user should use {@link Kv.page} instead.
   */
  async list<T>(prefix: string): Promise<Listing<T>> {
    const items: Listing<T>["items"] = [];
    let after: string | undefined;
    let revision: string | undefined;
    for (;;) {
      const page = await this.page<T>(prefix, { after, limit: rangePageSize, revision });
      revision = page.revision;
      items.push(...page.items);
      if (!page.more) return { revision, items };
      after = page.items[page.items.length - 1].key;
    }
  }

  /**
   * At most `limit` values under `prefix`, in key order (or reverse), strictly after
   * `query.after` in that order, with whether more follow. With `revision`, the page is read at
   * that store revision, so pages of one listing agree with each other.
   *
   * An ascending page costs etcd only the page. A descending one makes etcd 3.4 read the whole
   * range before the cursor to sort it (it only skips sorting for ascending key order); the
   * answer is still bounded, so that costs etcd time, not the client's health. A page too large
   * for the client is read again with fewer keys; the caller sees fewer items and `more`.
   */
  async page<T>(prefix: string, query: PageQuery): Promise<Page<T>> {
    for (let limit = query.limit; ; limit = Math.max(1, Math.floor(limit / 8))) {
      try {
        return await this.readPage<T>(prefix, { ...query, limit });
      } catch (err) {
        // An answer past the receive limit: the same keys in smaller pages fit (a single value
        // cannot exceed etcd's request limit, far below ours). A page of one that still does
        // not fit is a real error.
        if (!(err instanceof etcd3.GRPCResourceExhastedError) || limit === 1) throw err;
      }
    }
  }

  private async readPage<T>(prefix: string, query: PageQuery): Promise<Page<T>> {
    const whole = etcd3.Range.prefix(prefix);
    const after = query.after;
    const range = after === undefined ? whole : query.descending ? new etcd3.Range(whole.start, after) : new etcd3.Range(`${after}\0`, whole.end);
    let builder = this.client
      .getAll()
      .inRange(range)
      .sort("Key", query.descending ? "Descend" : "Ascend")
      .limit(query.limit);
    if (query.revision) builder = builder.revision(query.revision);
    const res = await builder.exec();
    return {
      revision: String(res.header.revision),
      more: res.more,
      items: res.kvs.map((kv) => ({ key: kv.key.toString(), value: JSON.parse(kv.value.toString()) as T, modRevision: String(kv.mod_revision) })),
    };
  }

  /** The value with the greatest key under `prefix` (e.g. a family's newest revision). */
  async last<T>(prefix: string): Promise<Versioned<T> | undefined> {
    const res = await this.page<T>(prefix, { limit: 1, descending: true });
    const kv = res.items[0];
    return kv ? { value: kv.value, modRevision: kv.modRevision } : undefined;
  }

  /** The store's current revision, to watch from "now". */
  async revision(): Promise<string> {
    const head = await this.client.get(keys.root).exec();
    return String(head.header.revision);
  }

  /** The fence `key` stands for now (its create revision), or undefined when it is absent. */
  async fenceAt(key: string): Promise<Fence | undefined> {
    const res = await this.client.get(key).exec();
    return fenceOf(key, res.kvs[0]);
  }

  /**
   * A lease of `ttlSeconds` that nobody keeps alive: keys put under it are deleted by etcd when
   * it runs out (e.g. an idempotency token at the end of its window). Resolves to its id.
   */
  async expiringLease(ttlSeconds: number): Promise<string> {
    const lease = this.client.lease(ttlSeconds, { autoKeepAlive: false });
    const id = await lease.grant();
    lease.release();
    return id;
  }

  /** The keys under `prefix`, without their values, read in pages like {@link Kv.list}. */
  async listKeys(prefix: string): Promise<string[]> {
    const whole = etcd3.Range.prefix(prefix);
    const out: string[] = [];
    let revision: number | undefined;
    for (let start: Buffer | string = whole.start; ; ) {
      // A larger page than values get: keys are small.
      const res = await this.client
        .getAll()
        .inRange(new etcd3.Range(start, whole.end))
        .limit(rangePageSize * 10)
        .revision(revision ?? 0)
        .exec();
      revision ??= Number(res.header.revision);
      for (const kv of res.kvs) out.push(kv.key.toString());
      if (!res.more || res.kvs.length === 0) return out;
      start = `${out[out.length - 1]}\0`;
    }
  }

  /**
   * A lease of `ttlSeconds` kept alive by the client until revoked or lost; keys put under it
   * vanish when it ends (sessions and leadership are held this way).
   */
  lease(ttlSeconds: number): Lease {
    return this.client.lease(ttlSeconds, { autoKeepAlive: true });
  }

  /**
   * Commits `txn`; throws {@link ConflictError} when a guard no longer holds, and
   * {@link FencedOutError} when this view's fence no longer does. etcd3 retries transient
   * failures itself, so a commit that succeeded but whose answer was lost comes back as a failed
   * compare: when every put already holds exactly our value (and every delete is gone), that is
   * success. What a failed compare needs to tell these apart is read in the same transaction
   * (its else branch), at the same revision, so the verdict costs no further round trip and
   * cannot be lost to a link that fails right after.
   */
  async commit(txn: Txn): Promise<string> {
    if (txn.guards.size > maxStagedOps || txn.mutations.length > maxStagedOps) {
      throw new ServerException(`transaction of ${txn.size} operations exceeds the limit of ${maxStagedOps}`);
    }
    if (txn.mutations.length === 0) return "0";
    const ops = txn.mutations.map((m) =>
      m.type === "put"
        ? m.lease
          ? this.client.put(m.key).value(m.value).lease(m.lease)
          : this.client.put(m.key).value(m.value)
        : this.client.delete().key(m.key),
    );
    const guards = [...txn.guards];
    const fence = this.fence;
    // etcd3's builder starts from one compare; a write with no guard compares something always true.
    let builder = fence
      ? this.client.if(fence.key, "Create", "==", Number(fence.createRevision))
      : guards.length > 0
        ? this.client.if(guards[0][0], "Mod", "==", Number(guards[0][1]))
        : this.client.if(txn.mutations[0].key, "Mod", ">", -1);
    for (const [key, rev] of fence ? guards : guards.slice(1)) builder = builder.and(key, "Mod", "==", Number(rev));
    const reads = [...txn.mutations.map((m) => this.client.get(m.key)), ...(fence ? [this.client.get(fence.key)] : [])];
    const res = await builder.then(...ops).else(...reads).commit();
    if (res.succeeded) {
      const revision = String(res.header.revision);
      this.onCommit?.(txn, revision);
      return revision;
    }
    const found = res.responses.map((r) => r.response_range?.kvs[0]);
    const applied = alreadyApplied(txn.mutations, found);
    if (applied) {
      this.onCommit?.(txn, applied);
      return applied;
    }
    if (fence && fenceOf(fence.key, found[txn.mutations.length])?.createRevision !== fence.createRevision) {
      throw new FencedOutError(`not written: leadership (${fence.key} created at ${fence.createRevision}) was lost`);
    }
    this.onConflict?.(txn.mutations.flatMap((m, i) => (found[i] ? [{ key: m.key, modRevision: String(found[i]!.mod_revision) }] : [])));
    throw new ConflictError(`write conflict on ${guards.map(([k]) => k).join(", ")}`);
  }

  close(): void {
    this.client.close();
  }
}

/**
 * The revision our writes landed at when every one of them already holds (a lost answer), else
 * undefined. `found[i]` is what the failed transaction read at `mutations[i]`'s key.
 */
function alreadyApplied(mutations: Mutation[], found: ({ value: Buffer; mod_revision: string } | undefined)[]): string | undefined {
  let revision = "0";
  for (const [i, m] of mutations.entries()) {
    const kv = found[i];
    if (m.type === "delete" ? kv !== undefined : kv === undefined || kv.value.toString() !== m.value) return undefined;
    if (kv) revision = String(kv.mod_revision);
  }
  return revision;
}

/** The fence a key read as `kv` stands for; undefined when the key is absent. */
function fenceOf(key: string, kv: { create_revision: string } | undefined): Fence | undefined {
  return kv ? { key, createRevision: String(kv.create_revision) } : undefined;
}

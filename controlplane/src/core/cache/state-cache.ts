import type { ContainerInstanceRecord, Logger, TaskRecord } from "@berth/shared";
import { keys, watchPrefix, type Kv, type PrefixWatch, type Txn } from "../../store/index.js";
import { PrefixCache } from "./prefix-cache.js";
import { RouteTables } from "./route-tables.js";

/** The kinds a replica keeps watched in memory: the ones every placement and listing reads. */
export type CachedKind = "tasks" | "instances";

/** How the cache is doing, for /metrics and tests. */
export interface CacheStats {
  /** Reads served from memory. */
  hits: number;
  /** Reads that waited past the bound for the watch and went to etcd instead. */
  fallbacks: number;
  /** Fresh listings after the first (compaction, a lost watch). */
  relists: number;
}

/** How long a read waits for the watch to deliver this replica's own write before reading etcd. */
export const readYourWritesWaitMs = 2_000;

/**
 * A replica's watched copy of every task and container instance record (Kubernetes' watch
 * cache, swarmkit's memory store): listed once at a revision, then kept current by one etcd
 * watch per prefix from that revision. A watch that fails, or cannot resume because its
 * revision was compacted, re-lists and watches on from the new listing (store/watch.ts).
 *
 * Read-your-writes: every write this replica commits is reported by the {@link Kv} (onCommit);
 * a read of a kind waits until the cache of that kind has reached the newest such write that
 * touched it. Writes of other replicas arrive as fast as the watch brings them (milliseconds),
 * as with Kubernetes' watch cache; guarded writes never trust the cache (a stale snapshot loses
 * its compare and is re-read), so staleness costs a retry, never a wrong write.
 */
export class StateCache {
  /** Indexed by cluster and instance: a session asks for its own instance's tasks every period. */
  readonly tasks = new PrefixCache<TaskRecord>(keys.tasks(), (t) => `${t.cluster}/${t.containerInstanceId}`);
  readonly instances = new PrefixCache<ContainerInstanceRecord>(keys.instances());
  /** Each cluster's host routes, planned again only when its blocks or addresses change. */
  readonly routes = new RouteTables(this.instances);
  readonly stats: CacheStats = { hits: 0, fallbacks: 0, relists: 0 };
  private readonly wanted: Record<CachedKind, number> = { tasks: 0, instances: 0 };
  private watches: PrefixWatch[] = [];
  private closed = false;

  private constructor(private readonly log: Logger) {}

  /**
   * Lists both prefixes, starts their watches and hooks `kv`'s commits (and those of its fenced
   * views) for read-your-writes. Resolves once both are current.
   */
  static async start(kv: Kv, log: Logger): Promise<StateCache> {
    const cache = new StateCache(log);
    const previousCommit = kv.onCommit;
    kv.onCommit = (txn, revision) => {
      previousCommit?.(txn, revision);
      cache.noteCommit(txn, revision);
    };
    // A lost compare means someone wrote those keys: a retry must read at least what it lost to.
    const previousConflict = kv.onConflict;
    kv.onConflict = (found) => {
      previousConflict?.(found);
      for (const f of found) cache.want(f.key, Number(f.modRevision));
    };
    try {
      for (const c of [cache.tasks, cache.instances] as unknown as PrefixCache<never>[]) {
        const listing = await kv.list<never>(c.prefix);
        c.reset(listing.items, listing.revision);
        cache.watches.push(
          await watchPrefix<never>(
            kv,
            c.prefix,
            listing.revision,
            {
              put: (key, value, rev) => c.put(key, value, rev),
              delete: (key, rev) => c.delete(key, rev),
              relist: (items, rev) => {
                cache.stats.relists++;
                c.reset(items, rev);
              },
            },
            log.child({ component: "state-cache" }),
          ),
        );
      }
    } catch (err) {
      await cache.close();
      throw err;
    }
    return cache;
  }

  /** Records that `txn` landed at `revision`, for each kind it wrote. */
  noteCommit(txn: Txn, revision: string): void {
    const rev = Number(revision);
    for (const m of txn.mutations) this.want(m.key, rev);
  }

  /** Later reads of the kind holding `key` wait until the cache has reached `revision`. */
  want(key: string, revision: number): void {
    if (key.startsWith(this.tasks.prefix)) this.wanted.tasks = Math.max(this.wanted.tasks, revision);
    else if (key.startsWith(this.instances.prefix)) this.wanted.instances = Math.max(this.wanted.instances, revision);
  }

  /**
   * The cache of `kind` once it holds this replica's writes, or undefined when the watch did not
   * bring them within {@link readYourWritesWaitMs} (the caller reads etcd then).
   */
  async ready<K extends CachedKind>(kind: K): Promise<StateCache[K] | undefined> {
    const c = this[kind];
    if (this.closed) return undefined;
    if (await c.waitFor(this.wanted[kind], readYourWritesWaitMs)) {
      this.stats.hits++;
      return c;
    }
    this.stats.fallbacks++;
    this.log.warn("state cache behind this replica's writes; reading etcd", { kind, cacheRevision: c.revision, wanted: this.wanted[kind] });
    return undefined;
  }

  /**
   * The cache of `kind` as it is, not waiting for this replica's writes (undefined once closed):
   * for readers that ask again every period and can be a period late (a session's network sync).
   * Waiting, and then listing etcd, when the watch falls behind under load is what such a reader
   * must not do: at 1,000 sessions every heartbeat became a full listing of the cluster, the
   * replica fell further behind, and its sessions timed out.
   */
  asIs<K extends CachedKind>(kind: K): StateCache[K] | undefined {
    return this.closed ? undefined : this[kind];
  }

  /** Stops the watches; reads after this go to etcd. */
  async close(): Promise<void> {
    this.closed = true;
    const ws = this.watches;
    this.watches = [];
    for (const w of ws) await w.close();
  }
}

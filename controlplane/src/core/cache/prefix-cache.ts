import type { ScanPage, ScanQuery, Versioned } from "../../store/index.js";
import { defaultScanBudget } from "../../store/index.js";

/** A cached record with its key, as a listing from etcd gives it. */
export type CachedItem<T> = Versioned<T> & { key: string };

/** Told of every change to a {@link PrefixCache}, to keep a view derived from it (e.g. route-tables.ts). */
export interface CacheObserver<T> {
  /** `key` went from `before` to `after` (absent: created, deleted). */
  changed(key: string, before: T | undefined, after: T | undefined): void;
  /** Everything was replaced (a re-list): whatever was derived is to be derived again. */
  reset(): void;
}

/**
 * The records under one etcd prefix, held in memory at one store revision: the shape of
 * Kubernetes' watch cache and swarmkit's memory store, without their indexes (a cluster's
 * records are a key range here). Pure data structure; {@link StateCache} feeds it from a listing
 * and a watch.
 *
 * Keys are kept sorted lazily: a read after writes merges the keys added since (sorted) into
 * the sorted array once, so a burst of placements costs one merge, not one insert each.
 * Records are frozen when stored: every reader shares them, and one that changed a record in
 * place would change every later reader's view without a write.
 */
export class PrefixCache<T> {
  private readonly items = new Map<string, CachedItem<T>>();
  private sorted: string[] = [];
  private added: string[] = [];
  private deleted = 0;
  private waiters: { revision: number; wake: () => void }[] = [];
  /** The store revision this cache reflects: every write up to it is applied, none after. */
  revision = 0;
  /** Keys by the value of `indexBy` (e.g. a task's instance), when one is given. */
  private readonly index = new Map<string, Set<string>>();
  private readonly observers: CacheObserver<T>[] = [];

  constructor(
    readonly prefix: string,
    /** A field to find records by without a pass over the prefix (see {@link byIndex}). */
    private readonly indexBy?: (value: T) => string,
  ) {}

  /** Tells `o` of every change from now on. */
  observe(o: CacheObserver<T>): void {
    this.observers.push(o);
  }

  /** The records whose `indexBy` value is `value`, in no particular order. */
  byIndex(value: string): CachedItem<T>[] {
    return [...(this.index.get(value) ?? [])].map((k) => this.items.get(k)!);
  }

  private unindex(key: string): void {
    const old = this.items.get(key);
    if (!old || !this.indexBy) return;
    const set = this.index.get(this.indexBy(old.value));
    set?.delete(key);
    if (set?.size === 0) this.index.delete(this.indexBy(old.value));
  }

  private reindex(key: string, value: T): void {
    if (!this.indexBy) return;
    const v = this.indexBy(value);
    const set = this.index.get(v) ?? new Set<string>();
    set.add(key);
    this.index.set(v, set);
  }

  /** Replaces everything with a listing read at `revision` (the start, or a re-list). */
  reset(items: CachedItem<T>[], revision: string): void {
    this.items.clear();
    this.index.clear();
    for (const it of items) {
      this.items.set(it.key, { ...it, value: deepFreeze(it.value) });
      this.reindex(it.key, it.value);
    }
    this.sorted = [...this.items.keys()].sort(compareKeys);
    this.added = [];
    this.deleted = 0;
    for (const o of this.observers) o.reset();
    this.advance(Number(revision));
  }

  /** A watched put at `modRevision`. */
  put(key: string, value: T, modRevision: string): void {
    const before = this.items.get(key);
    if (!before) this.added.push(key);
    this.unindex(key);
    this.items.set(key, { key, value: deepFreeze(value), modRevision });
    this.reindex(key, value);
    for (const o of this.observers) o.changed(key, before?.value, value);
    this.advance(Number(modRevision));
  }

  /** A watched delete at `modRevision`. */
  delete(key: string, modRevision: string): void {
    const before = this.items.get(key);
    this.unindex(key);
    if (this.items.delete(key)) this.deleted++;
    if (before) for (const o of this.observers) o.changed(key, before.value, undefined);
    this.advance(Number(modRevision));
  }

  /** The record at `key`, if cached. */
  get(key: string): CachedItem<T> | undefined {
    return this.items.get(key);
  }

  /** Number of records held. */
  get size(): number {
    return this.items.size;
  }

  /** Every record under `prefix` (a sub-prefix of this cache's), in key order. */
  list(prefix: string): CachedItem<T>[] {
    const keys = this.keys();
    const out: CachedItem<T>[] = [];
    for (let i = lowerBound(keys, prefix); i < keys.length && keys[i].startsWith(prefix); i++) out.push(this.items.get(keys[i])!);
    return out;
  }

  /**
   * A page of the records under `prefix` that match, as {@link Collection.scan} pages etcd: the
   * same order, `after`, `want` and `budget` (records examined), so a page from the cache and one
   * from etcd at the same revision are the same page.
   */
  scan(prefix: string, q: ScanQuery<T>): ScanPage<T> {
    const keys = this.keys();
    const budget = q.budget ?? defaultScanBudget;
    const first = lowerBound(keys, prefix);
    let end = first;
    while (end < keys.length && keys[end].startsWith(prefix)) end++;
    const after = q.after === undefined ? undefined : prefix + q.after;
    // Ascending: from the first key past `after`; descending: from the last key before it.
    let i = q.descending
      ? (after === undefined ? end : lowerBound(keys, after, first, end)) - 1
      : after === undefined ? first : upperBound(keys, after, first, end);
    const step = q.descending ? -1 : 1;
    const inRange = (j: number) => j >= first && j < end;
    const items: T[] = [];
    for (let examined = 0; inRange(i); i += step) {
      const it = this.items.get(keys[i])!;
      examined++;
      if (!q.match || q.match(it.value)) {
        items.push(it.value);
        if (items.length >= q.want) return { items, next: inRange(i + step) ? keys[i].slice(prefix.length) : undefined };
      }
      if (examined >= budget && inRange(i + step)) return { items, next: keys[i].slice(prefix.length) };
    }
    return { items };
  }

  /**
   * Resolves true once this cache has reached `revision`, false when `timeoutMs` passes first
   * (the caller then reads etcd itself: a watch that is down must not stall reads).
   */
  waitFor(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.revision >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        revision,
        wake: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private advance(revision: number): void {
    if (revision <= this.revision) return;
    this.revision = revision;
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.revision <= revision);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.revision > revision);
    for (const w of ready) w.wake();
  }

  /** The sorted keys, with the keys added and removed since the last read merged in. */
  private keys(): string[] {
    if (this.added.length > 0) {
      const fresh = this.added.filter((k) => this.items.has(k)).sort(compareKeys);
      this.added = [];
      this.sorted = mergeSorted(this.sorted, fresh);
    }
    if (this.deleted > 0) {
      this.sorted = this.sorted.filter((k) => this.items.has(k));
      this.deleted = 0;
    }
    return this.sorted;
  }
}

// etcd orders keys by their bytes; for the ASCII keys berth builds that is UTF-16 code unit order.
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first index in [lo, hi) whose key is >= `key`. */
function lowerBound(keys: string[], key: string, lo = 0, hi = keys.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in [lo, hi) whose key is > `key`. */
function upperBound(keys: string[], key: string, lo = 0, hi = keys.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Two sorted key lists as one; a key in both (re-added after a delete) is kept once. */
function mergeSorted(a: string[], b: string[]): string[] {
  if (b.length === 0) return a;
  const out: string[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (n === 0 || out[n - 1] !== next) out[n++] = next;
  }
  out.length = n;
  return out;
}

/** Freezes `v` and everything it holds. */
function deepFreeze<V>(v: V): V {
  if (v === null || typeof v !== "object" || Object.isFrozen(v)) return v;
  Object.freeze(v);
  for (const x of Object.values(v as object)) deepFreeze(x);
  return v;
}

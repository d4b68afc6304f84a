import { ConflictError } from "@berth/shared";
import { rangePageSize, Txn, type Kv, type Listing, type Versioned } from "./kv.js";

/** What one {@link Collection.scan} asks for. */
export interface ScanQuery<T> {
  /** Continue strictly after this key, relative to the scanned prefix (a page's `next`). */
  after?: string;
  /** How many matching records the page holds at most. */
  want: number;
  /** Which records count; all when absent. */
  match?: (rec: T) => boolean;
  descending?: boolean;
  /**
   * How many records one scan examines at most. A selective filter over a large prefix then
   * answers a short (even empty) page with a `next` to go on from, as ECS's list calls may,
   * instead of reading the whole prefix for one call.
   */
  budget?: number;
}

/** One page of a scan: the matching records, and where the next page starts when there is one. */
export interface ScanPage<T> {
  items: T[];
  /** The key (relative to the prefix) to pass as `after` for the next page. */
  next?: string;
}

/** Records one scan examines by default: 20 range reads. */
export const defaultScanBudget = rangePageSize * 20;

/**
 * Typed get/list/create/update/delete for one kind of record, keyed by a function of the record.
 * Single-record writes are guarded (create: absent; update/delete: the mod revision read);
 * multi-record writes go through `stage*` into one {@link Txn}.
 */
export class Collection<T, K extends unknown[]> {
  constructor(
    private readonly kv: Kv,
    private readonly keyOf: (...id: K) => string,
    private readonly keyOfRecord: (rec: T) => string,
  ) {}

  key(...id: K): string {
    return this.keyOf(...id);
  }
  recordKey(rec: T): string {
    return this.keyOfRecord(rec);
  }

  get(...id: K): Promise<Versioned<T> | undefined> {
    return this.kv.get<T>(this.keyOf(...id));
  }

  list(prefix: string): Promise<Listing<T>> {
    return this.kv.list<T>(prefix);
  }

  /**
   * A page of the records under `prefix` that match, in key order (or reverse), read in bounded
   * range reads at one store revision; its cost follows the page and the budget, not the prefix.
   */
  async scan(prefix: string, q: ScanQuery<T>): Promise<ScanPage<T>> {
    const budget = q.budget ?? defaultScanBudget;
    const items: T[] = [];
    let after = q.after === undefined ? undefined : prefix + q.after;
    let revision: string | undefined;
    let examined = 0;
    for (;;) {
      // Unfiltered, the page needs only as many records as are still wanted (+1 tells whether more follow).
      const need = q.match ? rangePageSize : Math.min(rangePageSize, q.want - items.length);
      const page = await this.kv.page<T>(prefix, { after, limit: Math.max(1, Math.min(need, budget - examined)), descending: q.descending, revision });
      revision = page.revision;
      for (const [i, it] of page.items.entries()) {
        examined++;
        if (q.match && !q.match(it.value)) continue;
        items.push(it.value);
        const rest = i < page.items.length - 1 || page.more;
        if (items.length >= q.want) return { items, next: rest ? it.key.slice(prefix.length) : undefined };
      }
      if (!page.more || page.items.length === 0) return { items };
      after = page.items[page.items.length - 1].key;
      if (examined >= budget) return { items, next: after.slice(prefix.length) };
    }
  }

  /** Creates `rec`; ConflictError when its key exists. */
  async create(rec: T): Promise<void> {
    await this.kv.commit(this.stageCreate(new Txn(), rec));
  }

  /** Replaces `rec` if its key is still at `modRevision`; ConflictError otherwise. */
  async update(rec: T, modRevision: string): Promise<void> {
    await this.kv.commit(this.stageUpdate(new Txn(), rec, modRevision));
  }

  async delete(rec: T, modRevision: string): Promise<void> {
    const key = this.keyOfRecord(rec);
    await this.kv.commit(new Txn().expect(key, modRevision).delete(key));
  }

  stageCreate(txn: Txn, rec: T): Txn {
    const key = this.keyOfRecord(rec);
    return txn.expectAbsent(key).put(key, rec);
  }

  stageUpdate(txn: Txn, rec: T, modRevision: string): Txn {
    const key = this.keyOfRecord(rec);
    return txn.expect(key, modRevision).put(key, rec);
  }

  /**
   * Read-modify-write with retries: `change` gets the current record and returns the new one
   * (or undefined to leave it). Re-reads on conflict, at most `attempts` times.
   */
  async mutate(id: K, change: (cur: T) => T | undefined, attempts = 8): Promise<T | undefined> {
    for (let i = 0; ; i++) {
      const cur = await this.get(...id);
      if (!cur) return undefined;
      const next = change(cur.value);
      if (next === undefined) return cur.value;
      try {
        await this.update(next, cur.modRevision);
        return next;
      } catch (err) {
        if (!(err instanceof ConflictError) || i + 1 >= attempts) throw err;
      }
    }
  }
}

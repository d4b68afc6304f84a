import { ConflictError } from "@berth/shared";
import { Txn, type Kv, type Listing, type Versioned } from "./kv.js";

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

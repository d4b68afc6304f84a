import { ConflictError } from "@berth/shared";
import { keys } from "../store/index.js";
import type { CoreContext } from "./context.js";

/** A log group as every replica knows it: its name, creation and retention (events stay in the stores). */
export interface LogGroupRecord {
  name: string;
  createdMs: number;
  retentionInDays?: number;
}

/**
 * CloudWatch Logs groups in etcd. Each replica's log store keeps the events it was given, but a
 * group is one thing for the whole installation: a group created through one replica must take
 * lines on another (an agent's session moves between replicas), with the same retention. So its
 * existence and retention are kept here, and a store that lacks a group etcd knows makes it
 * (api/logs/actions/ensure-group.ts). Nothing of the events is in etcd.
 */
export interface LogGroupRegistry {
  get(name: string): Promise<LogGroupRecord | undefined>;
  /** Records a new group; false when one of that name is recorded already. */
  create(rec: LogGroupRecord): Promise<boolean>;
  /** Sets or clears a recorded group's retention; false when none is recorded. */
  setRetention(name: string, retentionInDays: number | undefined): Promise<boolean>;
  /** Forgets a group; false when none was recorded. */
  delete(name: string): Promise<boolean>;
}

/** The registry on `ctx`'s etcd. Each write is guarded, so two replicas racing agree on one answer. */
export function logGroupRegistry(ctx: CoreContext): LogGroupRegistry {
  const kv = ctx.store.kv;
  return {
    async get(name) {
      return (await kv.get<LogGroupRecord>(keys.logGroup(name)))?.value;
    },
    async create(rec) {
      try {
        await kv.commit(ctx.store.txn().expectAbsent(keys.logGroup(rec.name)).put(keys.logGroup(rec.name), rec));
        return true;
      } catch (err) {
        if (err instanceof ConflictError) return false;
        throw err;
      }
    },
    async setRetention(name, retentionInDays) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const cur = await kv.get<LogGroupRecord>(keys.logGroup(name));
        if (!cur) return false;
        const rec: LogGroupRecord = { name, createdMs: cur.value.createdMs, ...(retentionInDays === undefined ? {} : { retentionInDays }) };
        try {
          await kv.commit(ctx.store.txn().expect(keys.logGroup(name), cur.modRevision).put(keys.logGroup(name), rec));
          return true;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
        }
      }
      throw new ConflictError(`log group ${name} kept changing while its retention was set`);
    },
    async delete(name) {
      const cur = await kv.get<LogGroupRecord>(keys.logGroup(name));
      if (!cur) return false;
      try {
        await kv.commit(ctx.store.txn().expect(keys.logGroup(name), cur.modRevision).delete(keys.logGroup(name)));
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
      return true;
    },
  };
}

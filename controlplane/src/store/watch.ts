import type { Logger } from "@berth/shared";
import type { Kv } from "./kv.js";

/** What a prefix watch reports: a put with the new value, or a delete of a key. */
export interface WatchHandlers<T> {
  put(key: string, value: T, modRevision: string): void;
  /** `modRevision` is the revision of the delete itself. */
  delete?(key: string, modRevision: string): void;
  /**
   * Called when the watch had to restart from a fresh listing (after compaction or a long
   * outage); `revision` is the listing's, the watch resumes right after it.
   */
  relist?(items: { key: string; value: T; modRevision: string }[], revision: string): void;
}

/** A running watch; close it when done. */
export interface PrefixWatch {
  close(): Promise<void>;
}

/**
 * Watches `prefix` from just after `revision`. etcd3's watcher reconnects on its own, but after a
 * compaction it cannot resume (microsoft/etcd3#78, #114): then this re-lists the prefix, hands
 * the listing to `relist`, and watches again from the listing's revision.
 */
export async function watchPrefix<T>(kv: Kv, prefix: string, revision: string, handlers: WatchHandlers<T>, log: Logger): Promise<PrefixWatch> {
  let closed = false;
  let current: { cancel(): Promise<void> } | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const start = async (from: string): Promise<void> => {
    const w = await kv.client.watch().prefix(prefix).startRevision(String(BigInt(from) + 1n)).create();
    // close() may have run while the watch was being created: then it must not live on.
    if (closed) {
      await w.cancel().catch(() => undefined);
      return;
    }
    current = w;
    w.on("put", (res) => {
      handlers.put(res.key.toString(), JSON.parse(res.value.toString()) as T, String(res.mod_revision));
    });
    w.on("delete", (res) => handlers.delete?.(res.key.toString(), String(res.mod_revision)));
    w.on("error", (err) => {
      if (closed) return;
      log.warn("watch failed; re-listing", { prefix, err });
      void w.cancel().catch(() => undefined);
      void restart();
    });
  };

  const restart = async (): Promise<void> => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        const res = await kv.list<T>(prefix);
        if (closed) return;
        handlers.relist?.(res.items, res.revision);
        await start(res.revision);
        return;
      } catch (err) {
        log.warn("re-list failed; retrying", { prefix, err, attempt });
        await new Promise<void>((r) => {
          retryTimer = setTimeout(r, Math.min(5000, 200 * 2 ** attempt));
        });
      }
    }
  };

  await start(revision);
  return {
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await current?.cancel().catch(() => undefined);
    },
  };
}

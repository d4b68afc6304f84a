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
    // etcd3 emits "error" only when etcd canceled the watch (compaction, most often), and has
    // dropped the watcher by then. It must not be cancelled again: etcd answers that cancel for
    // an id etcd3 no longer knows, etcd3 throws in its stream handler, and every watch created
    // on the client after it never starts (its shared stream's attach queue stalls): the cache
    // stayed at its re-list and close() hung, about 1 re-list in 8 in a loop of compactions.
    w.on("error", (err) => {
      if (closed) return;
      log.warn("watch failed; re-listing", { prefix, err });
      if (current === w) current = undefined;
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
      // etcd confirms a cancel over the stream; over a dead link it never does, and shutdown
      // must not wait on it (the stream goes with the client).
      await cancelWithin(current, cancelWaitMs);
    },
  };
}

/** How long close() waits for etcd to confirm a watch's cancel. */
const cancelWaitMs = 2_000;

async function cancelWithin(w: { cancel(): Promise<void> } | undefined, ms: number): Promise<void> {
  if (!w) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    w.cancel().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

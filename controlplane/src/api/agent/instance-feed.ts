import type { ContainerInstanceRecord, Logger } from "@berth/shared";
import { keys, lastSegment, watchPrefix, type Kv, type PrefixWatch } from "../../store/index.js";

/** What a session hears of its own instance's record. */
export interface InstanceFeedHandlers {
  /** The record was written (any change: status, attributes, the connected mark). */
  put(instance: ContainerInstanceRecord): void;
  /** The record was deleted (an INACTIVE instance past its retention). */
  delete(): void;
}

interface Feed {
  byInstance: Map<string, Set<InstanceFeedHandlers>>;
  subscribers: number;
  watch: Promise<PrefixWatch>;
}

/**
 * One etcd watch per cluster on this replica over its container instance records, shared by
 * that cluster's agent sessions, each hearing only its own instance: how a session learns, from
 * whichever replica wrote it, that its instance was deregistered. Shaped as {@link TaskFeeds}.
 */
export class InstanceFeeds {
  private readonly feeds = new Map<string, Feed>();

  constructor(
    private readonly kv: Kv,
    private readonly log: Logger,
  ) {}

  /** Joins the feed of `cluster` for `instanceId`; resolves once the feed watches. */
  async subscribe(cluster: string, instanceId: string, handlers: InstanceFeedHandlers): Promise<{ close(): Promise<void> }> {
    const feed = this.feeds.get(cluster) ?? this.start(cluster);
    feed.subscribers++;
    const set = feed.byInstance.get(instanceId) ?? new Set();
    set.add(handlers);
    feed.byInstance.set(instanceId, set);
    let closed = false;
    const leave = async () => {
      if (closed) return;
      closed = true;
      set.delete(handlers);
      if (set.size === 0 && feed.byInstance.get(instanceId) === set) feed.byInstance.delete(instanceId);
      if (--feed.subscribers > 0) return;
      if (this.feeds.get(cluster) === feed) this.feeds.delete(cluster);
      await (await feed.watch.catch(() => undefined))?.close();
    };
    try {
      await feed.watch;
    } catch (err) {
      await leave();
      throw err;
    }
    return { close: leave };
  }

  private start(cluster: string): Feed {
    const byInstance = new Map<string, Set<InstanceFeedHandlers>>();
    const deliver = (rec: ContainerInstanceRecord) => {
      for (const h of byInstance.get(rec.id) ?? []) h.put(rec);
    };
    const watch = this.kv.revision().then((from) =>
      watchPrefix<ContainerInstanceRecord>(
        this.kv,
        keys.instances(cluster),
        from,
        {
          put: (_key, rec) => deliver(rec),
          delete: (key) => {
            for (const h of byInstance.get(lastSegment(key)) ?? []) h.delete();
          },
          relist: (items) => {
            for (const i of items) deliver(i.value);
          },
        },
        this.log.child({ cluster }),
      ),
    );
    const feed: Feed = { byInstance, subscribers: 0, watch };
    watch.catch(() => {
      if (this.feeds.get(cluster) === feed) this.feeds.delete(cluster);
    });
    this.feeds.set(cluster, feed);
    return feed;
  }
}

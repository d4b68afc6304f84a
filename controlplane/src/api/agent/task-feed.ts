import type { Logger, TaskRecord } from "@berth/shared";
import { keys, lastSegment, watchPrefix, type Kv, type PrefixWatch } from "../../store/index.js";

/** What a session hears of its instance's tasks. */
export interface TaskFeedHandlers {
  /** A task of this instance was written at `modRevision`. */
  put(task: TaskRecord, modRevision: string): void;
  /** A task of the cluster was forgotten (any instance's: deletes carry only the key). */
  delete(id: string): void;
}

/** A session's place on a feed; close it when the session ends. */
export interface TaskFeedSubscription {
  close(): Promise<void>;
}

interface Feed {
  byInstance: Map<string, Set<TaskFeedHandlers>>;
  subscribers: number;
  watch: Promise<PrefixWatch>;
}

/**
 * One etcd watch per cluster on this replica, shared by every agent session of that cluster:
 * each task write is decoded once and handed only to the sessions of the instance it is on,
 * instead of every session watching (and parsing) the whole cluster's task prefix. A feed
 * starts with its first subscriber and stops with its last.
 *
 * A subscriber hears everything written after it subscribed; a session therefore subscribes
 * first, then lists the tasks, and ignores what the listing already covered (see
 * {@link TaskFeedHandlers.put}'s revision).
 */
export class TaskFeeds {
  private readonly feeds = new Map<string, Feed>();

  constructor(
    private readonly kv: Kv,
    private readonly log: Logger,
  ) {}

  /** Joins the feed of `cluster` for the tasks of `instanceId`; resolves once the feed watches. */
  async subscribe(cluster: string, instanceId: string, handlers: TaskFeedHandlers): Promise<TaskFeedSubscription> {
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

  /** Open feeds (for tests and metrics). */
  get size(): number {
    return this.feeds.size;
  }

  private start(cluster: string): Feed {
    const byInstance = new Map<string, Set<TaskFeedHandlers>>();
    const deliver = (task: TaskRecord, modRevision: string) => {
      for (const h of byInstance.get(task.containerInstanceId) ?? []) h.put(task, modRevision);
    };
    const watch = this.kv.revision().then((from) =>
      watchPrefix<TaskRecord>(
        this.kv,
        keys.tasks(cluster),
        from,
        {
          put: (_key, task, modRevision) => deliver(task, modRevision),
          delete: (key) => {
            const id = lastSegment(key);
            for (const set of byInstance.values()) for (const h of set) h.delete(id);
          },
          // After a restart from a fresh listing, every task is offered again at its own
          // revision; subscribers skip what they already have.
          relist: (items) => {
            for (const i of items) deliver(i.value, i.modRevision);
          },
        },
        this.log.child({ cluster }),
      ),
    );
    const feed: Feed = { byInstance, subscribers: 0, watch };
    // A failed start is seen by the subscribers that await it; the next subscriber retries.
    watch.catch(() => {
      if (this.feeds.get(cluster) === feed) this.feeds.delete(cluster);
    });
    this.feeds.set(cluster, feed);
    return feed;
  }
}

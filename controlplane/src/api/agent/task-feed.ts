import type { Logger, TaskRecord } from "@berth/shared";
import { instanceTasksIn, type CacheObserver, type StateCache } from "../../core/index.js";
import { HandlerGroups, keys, lastSegment, SharedFeeds, watchPrefix, type FeedSubscription, type Kv, type PrefixWatch } from "../../store/index.js";

/** What a session hears of its instance's tasks. */
export interface TaskFeedHandlers {
  /** A task of this instance was written at `modRevision`. */
  put(task: TaskRecord, modRevision: string): void;
  /** A task of the cluster was forgotten (any instance's: deletes carry only the key). */
  delete(id: string): void;
}

/** A session's place on a feed; close it when the session ends. */
export type TaskFeedSubscription = FeedSubscription;

/** An instance's tasks and the revision they were read at (see {@link TaskFeeds.list}). */
export interface InstanceTasks {
  tasks: TaskRecord[];
  revision: bigint;
}

interface Feed {
  byInstance: HandlerGroups<TaskFeedHandlers>;
  ready: Promise<PrefixWatch>;
  close(): Promise<void>;
}

/**
 * One etcd watch per cluster on this replica, shared by every agent session of that cluster:
 * each task write is decoded once and handed only to the sessions of the instance it is on,
 * instead of every session watching (and parsing) the whole cluster's task prefix. A feed
 * starts with its first subscriber and stops with its last (store/shared-feeds.ts).
 *
 * A subscriber hears everything written after it subscribed; a session therefore subscribes
 * first, then lists the tasks, and ignores what the listing already covered (see
 * {@link TaskFeedHandlers.put}'s revision).
 */
export class TaskFeeds {
  private readonly feeds: SharedFeeds<Feed>;
  private readonly cached?: CachedFeed;

  /**
   * With the replica's watched cache, the feed is the cache's own changes (no watch of its
   * own) and a session's listing is its instance's entries there, not the whole cluster's
   * tasks read from etcd at every session open (5,000 sessions joining a 50,000-task cluster
   * read 250 million records). Both come from one stream, so nothing falls between them.
   */
  constructor(
    private readonly kv: Kv,
    private readonly log: Logger,
    cache?: StateCache,
  ) {
    this.feeds = new SharedFeeds((cluster) => this.start(cluster));
    if (cache) this.cached = new CachedFeed(cache);
  }

  /** Joins the feed of `cluster` for the tasks of `instanceId`; resolves once the feed watches. */
  subscribe(cluster: string, instanceId: string, handlers: TaskFeedHandlers): Promise<TaskFeedSubscription> {
    if (this.cached) return Promise.resolve(this.cached.add(cluster, instanceId, handlers));
    return this.feeds.join(cluster, (feed) => feed.byInstance.add(instanceId, handlers));
  }

  /**
   * The tasks of `instanceId` as they are now, for a session that just subscribed: everything
   * the feed did not bring it yet is either here or has a later revision.
   */
  async list(cluster: string, instanceId: string): Promise<InstanceTasks> {
    const c = this.cached?.tasks();
    if (c) return { tasks: instanceTasksIn(c, cluster, instanceId), revision: BigInt(c.revision) };
    const listing = await this.kv.list<TaskRecord>(keys.tasks(cluster));
    return { tasks: listing.items.map((i) => i.value).filter((t) => t.containerInstanceId === instanceId), revision: BigInt(listing.revision) };
  }

  /** Open feeds (for tests and metrics). */
  get size(): number {
    return this.feeds.size;
  }

  private start(cluster: string): Feed {
    const byInstance = new HandlerGroups<TaskFeedHandlers>();
    const deliver = (task: TaskRecord, modRevision: string) => {
      for (const h of byInstance.of(task.containerInstanceId)) h.put(task, modRevision);
    };
    const ready = this.kv.revision().then((from) =>
      watchPrefix<TaskRecord>(
        this.kv,
        keys.tasks(cluster),
        from,
        {
          put: (_key, task, modRevision) => deliver(task, modRevision),
          delete: (key) => {
            const id = lastSegment(key);
            for (const h of byInstance.all()) h.delete(id);
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
    return { byInstance, ready, close: async () => (await ready.catch(() => undefined))?.close() };
  }
}

/** The feed over the replica's cache: one observer of its tasks for every session. */
class CachedFeed implements CacheObserver<TaskRecord> {
  private readonly byInstance = new HandlerGroups<TaskFeedHandlers>();
  private readonly keys = new Map<string, number>();
  private observing = false;

  constructor(private readonly cache: StateCache) {}

  /** The cache's tasks, undefined once it closed (the sessions then list etcd). */
  tasks() {
    return this.cache.asIs("tasks");
  }

  add(cluster: string, instanceId: string, handlers: TaskFeedHandlers): TaskFeedSubscription {
    if (!this.observing) {
      this.cache.tasks.observe(this);
      this.observing = true;
    }
    const key = `${cluster}/${instanceId}`;
    const remove = this.byInstance.add(key, handlers);
    this.keys.set(key, (this.keys.get(key) ?? 0) + 1);
    let open = true;
    return {
      close: async () => {
        if (!open) return;
        open = false;
        remove();
        const left = (this.keys.get(key) ?? 1) - 1;
        if (left > 0) this.keys.set(key, left);
        else this.keys.delete(key);
      },
    };
  }

  changed(key: string, before: TaskRecord | undefined, after: TaskRecord | undefined): void {
    if (after) {
      // the cache holds the record (with its revision) before it tells its observers
      const rev = this.cache.tasks.get(key)?.modRevision ?? String(this.cache.tasks.revision);
      for (const h of this.byInstance.of(`${after.cluster}/${after.containerInstanceId}`)) h.put(after, rev);
    } else if (before) {
      for (const h of this.byInstance.of(`${before.cluster}/${before.containerInstanceId}`)) h.delete(before.id);
    }
  }

  /** A re-list: every subscribed instance's tasks offered again; sessions skip what they have. */
  reset(): void {
    for (const key of this.keys.keys()) {
      for (const item of this.cache.tasks.byIndex(key)) for (const h of this.byInstance.of(key)) h.put(item.value, item.modRevision);
    }
  }
}

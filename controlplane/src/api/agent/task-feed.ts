import type { Logger, TaskRecord } from "@berth/shared";
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

  constructor(
    private readonly kv: Kv,
    private readonly log: Logger,
  ) {
    this.feeds = new SharedFeeds((cluster) => this.start(cluster));
  }

  /** Joins the feed of `cluster` for the tasks of `instanceId`; resolves once the feed watches. */
  subscribe(cluster: string, instanceId: string, handlers: TaskFeedHandlers): Promise<TaskFeedSubscription> {
    return this.feeds.join(cluster, (feed) => feed.byInstance.add(instanceId, handlers));
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

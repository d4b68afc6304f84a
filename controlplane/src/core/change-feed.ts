import type { Logger } from "@berth/shared";
import { keys, SharedFeeds, watchPrefix, type FeedSubscription, type Kv, type PrefixWatch } from "../store/index.js";
import { changeOfKey, coalesceChanges, type ChangeNotice } from "./change-notice.js";

/** Hears a cluster's changes, a batch at a time. */
export type ChangeListener = (notices: ChangeNotice[]) => void;

interface Feed {
  listeners: Set<ChangeListener>;
  pending: ChangeNotice[];
  timer?: NodeJS.Timeout;
  ready: Promise<PrefixWatch[]>;
  close(): Promise<void>;
}

/** How long notices gather before a batch goes out: a rollout's bursts become one re-fetch. */
const batchMs = 150;

/**
 * Change notices of one cluster's tasks, services (and their deployments), container instances,
 * and of the task definitions and clusters, from etcd watches shared by every reader of that cluster on this
 * replica, as the agent sessions share theirs ({@link TaskFeeds}): the watches start with the
 * first listener and stop with the last. A notice names the record, not its content; readers
 * fetch what changed through the APIs, so what they see is what the APIs answer.
 */
export class ChangeFeeds {
  private readonly feeds: SharedFeeds<Feed>;

  constructor(
    private readonly kv: Kv,
    private readonly log: Logger,
  ) {
    this.feeds = new SharedFeeds((cluster) => this.start(cluster));
  }

  /** Starts hearing `cluster`'s changes; resolves once its watches run. */
  subscribe(cluster: string, listener: ChangeListener): Promise<FeedSubscription> {
    return this.feeds.join(cluster, (feed) => {
      feed.listeners.add(listener);
      return () => feed.listeners.delete(listener);
    });
  }

  /** Clusters with a running feed (for tests). */
  get size(): number {
    return this.feeds.size;
  }

  private start(cluster: string): Feed {
    const feed: Feed = {
      listeners: new Set(),
      pending: [],
      ready: Promise.resolve([]),
      close: async () => {
        clearTimeout(feed.timer);
        const watches = await feed.ready.catch(() => [] as PrefixWatch[]);
        await Promise.all(watches.map((w) => w.close()));
      },
    };
    const flush = () => {
      feed.timer = undefined;
      const batch = coalesceChanges(feed.pending);
      feed.pending = [];
      for (const l of feed.listeners) l(batch);
    };
    const heard = (key: string) => {
      const notice = changeOfKey(cluster, key);
      if (!notice) return;
      feed.pending.push(notice);
      feed.timer ??= setTimeout(flush, batchMs);
    };
    const log = this.log.child({ cluster });
    const prefixes = [keys.tasks(cluster), keys.services(cluster), keys.instances(cluster), keys.serviceDeployments(cluster, "").slice(0, -1), keys.taskDefinitions(), keys.clusters()];
    feed.ready = this.kv.revision().then(async (from) => {
      const started: PrefixWatch[] = [];
      try {
        for (const prefix of prefixes) {
          started.push(
            await watchPrefix<unknown>(this.kv, prefix, from, { put: (key) => heard(key), delete: (key) => heard(key), relist: (items) => items.forEach((i) => heard(i.key)) }, log),
          );
        }
      } catch (err) {
        await Promise.all(started.map((w) => w.close()));
        throw err;
      }
      return started;
    });
    return feed;
  }
}

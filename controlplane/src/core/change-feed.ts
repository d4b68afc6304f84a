import type { Logger } from "@berth/shared";
import { keys, watchPrefix, type Kv, type PrefixWatch } from "../store/index.js";
import { changeOfKey, coalesceChanges, type ChangeNotice } from "./change-notice.js";

/** Hears a cluster's changes, a batch at a time. */
export type ChangeListener = (notices: ChangeNotice[]) => void;

interface Feed {
  listeners: Set<ChangeListener>;
  pending: ChangeNotice[];
  timer?: NodeJS.Timeout;
  watches: Promise<PrefixWatch[]>;
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
  private readonly feeds = new Map<string, Feed>();

  constructor(
    private readonly kv: Kv,
    private readonly log: Logger,
  ) {}

  /** Starts hearing `cluster`'s changes; resolves once its watches run. */
  async subscribe(cluster: string, listener: ChangeListener): Promise<{ close(): Promise<void> }> {
    const feed = this.feeds.get(cluster) ?? this.start(cluster);
    feed.listeners.add(listener);
    let closed = false;
    const leave = async () => {
      if (closed) return;
      closed = true;
      feed.listeners.delete(listener);
      if (feed.listeners.size > 0) return;
      if (this.feeds.get(cluster) === feed) this.feeds.delete(cluster);
      clearTimeout(feed.timer);
      const watches = await feed.watches.catch(() => [] as PrefixWatch[]);
      await Promise.all(watches.map((w) => w.close()));
    };
    try {
      await feed.watches;
    } catch (err) {
      await leave();
      throw err;
    }
    return { close: leave };
  }

  /** Clusters with a running feed (for tests). */
  get size(): number {
    return this.feeds.size;
  }

  private start(cluster: string): Feed {
    const feed: Feed = { listeners: new Set(), pending: [], watches: Promise.resolve([]) };
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
    feed.watches = this.kv.revision().then(async (from) => {
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
    // A failed start is seen by the listeners that await it; the next listener retries.
    feed.watches.catch(() => {
      if (this.feeds.get(cluster) === feed) this.feeds.delete(cluster);
    });
    this.feeds.set(cluster, feed);
    return feed;
  }
}

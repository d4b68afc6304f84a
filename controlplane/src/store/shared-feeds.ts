/** A running feed: ready once its watches run (or failed to start); closed with its last user. */
export interface SharedFeed {
  readonly ready: Promise<unknown>;
  close(): Promise<void>;
}

/** One user's place on a shared feed; close it when done. */
export interface FeedSubscription {
  close(): Promise<void>;
}

/**
 * Feeds shared by key (a cluster) on this replica, as an informer is shared in Kubernetes: the
 * first user starts one, the last one's leaving closes it, and a feed that failed to start is
 * dropped so the next user starts afresh. The task, instance and change feeds differ only in
 * what they watch and whom they tell; this holds the lifecycle they have in common.
 */
export class SharedFeeds<F extends SharedFeed> {
  private readonly feeds = new Map<string, { feed: F; users: number }>();

  constructor(private readonly start: (key: string) => F) {}

  /**
   * Joins `key`'s feed: `attach` registers the user on it and returns how to unregister.
   * Resolves once the feed is ready; a feed that fails to start is left again and the error thrown.
   */
  async join(key: string, attach: (feed: F) => () => void): Promise<FeedSubscription> {
    let entry = this.feeds.get(key);
    if (!entry) {
      const started = { feed: this.start(key), users: 0 };
      this.feeds.set(key, started);
      started.feed.ready.catch(() => {
        if (this.feeds.get(key) === started) this.feeds.delete(key);
      });
      entry = started;
    }
    const joined = entry;
    joined.users++;
    const detach = attach(joined.feed);
    let closed = false;
    const leave = async () => {
      if (closed) return;
      closed = true;
      detach();
      if (--joined.users > 0) return;
      if (this.feeds.get(key) === joined) this.feeds.delete(key);
      await joined.feed.close();
    };
    try {
      await joined.feed.ready;
    } catch (err) {
      await leave();
      throw err;
    }
    return { close: leave };
  }

  /** Keys with a running feed (for tests and metrics). */
  get size(): number {
    return this.feeds.size;
  }
}

/** Handlers grouped by a key (an instance id), each group dropped when it empties. */
export class HandlerGroups<H> {
  private readonly groups = new Map<string, Set<H>>();

  /** Adds `h` under `key`; returns how to remove it. */
  add(key: string, h: H): () => void {
    const set = this.groups.get(key) ?? new Set<H>();
    set.add(h);
    this.groups.set(key, set);
    return () => {
      set.delete(h);
      if (set.size === 0 && this.groups.get(key) === set) this.groups.delete(key);
    };
  }

  /** The handlers under `key`. */
  of(key: string): Iterable<H> {
    return this.groups.get(key) ?? [];
  }

  /** Every handler, of every key. */
  *all(): Iterable<H> {
    for (const set of this.groups.values()) yield* set;
  }
}

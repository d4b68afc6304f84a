import type { ContainerInstanceRecord, Logger } from "@berth/shared";
import { HandlerGroups, keys, lastSegment, SharedFeeds, watchPrefix, type FeedSubscription, type Kv, type PrefixWatch } from "../../store/index.js";

/** What a session hears of its own instance's record. */
export interface InstanceFeedHandlers {
  /** The record was written (any change: status, attributes, the connected mark). */
  put(instance: ContainerInstanceRecord): void;
  /** The record was deleted (an INACTIVE instance past its retention). */
  delete(): void;
}

interface Feed {
  byInstance: HandlerGroups<InstanceFeedHandlers>;
  ready: Promise<PrefixWatch>;
  close(): Promise<void>;
}

/**
 * One etcd watch per cluster on this replica over its container instance records, shared by
 * that cluster's agent sessions, each hearing only its own instance: how a session learns, from
 * whichever replica wrote it, that its instance was deregistered. Shaped as {@link TaskFeeds}.
 */
export class InstanceFeeds {
  private readonly feeds: SharedFeeds<Feed>;

  constructor(
    private readonly kv: Kv,
    private readonly log: Logger,
  ) {
    this.feeds = new SharedFeeds((cluster) => this.start(cluster));
  }

  /** Joins the feed of `cluster` for `instanceId`; resolves once the feed watches. */
  subscribe(cluster: string, instanceId: string, handlers: InstanceFeedHandlers): Promise<FeedSubscription> {
    return this.feeds.join(cluster, (feed) => feed.byInstance.add(instanceId, handlers));
  }

  private start(cluster: string): Feed {
    const byInstance = new HandlerGroups<InstanceFeedHandlers>();
    const deliver = (rec: ContainerInstanceRecord) => {
      for (const h of byInstance.of(rec.id)) h.put(rec);
    };
    const ready = this.kv.revision().then((from) =>
      watchPrefix<ContainerInstanceRecord>(
        this.kv,
        keys.instances(cluster),
        from,
        {
          put: (_key, rec) => deliver(rec),
          delete: (key) => {
            for (const h of byInstance.of(lastSegment(key))) h.delete();
          },
          relist: (items) => {
            for (const i of items) deliver(i.value);
          },
        },
        this.log.child({ cluster }),
      ),
    );
    return { byInstance, ready, close: async () => (await ready.catch(() => undefined))?.close() };
  }
}

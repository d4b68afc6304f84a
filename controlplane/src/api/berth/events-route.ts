import { clusterNameOf, type Logger } from "@berth/shared";
import { activeCluster, type ChangeFeeds, type CoreContext } from "../../core/index.js";
import type { StreamRoute } from "../aws/router.js";
import { sseFrame, sseKeepAlive } from "./sse.js";

/** How often an idle stream carries a comment, so proxies and readers see it is alive. */
const keepAliveMs = 15_000;

/**
 * `GET /berth/v1/events/stream?cluster=NAME`: server-sent events naming what changed in the
 * cluster, fed by the control plane's etcd watches (core/change-feed.ts). First `ready`, then
 * one `change` event per batch, `{"changes":[{"kind":"task"|"service"|"instance"|"taskDefinition"|"cluster","id":…}]}`.
 * A notice carries no record: readers re-fetch through the ECS API, which stays the one source
 * of what they show. Signed like berth's other routes; an unknown cluster is refused before the
 * stream opens (ClusterNotFoundException).
 */
export function eventsStreamRoute(ctx: CoreContext, feeds: ChangeFeeds, log: Logger): StreamRoute {
  return async (_req, res, query) => {
    const cluster = clusterNameOf(query.get("cluster") || undefined);
    await activeCluster(ctx, cluster);
    let open = true;
    let timer: NodeJS.Timeout | undefined;
    let sub: { close(): Promise<void> } | undefined;
    const leave = () => {
      if (!open) return;
      open = false;
      clearInterval(timer);
      void sub?.close().catch((err) => log.warn("change feed close failed", { cluster, err }));
      log.debug("change stream closed", { cluster });
    };
    // Registered before the feed is joined: a reader gone while the watches start must not leave a subscription behind.
    res.on("close", leave);
    sub = await feeds.subscribe(cluster, (changes) => {
      if (open && changes.length > 0) res.write(sseFrame("change", { changes }));
    });
    if (!open) {
      void sub.close();
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" });
    // A reader that lost the stream tries again after this long (EventSource's `retry:`).
    res.write(`retry: 2000\n${sseFrame("ready", { cluster })}`);
    timer = setInterval(() => res.write(sseKeepAlive), keepAliveMs);
    log.debug("change stream opened", { cluster });
  };
}

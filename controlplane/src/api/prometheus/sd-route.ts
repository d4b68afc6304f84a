import type { Logger } from "@berth/shared";
import { discoverScrapeTargets, type CoreContext } from "../../core/index.js";

/** The path Prometheus's `http_sd_configs` points at, on the control plane's HTTP port. */
export const prometheusSdPath = "/prometheus/sd";

/** A GET route's answer, as the HTTP server's extra routes return it. */
export interface RouteReply {
  status?: number;
  contentType: string;
  body: string;
}

/**
 * `GET /prometheus/sd`: Prometheus's HTTP service discovery, the whole list of target groups on
 * every call (`[]` when there is none), as application/json. A container that asks to be
 * scraped but cannot be (a bad label, an unpublished port) is logged once when it first shows,
 * not on every refresh: Prometheus asks every minute by default.
 */
export function prometheusSdRoute(ctx: CoreContext, log: Logger): () => Promise<RouteReply> {
  let reported = new Set<string>();
  return async () => {
    const plan = await discoverScrapeTargets(ctx);
    const now = new Set<string>();
    for (const s of plan.skipped) {
      const key = `${s.taskArn}|${s.container}|${s.reason}`;
      now.add(key);
      if (!reported.has(key)) log.warn("container not listed for Prometheus", { taskArn: s.taskArn, container: s.container, reason: s.reason });
    }
    reported = now;
    return { contentType: "application/json", body: JSON.stringify(plan.groups) };
  };
}

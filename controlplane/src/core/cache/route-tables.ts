import type { ContainerInstanceRecord } from "@berth/shared";
import { keys } from "../../store/index.js";
import { planClusterRoutes, routeInputsChanged, type ClusterRoute } from "../vpc/routes.js";
import type { CacheObserver, PrefixCache } from "./prefix-cache.js";

/** A cluster's routes as of a version: the version changes whenever they may have. */
export interface RouteTable {
  version: number;
  routes: readonly ClusterRoute[];
}

/**
 * Each cluster's host routes (vpc/routes.ts), derived from the watched instance records: planned
 * once per change of the cluster's blocks, addresses or INACTIVE instances, not per session and
 * heartbeat. Every session asks every period; a placement writes its instance's record (held
 * tasks, resources) without touching any of those, so the version moves only when a route may
 * have, and a session holding the current version has nothing to do.
 */
export class RouteTables implements CacheObserver<ContainerInstanceRecord> {
  /** The last change seen, numbered across clusters: versions only grow, even across a re-list. */
  private seq = 0;
  private resetAt = 0;
  private readonly changedAt = new Map<string, number>();
  private readonly tables = new Map<string, RouteTable>();

  constructor(private readonly instances: PrefixCache<ContainerInstanceRecord>) {
    instances.observe(this);
  }

  /** See {@link CacheObserver.changed}. */
  changed(_key: string, before: ContainerInstanceRecord | undefined, after: ContainerInstanceRecord | undefined): void {
    if (!routeInputsChanged(before, after)) return;
    const cluster = (after ?? before)!.cluster;
    this.changedAt.set(cluster, ++this.seq);
    this.tables.delete(cluster);
  }

  /** See {@link CacheObserver.reset}. */
  reset(): void {
    this.resetAt = ++this.seq;
    this.changedAt.clear();
    this.tables.clear();
  }

  /** The version of `cluster`'s routes: equal versions, equal routes. */
  version(cluster: string): number {
    return Math.max(this.resetAt, this.changedAt.get(cluster) ?? 0);
  }

  /** `cluster`'s routes, planned now if they changed since last asked. */
  table(cluster: string): RouteTable {
    const version = this.version(cluster);
    let t = this.tables.get(cluster);
    if (t?.version !== version) {
      t = { version, routes: planClusterRoutes(this.instances.list(keys.instances(cluster)).map((i) => i.value)) };
      this.tables.set(cluster, t);
    }
    return t;
  }
}

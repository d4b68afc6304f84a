import type { ContainerInstanceRecord } from "@berth/shared";

/** A route an agent installs: a task block of another host, through that host's address. */
export interface HostRoutePlan {
  cidr: string;
  via: string;
}

/** A cluster's route to one instance's task block: every instance needs it but `owner` and those on its host. */
export interface ClusterRoute extends HostRoutePlan {
  owner: string;
}

/** The fields of an instance record its cluster's routes are made of. */
export type RoutePeer = Pick<ContainerInstanceRecord, "id" | "status" | "hostIp" | "ipBlocks">;

/**
 * The routes one instance needs to reach every other live instance's task blocks, pure: the
 * blocks of each instance that is not INACTIVE and has an address, through that address; never
 * its own blocks (those are on its bridge), nor those of an instance on the same host (berth up's
 * Fargate agent beside its EC2 one: their blocks are on that host's other bridge, reached
 * directly). Sorted, so equal plans compare equal.
 */
export function planHostRoutes(instances: readonly RoutePeer[], selfId: string): HostRoutePlan[] {
  return routesFor(planClusterRoutes(instances), { id: selfId, hostIp: instances.find((i) => i.id === selfId)?.hostIp });
}

/**
 * Every instance's task blocks of a cluster as routes, pure: those of instances that are not
 * INACTIVE and have an address, through that address, sorted by block then address. Computed
 * once per change of the cluster's blocks; each instance's plan is a filter of it ({@link routesFor}).
 */
export function planClusterRoutes(instances: readonly RoutePeer[]): ClusterRoute[] {
  const routes: ClusterRoute[] = [];
  for (const i of instances) {
    if (i.status === "INACTIVE" || !i.hostIp) continue;
    for (const b of i.ipBlocks ?? []) routes.push({ cidr: b.cidr, via: i.hostIp, owner: i.id });
  }
  return routes.sort((a, b) => a.cidr.localeCompare(b.cidr) || a.via.localeCompare(b.via));
}

/** The routes `self` needs of its cluster's (see {@link planHostRoutes}): not its own blocks, nor those on its host. */
export function routesFor(routes: readonly ClusterRoute[], self: { id: string; hostIp?: string }): HostRoutePlan[] {
  const out: HostRoutePlan[] = [];
  for (const r of routes) if (r.owner !== self.id && (!self.hostIp || r.via !== self.hostIp)) out.push({ cidr: r.cidr, via: r.via });
  return out;
}

/**
 * Whether an instance record going from `before` to `after` (either absent: created, deleted)
 * can change any instance's routes: its blocks, its address or whether it is INACTIVE. Its
 * tasks, resources and connection come and go with every placement and never do.
 */
export function routeInputsChanged(before: RoutePeer | undefined, after: RoutePeer | undefined): boolean {
  return routeInputsOf(before) !== routeInputsOf(after);
}

function routeInputsOf(i: RoutePeer | undefined): string {
  if (!i) return "";
  return `${i.status === "INACTIVE" ? "-" : "+"}${i.hostIp ?? ""}|${(i.ipBlocks ?? []).map((b) => b.cidr).join(",")}`;
}

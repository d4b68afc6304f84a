import type { ContainerInstanceRecord } from "@berth/shared";

/** A route an agent installs: a task block of another host, through that host's address. */
export interface HostRoutePlan {
  cidr: string;
  via: string;
}

/**
 * The routes one instance needs to reach every other live instance's task blocks, pure: the
 * blocks of each instance that is not INACTIVE and has an address, through that address; never
 * its own blocks (those are on its bridge), nor those of an instance on the same host (berth up's
 * Fargate agent beside its EC2 one: their blocks are on that host's other bridge, reached
 * directly). Sorted, so equal plans compare equal.
 */
export function planHostRoutes(instances: readonly Pick<ContainerInstanceRecord, "id" | "status" | "hostIp" | "ipBlocks">[], selfId: string): HostRoutePlan[] {
  const routes: HostRoutePlan[] = [];
  const selfIp = instances.find((i) => i.id === selfId)?.hostIp;
  for (const i of instances) {
    if (i.id === selfId || i.status === "INACTIVE" || !i.hostIp || i.hostIp === selfIp) continue;
    for (const b of i.ipBlocks ?? []) routes.push({ cidr: b.cidr, via: i.hostIp });
  }
  return routes.sort((a, b) => a.cidr.localeCompare(b.cidr) || a.via.localeCompare(b.via));
}

import type { Logger } from "@berth/shared";
import { hostCommand } from "./host-commands.js";
import { planRouteChanges, type HostRoute } from "./plan.js";

/** The routing table's protocol number berth marks its routes with, so it finds and replaces only its own. */
export const routeProtocol = "190";

/**
 * The host's routes to the cluster peers' task blocks, kept equal to the control plane's last
 * word (HostRoutes): each push is the whole set; routes berth added are found by their protocol
 * mark, so an agent restart replaces what its predecessor left instead of piling up.
 */
export class HostRouteTable {
  private applying: Promise<void> = Promise.resolve();
  /** What was installed, as the control plane named it (its `via`); read from the kernel at first. */
  private installed?: HostRoute[];

  constructor(private readonly logger: Logger) {}

  /** Brings the table to `wanted`; calls run one at a time, in order. */
  apply(wanted: HostRoute[]): Promise<void> {
    this.applying = this.applying.then(() => this.applyNow(wanted)).catch((err) => this.logger.warn("host routes not applied", { err }));
    return this.applying;
  }

  /** The routes berth installed, as the kernel lists them. */
  async current(): Promise<HostRoute[]> {
    const out = await hostCommand("ip", ["-4", "-j", "route", "show", "proto", routeProtocol]);
    const rows = (out.trim() ? JSON.parse(out) : []) as { dst: string; gateway?: string }[];
    return rows.filter((r) => r.gateway).map((r) => ({ cidr: r.dst, via: r.gateway! }));
  }

  private async applyNow(wanted: HostRoute[]): Promise<void> {
    const { add, remove } = planRouteChanges((this.installed ??= await this.current()), wanted);
    for (const r of remove) await hostCommand("ip", ["route", "del", r.cidr, "proto", routeProtocol]);
    for (const r of add) await hostCommand("ip", ["route", "replace", r.cidr, ...(await nextHop(r.via)), "proto", routeProtocol]);
    this.installed = wanted;
    if (add.length + remove.length > 0) this.logger.info("host routes updated", { added: add.length, removed: remove.length, total: wanted.length });
  }
}

/**
 * How to reach a peer host: `via` it when it is on a link of ours (one network, as DinD nodes
 * are), else via the router this host reaches it through (hosts on separate subnets; that
 * router must then know the peer's blocks, as a VPC's route table does).
 */
async function nextHop(peer: string): Promise<string[]> {
  const rows = JSON.parse(await hostCommand("ip", ["-j", "route", "get", peer])) as { gateway?: string; dev: string }[];
  const r = rows[0];
  return r?.gateway ? ["via", r.gateway, "dev", r.dev] : ["via", peer, ...(r ? ["dev", r.dev] : [])];
}

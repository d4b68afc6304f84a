import type { IpBlock } from "@berth/shared";
import { cidrContains, freeBlock, pickAddress } from "./ipam.js";
import type { Subnet } from "./types.js";

/** One instance's side of an awsvpc placement: what it holds and where it is. */
export interface InstanceAddressing {
  zone?: string;
  /** Its blocks, in the order they were handed out. */
  blocks: IpBlock[];
  /** Addresses its tasks hold now. */
  used: string[];
}

/** Where one task's interface goes. */
export interface PlannedAddress {
  subnet: Subnet;
  blockCidr: string;
  ip: string;
}

/** The addresses for `count` tasks on one instance, the blocks it must be handed for them, and the tasks that got none. */
export interface InstanceAddressPlan {
  addresses: PlannedAddress[];
  newBlocks: IpBlock[];
  /** Tasks left without an address: every subnet in the instance's zone is full. */
  unplaced: number;
  /** The subnets that were full, for the failure's detail. */
  fullSubnets: Subnet[];
}

/**
 * Picks addresses for `count` tasks placed on one instance, pure: the task's subnets in the
 * instance's zone, in the order the request gave them; inside a subnet the instance's own blocks
 * first, then a new block that no live instance holds (`taken`, per subnet id). A subnet with no
 * block left and every owned block full is skipped for the next.
 */
export function planInstanceAddresses(
  subnets: readonly Subnet[],
  inst: InstanceAddressing,
  count: number,
  taken: ReadonlyMap<string, ReadonlySet<string>>,
): InstanceAddressPlan {
  const used = new Set(inst.used);
  const blocks = [...inst.blocks];
  const plan: InstanceAddressPlan = { addresses: [], newBlocks: [], unplaced: 0, fullSubnets: [] };
  const zoneSubnets = subnets.filter((s) => s.availabilityZone === inst.zone);
  for (let i = 0; i < count; i++) {
    let placed = false;
    for (const subnet of zoneSubnets) {
      const own = blocks.filter((b) => b.subnetId === subnet.subnetId).map((b) => b.cidr);
      let ip = pickAddress(own, used);
      if (ip === undefined) {
        const takenHere = new Set([...(taken.get(subnet.subnetId) ?? []), ...own]);
        const cidr = freeBlock(subnet.cidrBlock, takenHere);
        if (cidr === undefined) continue;
        const block = { subnetId: subnet.subnetId, cidr };
        blocks.push(block);
        plan.newBlocks.push(block);
        ip = pickAddress([cidr], used);
        if (ip === undefined) continue;
      }
      used.add(ip);
      const blockCidr = blocks.find((b) => b.subnetId === subnet.subnetId && cidrContains(b.cidr, ip!))!.cidr;
      plan.addresses.push({ subnet, blockCidr, ip });
      placed = true;
      break;
    }
    if (!placed) plan.unplaced++;
  }
  if (plan.unplaced > 0) plan.fullSubnets = zoneSubnets;
  return plan;
}

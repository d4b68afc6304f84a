import { createHash } from "node:crypto";
import type { IngressRule, SecurityGroup, Subnet, Vpc } from "./types.js";

/**
 * The default network every berth region has, derived (not stored) so it exists from the first
 * start without a write: AWS's own default VPC shape, 172.31.0.0/16 with a /20 default subnet per
 * availability zone (`<region>a` 172.31.0.0/20, `b` 172.31.16.0/20, …) and a `default` security
 * group that admits traffic from its own members only. Ids are stable hashes of the region, so
 * every replica and every restart names them alike.
 */

/** The zones that get a default subnet: `<region>a` … `<region>f` (us-east-1 has six). */
export const defaultZoneLetters = ["a", "b", "c", "d", "e", "f"] as const;

/** An EC2-style id (`prefix-` and 17 hex digits) fixed by the seed. */
export function stableId(prefix: string, seed: string): string {
  return `${prefix}-${createHash("sha256").update(seed).digest("hex").slice(0, 17)}`;
}

/** The region's default VPC. */
export function defaultVpc(region: string): Vpc {
  return { vpcId: stableId("vpc", `berth:default-vpc:${region}`), cidrBlock: "172.31.0.0/16", isDefault: true };
}

/** The default subnet of each default zone, in zone order. */
export function defaultSubnets(region: string): Subnet[] {
  const vpc = defaultVpc(region);
  return defaultZoneLetters.map((letter, i) => {
    const zone = `${region}${letter}`;
    return {
      subnetId: stableId("subnet", `berth:default-subnet:${zone}`),
      vpcId: vpc.vpcId,
      cidrBlock: `172.31.${i * 16}.0/20`,
      availabilityZone: zone,
      defaultForAz: true,
    };
  });
}

/** The default VPC's `default` security group: all traffic from its own members. */
export function defaultSecurityGroup(region: string): SecurityGroup {
  const vpc = defaultVpc(region);
  const groupId = stableId("sg", `berth:default-sg:${region}`);
  const selfRule: IngressRule = { ipProtocol: "-1", cidrs: [], sourceGroupIds: [groupId] };
  return { groupId, groupName: "default", description: "default VPC security group", vpcId: vpc.vpcId, ingress: [selfRule] };
}

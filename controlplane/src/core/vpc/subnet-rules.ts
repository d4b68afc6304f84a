import { Ec2InvalidParameterValue, Ec2MissingParameter, InvalidSubnetConflict, InvalidSubnetRange, InvalidVpcIdNotFound } from "@berth/shared";
import { blockContains, blocksOverlap, parseIpv4Cidr, subnetPrefixBounds } from "./cidr.js";
import { defaultZoneLetters } from "./defaults.js";
import type { Subnet, Vpc } from "./types.js";

/** The availability zones of a region: `<region>a` … `<region>f`, the zones of its default subnets. */
export function regionZones(region: string): string[] {
  return defaultZoneLetters.map((l) => `${region}${l}`);
}

/** What CreateSubnet asks for, in berth's words (the EC2 edge maps the model's members). */
export interface SubnetRequest {
  vpcId: string;
  cidrBlock?: string;
  availabilityZone?: string;
}

/** Where a new subnet goes: its canonical CIDR and zone. */
export interface SubnetPlacement {
  cidrBlock: string;
  availabilityZone: string;
}

/**
 * Checks a new subnet as EC2 does: the VPC exists, the CIDR is a network address of /16 to /28
 * inside the VPC's block (InvalidSubnet.Range), it overlaps no subnet of the VPC
 * (InvalidSubnet.Conflict), and the zone is one of the region's (InvalidParameterValue). With no
 * zone given, the zone with the fewest subnets (then the first) is chosen, as EC2 picks one. Pure.
 */
export function planSubnet(req: SubnetRequest, vpcs: readonly Vpc[], subnets: readonly Subnet[], zones: readonly string[]): SubnetPlacement {
  const vpc = vpcs.find((v) => v.vpcId === req.vpcId);
  if (!vpc) throw new InvalidVpcIdNotFound(`The vpc ID '${req.vpcId}' does not exist`);
  if (req.cidrBlock === undefined) throw new Ec2MissingParameter("The request must contain the parameter cidrBlock");
  const block = parseIpv4Cidr(req.cidrBlock, { requireNetwork: true });
  if (block === "malformed") throw new Ec2InvalidParameterValue(`Value (${req.cidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  const vpcBlock = parseIpv4Cidr(vpc.cidrBlock);
  if (block === "not-network-address" || typeof vpcBlock === "string" || block.prefix < subnetPrefixBounds.largest || block.prefix > subnetPrefixBounds.smallest || !blockContains(vpcBlock, block)) {
    throw new InvalidSubnetRange(
      `The CIDR '${req.cidrBlock}' is invalid: a subnet is a network address of /${subnetPrefixBounds.largest} to /${subnetPrefixBounds.smallest} inside its VPC's ${vpc.cidrBlock}.`,
    );
  }
  const inVpc = subnets.filter((s) => s.vpcId === vpc.vpcId);
  const clash = inVpc.find((s) => {
    const other = parseIpv4Cidr(s.cidrBlock);
    return typeof other !== "string" && blocksOverlap(block, other);
  });
  if (clash) throw new InvalidSubnetConflict(`The CIDR '${req.cidrBlock}' conflicts with another subnet (${clash.subnetId}, ${clash.cidrBlock}).`);
  const zone = req.availabilityZone ?? leastUsedZone(zones, inVpc);
  if (!zones.includes(zone)) {
    throw new Ec2InvalidParameterValue(
      `Value (${zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.join(", ")}.`,
    );
  }
  return { cidrBlock: block.cidr, availabilityZone: zone };
}

function leastUsedZone(zones: readonly string[], subnets: readonly Subnet[]): string {
  const count = (z: string) => subnets.filter((s) => s.availabilityZone === z).length;
  return [...zones].sort((a, b) => count(a) - count(b) || a.localeCompare(b))[0];
}

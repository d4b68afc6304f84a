import { Ec2InvalidParameterValue, InvalidSubnetIdNotFound } from "@berth/shared";
import {
  applyFilters,
  awsvpcInUse,
  createSubnet as createStoredSubnet,
  deleteSubnet as deleteStoredSubnet,
  listSubnets,
  tagsFromSpecifications,
  type CoreContext,
  type Ec2Filter,
  type Subnet,
  type TagSpecificationInput,
} from "../../../core/index.js";
import { pageOf, type Ec2PageRequest } from "../pagination.js";
import { subnetShape } from "../shapes.js";

interface DescribeSubnetsInput extends Ec2PageRequest {
  SubnetIds?: string[];
  Filters?: Ec2Filter[];
}

/** DescribeSubnets: the default and created subnets, by id (each must exist) and filters. */
export async function describeSubnets(ctx: CoreContext, input: DescribeSubnetsInput): Promise<Record<string, unknown>> {
  const all = await listSubnets(ctx);
  const missing = (input.SubnetIds ?? []).filter((id) => !all.some((s) => s.subnetId === id));
  if (missing.length > 0) throw new InvalidSubnetIdNotFound(`The subnet ID '${missing[0]}' does not exist`);
  const picked = input.SubnetIds?.length ? all.filter((s) => input.SubnetIds!.includes(s.subnetId)) : all;
  const found = applyFilters<Subnet>(
    picked,
    input.Filters,
    {
      "subnet-id": (s) => [s.subnetId],
      "vpc-id": (s) => [s.vpcId],
      "availability-zone": (s) => [s.availabilityZone],
      "availabilityZone": (s) => [s.availabilityZone],
      "default-for-az": (s) => [String(s.defaultForAz)],
      "defaultForAz": (s) => [String(s.defaultForAz)],
      "cidr-block": (s) => [s.cidrBlock],
      "cidrBlock": (s) => [s.cidrBlock],
      "cidr": (s) => [s.cidrBlock],
      "state": () => ["available"],
      "owner-id": () => [ctx.scope.account],
    },
    (s) => s.tags ?? [],
  );
  const { page, NextToken } = pageOf(found, (s) => s.subnetId, input, input.SubnetIds);
  // Each awsvpc task that is not STOPPED holds one address of its subnet.
  const used = new Map<string, number>();
  for (const u of await awsvpcInUse(ctx)) used.set(u.subnetId, (used.get(u.subnetId) ?? 0) + 1);
  return { Subnets: page.map((s) => subnetShape(s, ctx.scope, used.get(s.subnetId))), NextToken };
}

interface CreateSubnetInput {
  VpcId: string;
  CidrBlock?: string;
  AvailabilityZone?: string;
  AvailabilityZoneId?: string;
  Ipv6CidrBlock?: string;
  Ipv6Native?: boolean;
  OutpostArn?: string;
  Ipv4IpamPoolId?: string;
  Ipv6IpamPoolId?: string;
  TagSpecifications?: TagSpecificationInput[];
}

/** CreateSubnet: an IPv4 CIDR inside the default VPC in one of the region's zones. */
export async function createSubnet(ctx: CoreContext, input: CreateSubnetInput): Promise<Record<string, unknown>> {
  const unsupported = (["AvailabilityZoneId", "Ipv6CidrBlock", "OutpostArn", "Ipv4IpamPoolId", "Ipv6IpamPoolId"] as const).find((k) => input[k] !== undefined);
  if (unsupported) throw new Ec2InvalidParameterValue(`${unsupported}: berth's subnets are IPv4 CIDRs in a zone named by AvailabilityZone; ${unsupported} is not supported.`);
  if (input.Ipv6Native === true) throw new Ec2InvalidParameterValue("Ipv6Native: berth's VPC is IPv4 only.");
  const tags = tagsFromSpecifications(input.TagSpecifications, "subnet");
  const subnet = await createStoredSubnet(ctx, { vpcId: input.VpcId, cidrBlock: input.CidrBlock, availabilityZone: input.AvailabilityZone, tags });
  return { Subnet: subnetShape(subnet, ctx.scope) };
}

/** DeleteSubnet: a created subnet no running awsvpc task is in. */
export async function deleteSubnet(ctx: CoreContext, input: { SubnetId: string }): Promise<Record<string, unknown>> {
  await deleteStoredSubnet(ctx, input.SubnetId);
  return {};
}

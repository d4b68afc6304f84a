import { Ec2InvalidParameterValue, InvalidVpcIdNotFound } from "@berth/shared";
import { applyFilters, listVpcs, regionZones, type CoreContext, type Ec2Filter, type Vpc } from "../../../core/index.js";
import { pageOf, type Ec2PageRequest } from "../pagination.js";
import { vpcShape } from "../shapes.js";

interface DescribeVpcsInput extends Ec2PageRequest {
  VpcIds?: string[];
  Filters?: Ec2Filter[];
}

/** DescribeVpcs: berth's one VPC, the region's default; unknown ids are EC2's InvalidVpcID.NotFound. */
export async function describeVpcs(ctx: CoreContext, input: DescribeVpcsInput): Promise<Record<string, unknown>> {
  const vpcs = listVpcs(ctx);
  const missing = (input.VpcIds ?? []).filter((id) => !vpcs.some((v) => v.vpcId === id));
  if (missing.length > 0) throw new InvalidVpcIdNotFound(`The vpc ID '${missing[0]}' does not exist`);
  const picked = input.VpcIds?.length ? vpcs.filter((v) => input.VpcIds!.includes(v.vpcId)) : vpcs;
  const found = applyFilters<Vpc>(
    picked,
    input.Filters,
    {
      "vpc-id": (v) => [v.vpcId],
      "is-default": (v) => [String(v.isDefault)],
      "cidr": (v) => [v.cidrBlock],
      "cidr-block-association.cidr-block": (v) => [v.cidrBlock],
      "state": () => ["available"],
      "owner-id": () => [ctx.scope.account],
    },
    () => [],
  );
  const { page, NextToken } = pageOf(found, (v) => v.vpcId, input, input.VpcIds);
  return { Vpcs: page.map((v) => vpcShape(v, ctx.scope)), NextToken };
}

interface DescribeAvailabilityZonesInput {
  ZoneNames?: string[];
  ZoneIds?: string[];
  Filters?: Ec2Filter[];
}

interface Zone {
  name: string;
}

/** DescribeAvailabilityZones: the region's zones, the ones CreateSubnet accepts. */
export async function describeAvailabilityZones(ctx: CoreContext, input: DescribeAvailabilityZonesInput): Promise<Record<string, unknown>> {
  const zones = regionZones(ctx.scope.region).map((name) => ({ name }));
  const missing = (input.ZoneNames ?? []).filter((z) => !zones.some((x) => x.name === z));
  if (missing.length > 0) throw new Ec2InvalidParameterValue(`The zone '${missing[0]}' does not exist in region ${ctx.scope.region}`);
  if ((input.ZoneIds ?? []).length > 0) throw new Ec2InvalidParameterValue("ZoneIds: berth names its zones by name only; give ZoneNames.");
  const picked = input.ZoneNames?.length ? zones.filter((z) => input.ZoneNames!.includes(z.name)) : zones;
  const found = applyFilters<Zone>(
    picked,
    input.Filters,
    {
      "zone-name": (z) => [z.name],
      "region-name": () => [ctx.scope.region],
      "state": () => ["available"],
      "zone-type": () => ["availability-zone"],
      "group-name": () => [ctx.scope.region],
      "opt-in-status": () => ["opt-in-not-required"],
    },
    () => [],
  );
  return {
    AvailabilityZones: found.map((z) => ({
      ZoneName: z.name,
      State: "available",
      RegionName: ctx.scope.region,
      ZoneType: "availability-zone",
      OptInStatus: "opt-in-not-required",
      GroupName: ctx.scope.region,
      NetworkBorderGroup: ctx.scope.region,
      Messages: [],
    })),
  };
}

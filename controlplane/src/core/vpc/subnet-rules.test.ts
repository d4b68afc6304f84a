import { describe, expect, it } from "vitest";
import { defaultSubnets, defaultVpc } from "./defaults.js";
import { planSubnet, regionZones, type SubnetRequest } from "./subnet-rules.js";
import type { Subnet } from "./types.js";

const vpc = defaultVpc("us-east-1");
const zones = regionZones("us-east-1");
const created: Subnet = { subnetId: "subnet-mine", vpcId: vpc.vpcId, cidrBlock: "172.31.96.0/24", availabilityZone: "us-east-1a", defaultForAz: false };
const subnets = [...defaultSubnets("us-east-1"), created];
const req = (r: Partial<SubnetRequest>): SubnetRequest => ({ vpcId: vpc.vpcId, ...r });

describe("planSubnet", () => {
  it.each([
    // a free /24 in a named zone
    [{ cidrBlock: "172.31.97.0/24", availabilityZone: "us-east-1c" }, { cidrBlock: "172.31.97.0/24", availabilityZone: "us-east-1c" }],
    // the largest allowed size, /16, needs the whole VPC... so a /20 at the top end
    [{ cidrBlock: "172.31.240.0/20", availabilityZone: "us-east-1f" }, { cidrBlock: "172.31.240.0/20", availabilityZone: "us-east-1f" }],
    // no zone: the zone with the fewest subnets, then the first (1a has two, the rest one)
    [{ cidrBlock: "172.31.98.0/28" }, { cidrBlock: "172.31.98.0/28", availabilityZone: "us-east-1b" }],
  ])("places %j", (r, want) => {
    expect(planSubnet(req(r), [vpc], subnets, zones)).toEqual(want);
  });

  it.each<[string, Partial<SubnetRequest>, string, RegExp]>([
    // an unknown VPC
    ["unknown vpc", { vpcId: "vpc-nope", cidrBlock: "172.31.97.0/24" }, "InvalidVpcID.NotFound", /vpc-nope/],
    // no CIDR
    ["no cidr", {}, "MissingParameter", /cidrBlock/],
    // not a CIDR
    ["malformed", { cidrBlock: "172.31.97/24" }, "InvalidParameterValue", /not a valid CIDR block/],
    // host bits set
    ["host bits", { cidrBlock: "172.31.97.1/24" }, "InvalidSubnet.Range", /172\.31\.97\.1\/24/],
    // outside the VPC
    ["outside", { cidrBlock: "10.0.0.0/24" }, "InvalidSubnet.Range", /inside its VPC/],
    // smaller than /28
    ["too small", { cidrBlock: "172.31.97.0/29" }, "InvalidSubnet.Range", /\/28/],
    // larger than /16
    ["too large", { cidrBlock: "172.30.0.0/15" }, "InvalidSubnet.Range", /\/16/],
    // overlapping a default subnet
    ["overlaps default", { cidrBlock: "172.31.1.0/24" }, "InvalidSubnet.Conflict", /conflicts/],
    // overlapping a created one (containing it)
    ["contains created", { cidrBlock: "172.31.96.0/20" }, "InvalidSubnet.Conflict", /subnet-mine/],
    // a zone the region does not have
    ["unknown zone", { cidrBlock: "172.31.97.0/24", availabilityZone: "us-east-1z" }, "InvalidParameterValue", /us-east-1a, us-east-1b/],
  ])("refuses %s", (_name, r, code, message) => {
    expect(() => planSubnet(req(r), [vpc], subnets, zones)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });
});

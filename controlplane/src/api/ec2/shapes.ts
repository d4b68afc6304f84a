import type { ArnScope, Tag } from "@berth/shared";
import { parseIpv4Cidr, ruleIdOf, stableId, usableAddresses, type IngressRule, type Permission, type SecurityGroup, type Subnet, type Vpc } from "../../core/index.js";

/**
 * berth's VPC records in EC2's output shapes (model member names; the XML serialiser names the
 * elements). Values berth does not vary (state, tenancy) are what EC2 shows for the same thing.
 */

/** EC2 tags from berth's stored ones. */
export function ec2Tags(tags: readonly Tag[] | undefined): { Key: string; Value: string }[] {
  return (tags ?? []).map((t) => ({ Key: t.key ?? "", Value: t.value ?? "" }));
}

/** A VPC as DescribeVpcs shows it. */
export function vpcShape(vpc: Vpc, scope: ArnScope): Record<string, unknown> {
  return {
    VpcId: vpc.vpcId,
    CidrBlock: vpc.cidrBlock,
    State: "available",
    IsDefault: vpc.isDefault,
    OwnerId: scope.account,
    InstanceTenancy: "default",
    CidrBlockAssociationSet: [{ AssociationId: stableId("vpc-cidr-assoc", vpc.vpcId), CidrBlock: vpc.cidrBlock, CidrBlockState: { State: "associated" } }],
    Tags: [],
  };
}

/** A subnet as DescribeSubnets and CreateSubnet show it; `inUse` addresses are taken by awsvpc tasks. */
export function subnetShape(s: Subnet, scope: ArnScope, inUse = 0): Record<string, unknown> {
  const block = parseIpv4Cidr(s.cidrBlock);
  return {
    SubnetId: s.subnetId,
    SubnetArn: `arn:aws:ec2:${scope.region}:${scope.account}:subnet/${s.subnetId}`,
    VpcId: s.vpcId,
    CidrBlock: s.cidrBlock,
    AvailabilityZone: s.availabilityZone,
    AvailableIpAddressCount: typeof block === "string" ? 0 : Math.max(0, usableAddresses(block) - inUse),
    DefaultForAz: s.defaultForAz,
    MapPublicIpOnLaunch: s.defaultForAz,
    State: "available",
    OwnerId: scope.account,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    Tags: ec2Tags(s.tags),
  };
}

function ipPermission(r: IngressRule, scope: ArnScope): Record<string, unknown> {
  return {
    IpProtocol: r.ipProtocol,
    ...(r.fromPort === undefined ? {} : { FromPort: r.fromPort, ToPort: r.toPort }),
    IpRanges: r.cidrs.map((c) => ({ CidrIp: c })),
    Ipv6Ranges: [],
    PrefixListIds: [],
    UserIdGroupPairs: r.sourceGroupIds.map((g) => ({ GroupId: g, UserId: scope.account })),
  };
}

/** A security group as DescribeSecurityGroups shows it; egress is open, as berth does not restrict it. */
export function securityGroupShape(g: SecurityGroup, scope: ArnScope): Record<string, unknown> {
  return {
    GroupId: g.groupId,
    GroupName: g.groupName,
    Description: g.description,
    VpcId: g.vpcId,
    OwnerId: scope.account,
    SecurityGroupArn: securityGroupArn(g.groupId, scope),
    IpPermissions: g.ingress.map((r) => ipPermission(r, scope)),
    IpPermissionsEgress: [ipPermission({ ipProtocol: "-1", cidrs: ["0.0.0.0/0"], sourceGroupIds: [] }, scope)],
    Tags: ec2Tags(g.tags),
  };
}

/** The ARN EC2 gives a security group. */
export function securityGroupArn(groupId: string, scope: ArnScope): string {
  return `arn:aws:ec2:${scope.region}:${scope.account}:security-group/${groupId}`;
}

/** One permission as the SecurityGroupRule Authorize answers with; its id is stable for the rule. */
export function securityGroupRuleShape(groupId: string, p: Permission, scope: ArnScope): Record<string, unknown> {
  return {
    SecurityGroupRuleId: ruleIdOf(groupId, p),
    GroupId: groupId,
    GroupOwnerId: scope.account,
    IsEgress: false,
    IpProtocol: p.ipProtocol,
    FromPort: p.fromPort ?? -1,
    ToPort: p.toPort ?? -1,
    ...(p.cidr !== undefined ? { CidrIpv4: p.cidr } : { ReferencedGroupInfo: { GroupId: p.sourceGroupId, UserId: scope.account } }),
  };
}

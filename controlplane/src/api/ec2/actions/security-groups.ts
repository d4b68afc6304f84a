import {
  applyFilters,
  authorizeIngress,
  createSecurityGroup as createStoredGroup,
  defaultVpc,
  deleteSecurityGroup as deleteStoredGroup,
  findGroup,
  listSecurityGroups,
  revokeIngress,
  tagsFromSpecifications,
  type CoreContext,
  type Ec2Filter,
  type IngressRequest,
  type SecurityGroup,
  type TagSpecificationInput,
} from "../../../core/index.js";
import { Ec2InvalidParameterValue } from "@berth/shared";
import { pageOf, type Ec2PageRequest } from "../pagination.js";
import { ec2Tags, securityGroupArn, securityGroupRuleShape, securityGroupShape } from "../shapes.js";

interface DescribeSecurityGroupsInput extends Ec2PageRequest {
  GroupIds?: string[];
  GroupNames?: string[];
  Filters?: Ec2Filter[];
}

/** DescribeSecurityGroups: by id, by name in the default VPC (each must exist) and filters. */
export async function describeSecurityGroups(ctx: CoreContext, input: DescribeSecurityGroupsInput): Promise<Record<string, unknown>> {
  const all = await listSecurityGroups(ctx);
  const vpcId = defaultVpc(ctx.scope.region).vpcId;
  // findGroup raises EC2's InvalidGroup.NotFound for the first unknown id or name.
  const byId = (input.GroupIds ?? []).map((groupId) => findGroup(all, { groupId }, vpcId));
  const byName = (input.GroupNames ?? []).map((groupName) => findGroup(all, { groupName }, vpcId));
  const named = [...byId, ...byName];
  const picked = named.length > 0 ? all.filter((g) => named.includes(g)) : all;
  const found = applyFilters<SecurityGroup>(
    picked,
    input.Filters,
    {
      "group-id": (g) => [g.groupId],
      "group-name": (g) => [g.groupName],
      "vpc-id": (g) => [g.vpcId],
      "description": (g) => [g.description],
      "owner-id": () => [ctx.scope.account],
      "ip-permission.protocol": (g) => g.ingress.map((r) => r.ipProtocol),
      "ip-permission.cidr": (g) => g.ingress.flatMap((r) => r.cidrs),
      "ip-permission.group-id": (g) => g.ingress.flatMap((r) => r.sourceGroupIds),
      "ip-permission.from-port": (g) => g.ingress.map((r) => (r.fromPort === undefined ? undefined : String(r.fromPort))),
      "ip-permission.to-port": (g) => g.ingress.map((r) => (r.toPort === undefined ? undefined : String(r.toPort))),
    },
    (g) => g.tags ?? [],
  );
  const { page, NextToken } = pageOf(found, (g) => g.groupId, input, [...(input.GroupIds ?? []), ...(input.GroupNames ?? [])]);
  return { SecurityGroups: page.map((g) => securityGroupShape(g, ctx.scope)), NextToken };
}

interface CreateSecurityGroupInput {
  GroupName: string;
  Description: string;
  VpcId?: string;
  TagSpecifications?: TagSpecificationInput[];
}

/** CreateSecurityGroup: a group with no ingress rules, its name unique in its VPC. */
export async function createSecurityGroup(ctx: CoreContext, input: CreateSecurityGroupInput): Promise<Record<string, unknown>> {
  const tags = tagsFromSpecifications(input.TagSpecifications, "security-group");
  const g = await createStoredGroup(ctx, { groupName: input.GroupName, description: input.Description, vpcId: input.VpcId, tags });
  return { GroupId: g.groupId, SecurityGroupArn: securityGroupArn(g.groupId, ctx.scope), Tags: ec2Tags(g.tags) };
}

/** DeleteSecurityGroup: a created group that nothing uses. */
export async function deleteSecurityGroup(ctx: CoreContext, input: { GroupId?: string; GroupName?: string }): Promise<Record<string, unknown>> {
  const g = await deleteStoredGroup(ctx, { groupId: input.GroupId, groupName: input.GroupName });
  return { Return: true, GroupId: g.groupId };
}

type IngressInput = IngressRequest & { GroupId?: string; GroupName?: string; TagSpecifications?: TagSpecificationInput[] };

/** AuthorizeSecurityGroupIngress: adds rules; answers the rules added, as EC2 does. */
export async function authorizeSecurityGroupIngress(ctx: CoreContext, input: IngressInput): Promise<Record<string, unknown>> {
  if ((input.TagSpecifications ?? []).length > 0) throw new Ec2InvalidParameterValue("TagSpecifications: berth does not tag security group rules.");
  const { group, permissions } = await authorizeIngress(ctx, { groupId: input.GroupId, groupName: input.GroupName }, input);
  return { Return: true, SecurityGroupRules: permissions.map((p) => securityGroupRuleShape(group.groupId, p, ctx.scope)) };
}

/** RevokeSecurityGroupIngress: removes rules, by permission or by rule id, each of which must exist. */
export async function revokeSecurityGroupIngress(ctx: CoreContext, input: IngressInput): Promise<Record<string, unknown>> {
  await revokeIngress(ctx, { groupId: input.GroupId, groupName: input.GroupName }, input);
  return { Return: true };
}

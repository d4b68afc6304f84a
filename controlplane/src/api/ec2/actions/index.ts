import type { CoreContext } from "../../../core/index.js";
import { authorizeSecurityGroupIngress, createSecurityGroup, deleteSecurityGroup, describeSecurityGroups, revokeSecurityGroupIngress } from "./security-groups.js";
import { createSubnet, deleteSubnet, describeSubnets } from "./subnets.js";
import { describeAvailabilityZones, describeVpcs } from "./vpcs.js";

/** An EC2 action: validated input (model member names) -> output structure. */
export type Ec2Action = (ctx: CoreContext, input: any) => Promise<Record<string, unknown>>;

/** The EC2 operations berth serves, by name (the ones the vendored, trimmed model holds). */
export const actions: Record<string, Ec2Action> = {
  DescribeVpcs: describeVpcs,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeSubnets: describeSubnets,
  CreateSubnet: createSubnet,
  DeleteSubnet: deleteSubnet,
  DescribeSecurityGroups: describeSecurityGroups,
  CreateSecurityGroup: createSecurityGroup,
  DeleteSecurityGroup: deleteSecurityGroup,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
  RevokeSecurityGroupIngress: revokeSecurityGroupIngress,
};

/** The awsvpc network model: VPC, subnets and security groups (see types.ts). */
export type * from "./types.js";
export { defaultSecurityGroup, defaultSubnets, defaultVpc, stableId } from "./defaults.js";
export * from "./resolve.js";
export { parseIpv4Cidr, blocksOverlap, blockContains, usableAddresses, type Ipv4Block } from "./cidr.js";
export { applyFilters, type Ec2Filter, type FilterFields } from "./filters.js";
export { readPermissions, addPermissions, removePermissions, normaliseProtocol, permissionsOf, ruleIdOf, type IngressRequest, type IpPermissionInput, type Permission } from "./rules.js";
export { planSubnet, regionZones, type SubnetRequest, type SubnetPlacement } from "./subnet-rules.js";
export { tagsFromSpecifications, type TagSpecificationInput } from "./tag-specs.js";
export { createSubnet, deleteSubnet, listVpcs, newEc2Id } from "./subnets.js";
export { createSecurityGroup, deleteSecurityGroup, authorizeIngress, revokeIngress, findGroup, type GroupRef, type IngressChange } from "./security-groups.js";
export { awsvpcInUse } from "./usage.js";
export * from "./ipam.js";
export * from "./attachments.js";
export { planInstanceAddresses, type InstanceAddressPlan, type InstanceAddressing, type PlannedAddress } from "./network-plan.js";
export * from "./ingress.js";
export * from "./routes.js";

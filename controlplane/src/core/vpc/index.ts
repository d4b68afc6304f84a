/** The awsvpc network model: VPC, subnets and security groups (see types.ts). */
export type * from "./types.js";
export { defaultSecurityGroup, defaultSubnets, defaultVpc, stableId } from "./defaults.js";
export * from "./resolve.js";
export * from "./ipam.js";
export * from "./attachments.js";
export { planInstanceAddresses, type InstanceAddressPlan, type InstanceAddressing, type PlannedAddress } from "./network-plan.js";
export * from "./ingress.js";
export * from "./routes.js";

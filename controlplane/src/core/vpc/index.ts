/** The awsvpc network model: VPC, subnets and security groups (see types.ts). */
export type * from "./types.js";
export { defaultSecurityGroup, defaultSubnets, defaultVpc, stableId } from "./defaults.js";
export * from "./resolve.js";

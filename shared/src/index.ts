/** Code both the control plane and the agent use. Nothing here imports another workspace. */
export * from "./errors.js";
export * from "./ids.js";
export * from "./collections.js";
export * from "./arn.js";
export * from "./logger.js";
export * from "./model/resources.js";
export * from "./model/records.js";
export * from "./model/status.js";
export * from "./taskdef/index.js";
export * from "./process-metrics.js";
export * from "./model/service.js";
export * from "./model/health.js";
export * from "./model/service-history.js";
export * from "./model/protection.js";
export * from "./tag-rules.js";
export { formatToken, parseToken, type JoinToken } from "./join-token.js";
export * from "./ec2-errors.js";
export * from "./elbv2-errors.js";

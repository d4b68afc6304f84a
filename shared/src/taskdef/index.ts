/** The task-definition model: ECS's registration rules, what Describe shows, container dependencies. */
export * from "./units.js";
export * from "./reservation.js";
export * from "./validate.js";
export { FARGATE_SIZES, FARGATE_EPHEMERAL_STORAGE, fargateSizeProblem, ephemeralStorageProblem, type FargateCheckInput } from "./fargate.js";
export * from "./normalize.js";
export * from "./dependencies.js";
export * from "./quotas.js";
export * from "./task-role.js";

/** Application Auto Scaling's state: ECS services' scalable targets, their policies and activities. */
export * from "./rules.js";
export * from "./targets.js";
export * from "./policies.js";
export * from "./activities.js";
export * from "./step.js";
export * from "./step-execute.js";

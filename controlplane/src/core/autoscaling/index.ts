/** Application Auto Scaling's state: ECS services' scalable targets, their policies, scheduled actions and activities. */
export * from "./rules.js";
export * from "./targets.js";
export * from "./policies.js";
export * from "./activities.js";
export * from "./step.js";
export * from "./step-execute.js";
export * from "./scheduled-action-rules.js";
export * from "./scheduled-actions.js";
export * from "./scheduled-firing.js";

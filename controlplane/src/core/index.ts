/** Core operations on berth's state, shared by the ECS API and the agent service. */
export type { CoreContext } from "./context.js";
export * from "./clusters.js";
export * from "./taskdefs.js";
export * from "./run-tasks.js";
export * from "./task-state.js";
export * from "./instances.js";
export { newTaskRecord, holdsResources, heldTaskOf } from "./task-records.js";
export * from "./services.js";
export * from "./attributes.js";
export * from "./instance-state.js";
export * from "./tags.js";
export * from "./launch-options.js";
export * from "./run-tokens.js";

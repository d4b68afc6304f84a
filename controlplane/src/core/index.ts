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
export * from "./listings.js";
export * from "./service-history.js";
export { planServiceHistory, deriveStatus, type HistoryIds, type HistoryPlan } from "./service-history-plan.js";
export * from "./service-rollback.js";
export * from "./task-protection.js";
export * from "./account-settings.js";
export { applyClusterConfiguration, applyClusterSettings, applyServiceConnectDefaults, newClusterSettings } from "./cluster-settings.js";

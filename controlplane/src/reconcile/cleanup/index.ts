/** Forgetting old records (stopped tasks, INACTIVE instances and services): a pure plan and the leader's loop. */
export { planCleanup, type CleanupPlan, type CleanupSnapshot, type CleanupTarget } from "./plan.js";
export { startCleanupLoop, type CleanupLoopOptions } from "./loop.js";
export { planHeldRepairs, type HeldRepair } from "./held.js";
export { planDefinitionDeletions, type PendingDeletion } from "./taskdefs.js";

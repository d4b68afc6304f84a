/** Forgetting STOPPED tasks after their retention: a pure plan and the leader's loop. */
export { planTaskCleanup, type CleanupPlan, type CleanupSnapshot } from "./plan.js";
export { startTaskCleanupLoop, type CleanupLoopOptions } from "./loop.js";

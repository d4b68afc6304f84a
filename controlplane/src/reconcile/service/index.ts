/**
 * The service reconciler's pure decision step ({@link planService}) and what callers need
 * around it: ids, ECS event wording, bounds and counts. The loop and apply step live in
 * loop.ts and apply.ts.
 */
export { planService } from "./plan.js";
export { newDeploymentId, eventId } from "./ids.js";
export { circuitBreakerThreshold, deploymentBounds, type DeploymentBounds } from "./bounds.js";
export { serviceMessages, rolloutReasons, stopReasons, prependEvents } from "./events.js";
export { classifyTasks, type ClassifiedTask, type TaskBucket } from "./classify.js";
export { isFailedTask } from "./breaker.js";
export { countTasks, deploymentTasks, serviceCounts, type TaskCounts } from "./counts.js";
export type { ServicePlan, ServiceSnapshot, StartRequest, StopRequest, PlanSummary, ServiceEventRecord } from "./types.js";

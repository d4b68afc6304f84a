/** The agent's task engine: the container state machine, its pure decisions, and its loops. */
export type { TaskEngine, AgentTaskView, AgentContainerView } from "./types.js";
export { AgentTaskEngine, type TaskEngineOptions } from "./engine.js";
export type { ContainerEnvironment } from "./actions.js";
export type { ParsedTaskSpec } from "./container-config.js";
export * from "./model.js";
export { nextTransition, advanceKnown, advanceDesired, actionForStatus, BackwardTransitionError, type Transition, type ContainerAction } from "./transition.js";
export { checkStartDependencies, dependentsStillRunning, type DependencyCheck } from "./dependencies.js";
export { taskStatusFromContainers, essentialStopReason, essentialExitedReason, stopTask } from "./task-status.js";
export { PortAllocator, parsePortRange, readKernelPortRange, candidatePorts, isPortFree, NoFreePortError, type PortRange } from "./ports.js";
export { buildCreateSpec, dockerContainerName, ecsLabel, parseTaskSpec, initialContainers, dockerNetworkMode } from "./container-config.js";
export { buildStateChange, taskFingerprint } from "./state-change.js";
export { oomReason, vanishedReason } from "./observe.js";

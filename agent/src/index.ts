/** The agent's public face: start one, and the pieces tests and tools build on. */
export { startAgent, type Agent, type AgentDeps } from "./agent.js";
export * from "./config/index.js";
export * from "./resources/index.js";
export * from "./introspection/index.js";
export * from "./metrics/index.js";
export type { TaskEngine, AgentTaskView, AgentContainerView } from "./engine/types.js";
export { AgentSession, type InstanceIdentity } from "./session/index.js";
export { AgentTaskEngine, type TaskEngineOptions } from "./engine/index.js";
export { DockerRuntime, SimulatedRuntime, type ContainerRuntime, type AgentRuntime, type EngineFacts, type SimulatedBehavior, type SimulatedRuntimeOptions, type SimulatedOp } from "./runtime/index.js";
export { defaultTimingModel, drawMs, parseDistribution, seededRandom, timingDraws, type Distribution, type TimingDraws, type TimingModel } from "./runtime/index.js";
/** awsvpc task networking (CNI adapter, plans), for tools and tests. */
export * as network from "./network/index.js";
/** The task metadata endpoint (169.254.170.2), for tests and tools. */
export * as taskMetadata from "./metadata/index.js";

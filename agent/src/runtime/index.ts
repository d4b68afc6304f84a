/** The container runtime: the interface the engine drives, Docker behind it, and a simulation. */
export * from "./types.js";
export type { AgentRuntime, EngineFacts } from "./agent-runtime.js";
export * from "./errors.js";
export * from "./pull-policy.js";
export { DockerRuntime, type DockerRuntimeOptions } from "./docker.js";
export { SimulatedRuntime, type SimulatedBehavior, type SimulatedRuntimeOptions, type SimulatedOp } from "./simulated.js";
export { bindingsFromPorts, toCreateOptions, toInspect } from "./docker-mapping.js";
export { parseDockerEvent } from "./docker-events.js";
export { FrameDemuxer, LineSplitter, decodeLine, dockerSince, type DecodedLogLine, type LogFrame, type LogStreamName } from "./log-frames.js";
export { defaultTimingModel, drawMs, parseDistribution, seededRandom, timingDraws, type Distribution, type TimingDraws, type TimingModel } from "./simulated-timing.js";

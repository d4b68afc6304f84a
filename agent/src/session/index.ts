/** The agent's gRPC session with the control plane. */
export { AgentSession, type AgentSessionOptions, type InstanceIdentity, type SessionObserver } from "./agent-session.js";
export { backoffDelay } from "./backoff.js";
export { LogRequests, batchLines, type LogOutlet, type LogRequestsOptions } from "./log-requests.js";
export { ExecRequests, chunkBytes, type ExecRequestsOptions } from "./exec-requests.js";

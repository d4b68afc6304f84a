import { Reasons, statusReason } from "../reasons.js";
import type { Filter } from "./filter.js";

/**
 * Only ACTIVE instances take new tasks: DRAINING ones are being emptied, INACTIVE ones are gone,
 * REGISTERING/DEREGISTERING are in between. First in the pipeline: free to check and final.
 */
export const ActiveFilter: Filter = {
  name: "active",
  appliesTo: () => true,
  passes: (_task, node) => node.instance.status === "ACTIVE",
  reason: (node) => statusReason(node.instance.status),
};

/** An instance whose agent is disconnected cannot be told to start anything (ECS: AGENT). */
export const AgentConnectedFilter: Filter = {
  name: "agent-connected",
  appliesTo: () => true,
  passes: (_task, node) => node.instance.agentConnected,
  reason: () => Reasons.agent,
};

/** An instance whose agent cannot reach its container runtime would only fail what it is given. */
export const RuntimeHealthyFilter: Filter = {
  name: "runtime-healthy",
  appliesTo: () => true,
  passes: (_task, node) => node.instance.runtimeHealthy !== false,
  reason: () => Reasons.runtime,
};

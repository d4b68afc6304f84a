import type { AgentConfig } from "./options.js";

/** What secrets print as. */
export const redacted = "<redacted>";

/**
 * The config as it may be logged or printed: secrets replaced, everything else as is. Keys
 * holding secrets are named here so a new secret is one line.
 */
export function redactAgentConfig(config: AgentConfig): Omit<AgentConfig, "joinToken"> & { joinToken?: string } {
  const secretKeys = ["joinToken"] as const;
  const out: AgentConfig = { ...config };
  for (const key of secretKeys) {
    if (out[key] !== undefined) out[key] = redacted;
  }
  return out;
}

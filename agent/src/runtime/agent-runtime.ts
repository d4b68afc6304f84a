import type { ContainerExecSource, ContainerLogSource, ContainerRuntime } from "./types.js";

/** What the engine a runtime fronts says about itself and its host, for registration. */
export interface EngineFacts {
  /** CPUs and memory where containers run (on a Docker-in-Docker node, not what node:os says). */
  cpus: number;
  memoryBytes: number;
  /** Host name to register; empty to use the machine's own. */
  hostname: string;
  version: string;
  apiVersion: string;
  minApiVersion: string;
  /** Log drivers the engine offers, sorted. */
  logDrivers: string[];
}

/**
 * Everything a whole agent needs of its container runtime: the engine's container operations,
 * logs, exec, and the host-level reads (facts, liveness, usage) that used to reach dockerode
 * directly. Docker and the simulation both implement it, so `startAgent` runs over either.
 */
export interface AgentRuntime extends ContainerRuntime, ContainerLogSource, ContainerExecSource {
  /** Resolves when the engine answers; throws when it does not. */
  ping(): Promise<void>;
  /** The engine's and host's facts for registration. */
  engineFacts(): Promise<EngineFacts>;
  /** One container's usage as a Docker stats document (GET /containers/{id}/stats, API 1.41). */
  containerStats(id: string): Promise<unknown>;
}

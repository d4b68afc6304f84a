import { arch, availableParallelism, hostname, platform, totalmem } from "node:os";
import type { EngineFacts } from "../runtime/agent-runtime.js";

/** What the agent learns about its host before registering. */
export interface HostFacts {
  cpus: number;
  memoryMiB: number;
  hostname: string;
  /** `os.arch()` spelling; see `ecsArchitecture`. */
  arch: string;
  platform: string;
  /** Present when a container engine was given. */
  docker?: {
    version: string;
    apiVersion: string;
    minApiVersion: string;
    logDrivers: string[];
  };
}

const mib = 1024 * 1024;

/**
 * Reads the host's CPUs, memory and name, and, given the container runtime, the engine's
 * version, API range and log drivers. CPU, memory and (when it names one) the host name come
 * from the engine when there is one: containers run where the engine runs, which on a
 * Docker-in-Docker node is not quite what node:os reports, and a simulated host is not this one.
 */
export async function detectHost(engine?: { engineFacts(): Promise<EngineFacts> }): Promise<HostFacts> {
  const facts: HostFacts = {
    cpus: availableParallelism(),
    memoryMiB: Math.floor(totalmem() / mib),
    hostname: hostname(),
    arch: arch(),
    platform: platform(),
  };
  if (!engine) return facts;
  const e = await engine.engineFacts();
  if (e.cpus > 0) facts.cpus = e.cpus;
  if (e.memoryBytes > 0) facts.memoryMiB = Math.floor(e.memoryBytes / mib);
  if (e.hostname) facts.hostname = e.hostname;
  facts.docker = { version: e.version, apiVersion: e.apiVersion, minApiVersion: e.minApiVersion, logDrivers: e.logDrivers };
  return facts;
}

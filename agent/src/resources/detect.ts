import { arch, availableParallelism, hostname, platform, totalmem } from "node:os";
import type Dockerode from "dockerode";

/** What the agent learns about its host before registering. */
export interface HostFacts {
  cpus: number;
  memoryMiB: number;
  hostname: string;
  /** `os.arch()` spelling; see `ecsArchitecture`. */
  arch: string;
  platform: string;
  /** Present when a Docker client was given. */
  docker?: {
    version: string;
    apiVersion: string;
    minApiVersion: string;
    logDrivers: string[];
  };
}

const mib = 1024 * 1024;

/**
 * Reads the host's CPUs, memory and name, and, given a Docker client, the engine's version,
 * API range and log drivers. CPU and memory come from the engine when there is one: containers
 * run where dockerd runs, which on a Docker-in-Docker node is not quite what node:os reports.
 */
export async function detectHost(docker?: Dockerode): Promise<HostFacts> {
  const facts: HostFacts = {
    cpus: availableParallelism(),
    memoryMiB: Math.floor(totalmem() / mib),
    hostname: hostname(),
    arch: arch(),
    platform: platform(),
  };
  if (!docker) return facts;
  const [info, version] = await Promise.all([
    docker.info() as Promise<{ NCPU?: number; MemTotal?: number; Plugins?: { Log?: string[] } }>,
    docker.version(),
  ]);
  if (typeof info.NCPU === "number" && info.NCPU > 0) facts.cpus = info.NCPU;
  if (typeof info.MemTotal === "number" && info.MemTotal > 0) facts.memoryMiB = Math.floor(info.MemTotal / mib);
  facts.docker = {
    version: version.Version,
    apiVersion: version.ApiVersion,
    minApiVersion: version.MinAPIVersion ?? version.ApiVersion,
    logDrivers: [...(info.Plugins?.Log ?? [])].sort(),
  };
  return facts;
}

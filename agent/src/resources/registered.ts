import type { Resources } from "@berth/proto";
import { ConfigError } from "../config/errors.js";

/** What the host offers and what the operator holds back, as registration needs them. */
export interface HostCapacity {
  /** Logical CPUs. */
  cpus: number;
  /** Total memory in MiB. */
  memoryMiB: number;
  reservedMemoryMiB: number;
  reservedPorts: number[];
  reservedPortsUdp: number[];
}

/**
 * The resources a host registers with, as the ECS agent computes them: CPU = cores x 1024,
 * MEMORY = total MiB less the reservation, PORTS / PORTS_UDP = the reserved ports, which
 * placement then treats as taken. `total` is the host before any reservation.
 */
export function registeredResources(h: HostCapacity): { total: Resources; registered: Resources } {
  const cpu = Math.floor(h.cpus) * 1024;
  const memory = Math.floor(h.memoryMiB);
  if (h.reservedMemoryMiB >= memory) {
    throw new ConfigError("reservedMemoryMiB", `${h.reservedMemoryMiB} MiB leaves nothing of the host's ${memory} MiB for tasks`);
  }
  const sorted = (ports: number[]) => [...new Set(ports)].sort((a, b) => a - b);
  return {
    total: { cpu, memory, ports: [], portsUdp: [] },
    registered: {
      cpu,
      memory: memory - h.reservedMemoryMiB,
      ports: sorted(h.reservedPorts),
      portsUdp: sorted(h.reservedPortsUdp),
    },
  };
}

import type { ContainerDefinition, TaskOverride } from "@aws-sdk/client-ecs";
import type { Resources } from "../model/resources.js";
import { parseCpu, parseMemory } from "./units.js";

/** The parts of a task definition placement and admission look at. */
export interface ReservableTaskDefinition {
  networkMode?: string;
  cpu?: string;
  memory?: string;
  containerDefinitions: ContainerDefinition[];
}

/**
 * What one task of `td` (with `overrides`) reserves on an instance, the way ECS's EC2 scheduler
 * counts it: task-level cpu/memory when set, else the sum over containers (memory falls back to
 * memoryReservation); static host ports (bridge: hostPort > 0; host: the container port).
 * Dynamic host ports (hostPort 0 or absent in bridge mode) are chosen by the agent and not
 * reserved here; awsvpc and none bind no host ports.
 */
export function taskReservation(td: ReservableTaskDefinition, overrides?: TaskOverride): Resources {
  const byName = new Map((overrides?.containerOverrides ?? []).map((o) => [o.name, o]));
  let cpu = 0;
  let memory = 0;
  const ports: number[] = [];
  const portsUdp: number[] = [];
  const mode = td.networkMode ?? "bridge";
  for (const c of td.containerDefinitions) {
    const o = c.name ? byName.get(c.name) : undefined;
    cpu += o?.cpu ?? c.cpu ?? 0;
    memory += o?.memory ?? c.memory ?? o?.memoryReservation ?? c.memoryReservation ?? 0;
    for (const pm of c.portMappings ?? []) {
      const host = mode === "host" ? pm.hostPort || pm.containerPort : mode === "bridge" ? pm.hostPort : undefined;
      if (!host) continue;
      (pm.protocol === "udp" ? portsUdp : ports).push(host);
    }
  }
  const taskCpu = parseCpu(overrides?.cpu ?? td.cpu);
  const taskMemory = parseMemory(overrides?.memory ?? td.memory);
  return {
    cpu: taskCpu ?? cpu,
    memory: taskMemory ?? memory,
    ports: [...new Set(ports)].sort((a, b) => a - b),
    portsUdp: [...new Set(portsUdp)].sort((a, b) => a - b),
  };
}

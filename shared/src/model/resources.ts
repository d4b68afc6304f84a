/**
 * The resources placement charges and an instance offers: CPU units (1024 per core), memory in
 * MiB, and host ports in use (TCP and UDP apart). The same shape serves an instance's registered
 * and remaining resources and a task's reservation.
 */
export interface Resources {
  cpu: number;
  memory: number;
  ports: number[];
  portsUdp: number[];
}

export const emptyResources = (): Resources => ({ cpu: 0, memory: 0, ports: [], portsUdp: [] });

/** Which resource a reservation does not fit in, in ECS's failure-reason spelling. */
export type ResourceShortage = "RESOURCE:CPU" | "RESOURCE:MEMORY" | "RESOURCE:PORTS";

/**
 * The first resource `need` does not fit in `available`, or undefined when it fits. Ports fit
 * when none of the needed host ports is already taken.
 */
export function shortage(available: Resources, need: Resources): ResourceShortage | undefined {
  if (need.cpu > available.cpu) return "RESOURCE:CPU";
  if (need.memory > available.memory) return "RESOURCE:MEMORY";
  if (overlaps(available.ports, need.ports) || overlaps(available.portsUdp, need.portsUdp)) return "RESOURCE:PORTS";
  return undefined;
}

function overlaps(taken: number[], wanted: number[]): boolean {
  if (wanted.length === 0) return false;
  const set = new Set(taken);
  return wanted.some((p) => set.has(p));
}

/** `available` less `need`: CPU and memory go down, the needed ports become taken. */
export function subtract(available: Resources, need: Resources): Resources {
  return {
    cpu: available.cpu - need.cpu,
    memory: available.memory - need.memory,
    ports: union(available.ports, need.ports),
    portsUdp: union(available.portsUdp, need.portsUdp),
  };
}

/** Gives `need` back to `available` (a task stopped): the inverse of {@link subtract}. */
export function release(available: Resources, need: Resources, registered: Resources): Resources {
  const freed = (taken: number[], give: number[], keep: number[]) => {
    const reserved = new Set(keep);
    const drop = new Set(give.filter((p) => !reserved.has(p)));
    return taken.filter((p) => !drop.has(p));
  };
  return {
    cpu: Math.min(registered.cpu, available.cpu + need.cpu),
    memory: Math.min(registered.memory, available.memory + need.memory),
    ports: freed(available.ports, need.ports, registered.ports),
    portsUdp: freed(available.portsUdp, need.portsUdp, registered.portsUdp),
  };
}

function union(a: number[], b: number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

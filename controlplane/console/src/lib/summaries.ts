import type { Container, ContainerInstance, Deployment, Resource, Task, TaskStats } from "../api/types";

/** Registered and reserved amounts of one resource. */
export interface Usage {
  registered: number;
  reserved: number;
}

/** A cluster's CPU (units) and memory (MiB), registered vs reserved, summed over its instances. */
export interface ClusterResources {
  cpu: Usage;
  memory: Usage;
}

/** The integer value of resource `name` in an ECS resource list, 0 when absent. */
export function resourceValue(list: Resource[] | undefined, name: string): number {
  return list?.find((r) => r.name === name)?.integerValue ?? 0;
}

/** One instance's registered and reserved (registered minus remaining) amount of `name`. */
export function instanceUsage(ci: ContainerInstance, name: "CPU" | "MEMORY"): Usage {
  const registered = resourceValue(ci.registeredResources, name);
  return { registered, reserved: Math.max(0, registered - resourceValue(ci.remainingResources, name)) };
}

/**
 * The cluster's CPU and memory from its container instances. INACTIVE (deregistered)
 * instances hold nothing and are left out; DRAINING ones still hold their tasks' share.
 */
export function clusterResources(instances: ContainerInstance[]): ClusterResources {
  const out: ClusterResources = { cpu: { registered: 0, reserved: 0 }, memory: { registered: 0, reserved: 0 } };
  for (const ci of instances) {
    if (ci.status === "INACTIVE") continue;
    for (const [key, name] of [["cpu", "CPU"], ["memory", "MEMORY"]] as const) {
      const u = instanceUsage(ci, name);
      out[key].registered += u.registered;
      out[key].reserved += u.reserved;
    }
  }
  return out;
}

/** Counts of `items` by the text `keyOf` gives, keys sorted. */
export function countBy<T>(items: readonly T[], keyOf: (t: T) => string): [string, number][] {
  const m = new Map<string, number>();
  for (const i of items) m.set(keyOf(i), (m.get(keyOf(i)) ?? 0) + 1);
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** A deployment's rollout as a share: running of desired (a desired count of 0 is done). */
export function deploymentProgress(d: Deployment): { percent: number; label: string } {
  const desired = d.desiredCount ?? 0;
  const running = d.runningCount ?? 0;
  const pct = desired === 0 ? 100 : Math.min(100, Math.round((running / desired) * 100));
  const pending = d.pendingCount ? `, ${d.pendingCount} pending` : "";
  const failed = d.failedTasks ? `, ${d.failedTasks} failed` : "";
  return { percent: pct, label: `${running} of ${desired} running${pending}${failed}` };
}

/**
 * Where a container is reached: its host port bindings (`0.0.0.0:32768->80/tcp`), else its
 * own address on an awsvpc network, else the task's ENI address; empty when it has none.
 */
export function containerEndpoints(task: Task, c: Container): string[] {
  const bindings = (c.networkBindings ?? []).filter((b) => b.hostPort !== undefined);
  if (bindings.length > 0) return bindings.map((b) => `${b.bindIP ?? "0.0.0.0"}:${b.hostPort}->${b.containerPort}/${b.protocol ?? "tcp"}`);
  const own = c.networkInterfaces?.find((n) => n.privateIpv4Address)?.privateIpv4Address;
  if (own) return [own];
  const eni = task.attachments?.find((a) => a.type === "ElasticNetworkInterface" || a.type === "eni");
  const ip = eni?.details?.find((d) => d.name === "privateIPv4Address")?.value;
  return ip ? [ip] : [];
}

/** One container's series of one metric from task stats, oldest first; missing samples left out. */
export function statSeries(stats: TaskStats | undefined, container: string, metric: "cpuPercent" | "memoryBytes"): number[] {
  const out: number[] = [];
  for (const s of [...(stats?.samples ?? [])].sort((a, b) => a.timestamp - b.timestamp)) {
    const v = s.containers.find((c) => c.name === container)?.[metric];
    if (typeof v === "number" && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/**
 * An SVG path through `values` across `width` x `height` (0 at the bottom; the top is the
 * largest value, or `ceiling` when it is larger, so a CPU line is drawn against 100 %).
 * Empty for no values; one value is a flat line.
 */
export function sparklinePath(values: readonly number[], width: number, height: number, ceiling = 0): string {
  if (values.length === 0) return "";
  const top = Math.max(ceiling, ...values) || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const pts = values.length > 1 ? values : [values[0], values[0]];
  const dx = values.length > 1 ? step : width;
  return pts.map((v, i) => `${i === 0 ? "M" : "L"}${round(i * dx)},${round(height - (Math.max(0, v) / top) * height)}`).join(" ");
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** The newest `max` lines after appending `more` to `lines`: a followed log stays bounded. */
export function appendBounded<T>(lines: readonly T[], more: readonly T[], max: number): T[] {
  const all = lines.concat(more);
  return all.length > max ? all.slice(all.length - max) : all;
}

/** The availability zone attribute of an instance, `-` when it has none. */
export function zoneOf(ci: ContainerInstance): string {
  return ci.attributes?.find((a) => a.name === "ecs.availability-zone")?.value ?? "-";
}

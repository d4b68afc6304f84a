import type { TaskRecord } from "@berth/shared";
import { defaultServiceStrategy } from "../../scheduler/index.js";
import type { DeploymentBounds } from "./bounds.js";
import { newestFirst, type ClassifiedTask } from "./classify.js";

/**
 * Availability Zones in the service scheduler: which tasks a scale-in stops (ECS keeps a
 * service balanced across zones as it stops tasks) and, with availabilityZoneRebalancing, how a
 * steady service whose zones drifted apart is moved back within its deployment limits.
 */

const zoneOf = (t: TaskRecord) => t.availabilityZone ?? "";

/**
 * `candidates` in the order a scale-in stops them: each next one from the zone that holds the
 * most of `all` (the tasks staying so far, protected ones included, which still fill their zone;
 * ties by zone name), within a zone tasks not yet healthy first, then the newest-started. With
 * every task in one zone (or none known) that is plain not-healthy-first, newest-first.
 */
export function balancedStopOrder(candidates: ClassifiedTask[], all: ClassifiedTask[]): ClassifiedTask[] {
  const count = new Map<string, number>();
  for (const c of all) count.set(zoneOf(c.task), (count.get(zoneOf(c.task)) ?? 0) + 1);
  const byZone = new Map<string, ClassifiedTask[]>();
  for (const c of candidates) {
    const list = byZone.get(zoneOf(c.task)) ?? [];
    list.push(c);
    byZone.set(zoneOf(c.task), list);
  }
  for (const list of byZone.values()) list.sort((a, b) => Number(a.healthy) - Number(b.healthy) || newestFirst(a, b));
  const out: ClassifiedTask[] = [];
  while (out.length < candidates.length) {
    let best: string | undefined;
    for (const [zone, list] of byZone) {
      if (list.length === 0) continue;
      const n = count.get(zone) ?? 0;
      if (best === undefined || n > (count.get(best) ?? 0) || (n === count.get(best) && zone < best)) best = zone;
    }
    out.push(byZone.get(best!)!.shift()!);
    count.set(best!, (count.get(best!) ?? 0) - 1);
  }
  return out;
}

/** An instance as rebalancing sees it. */
export interface ZoneInstance {
  id: string;
  status: string;
  agentConnected: boolean;
  zone?: string;
  /** False when the service's placement constraints exclude it. */
  eligible?: boolean;
}

/** What {@link planRebalance} looks at: a steady service's tasks, its instances and its bounds. */
export interface RebalanceInput {
  classified: ClassifiedTask[];
  instances: ZoneInstance[];
  bounds: DeploymentBounds;
}

/** One step back towards balance: a task to start in the emptiest zone, or one to stop in the fullest. */
export type RebalanceStep = { kind: "start"; zone: string; instanceIds: string[] } | { kind: "stop"; zone: string; task: ClassifiedTask } | undefined;

/**
 * The next rebalancing step of a service at its steady state (every live task a healthy primary
 * one, exactly desired of them), or undefined when its tasks are as even across the zones with
 * usable instances (ACTIVE, agent connected, admitted by the service's constraints) as they can be (most minus fewest at most 1). A
 * start in the emptiest zone when maximumPercent leaves room for one more task (the next
 * rounds' balanced scale-in then stops one in the fullest zone); otherwise a stop in the fullest
 * zone when minimumHealthyPercent allows one fewer (the replacement is placed by the service's
 * strategy). Tasks whose zone is unknown (placed before tasks recorded it) leave it undecided.
 */
export function planRebalance(input: RebalanceInput): RebalanceStep {
  const { classified, bounds } = input;
  const live = classified.filter((c) => c.bucket !== "stopped");
  if (live.length !== bounds.desired || live.some((c) => c.bucket !== "healthy" || !c.healthy)) return undefined;
  if (live.some((c) => c.task.availabilityZone === undefined)) return undefined;
  const usable = input.instances.filter((i) => i.status === "ACTIVE" && i.agentConnected && i.eligible !== false && i.zone !== undefined);
  const zones = [...new Set(usable.map((i) => i.zone!))].sort();
  if (zones.length < 2) return undefined;
  const count = new Map(zones.map((z) => [z, 0]));
  for (const c of live) if (count.has(c.task.availabilityZone!)) count.set(c.task.availabilityZone!, count.get(c.task.availabilityZone!)! + 1);
  const min = zones.reduce((a, z) => (count.get(z)! < count.get(a)! ? z : a));
  const max = zones.reduce((a, z) => (count.get(z)! > count.get(a)! ? z : a));
  // Tasks in a zone with no usable instance left count as over: they should move too.
  const stranded = live.filter((c) => !count.has(c.task.availabilityZone!));
  if (stranded.length === 0 && count.get(max)! - count.get(min)! <= 1) return undefined;
  if (live.length + 1 <= bounds.maxTotal) return { kind: "start", zone: min, instanceIds: usable.filter((i) => i.zone === min).map((i) => i.id) };
  if (live.length - 1 >= bounds.minHealthy) {
    const from = stranded.length > 0 ? stranded : live.filter((c) => c.task.availabilityZone === max);
    return { kind: "stop", zone: from[0].task.availabilityZone!, task: [...from].sort(newestFirst)[0] };
  }
  return undefined;
}

/**
 * Whether a service's placement spreads its tasks across zones first (its strategy, or ECS's
 * default for services, spread on `attribute:ecs.availability-zone` then on instanceId). Only
 * then does rebalancing: a replacement placed by binpack or random would not go to the emptiest
 * zone, so a stop made to rebalance would be undone by the next placement, round after round.
 */
export function spreadsAcrossZones(strategy: readonly { type?: string; field?: string }[]): boolean {
  const first = (strategy.length > 0 ? strategy : defaultServiceStrategy)[0];
  return first.type === "spread" && first.field?.toLowerCase() === "attribute:ecs.availability-zone";
}

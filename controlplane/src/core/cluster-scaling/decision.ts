import type { ProviderScalingRecord } from "@berth/shared";

/**
 * Managed scaling's decision for one capacity provider in one cluster, pure: ECS's cluster auto
 * scaling (the developer guide's "Managed scale-out behavior" and the CapacityProviderReservation
 * metric) over berth's instances. No clock, no etcd: the caller passes `now` and the marks it
 * keeps in etcd, and applies what comes back.
 */

/** The provider's managedScaling, defaults filled in (ECS's: 100 %, steps 1..10000, 300 s warmup). */
export interface ManagedScalingSettings {
  targetCapacity: number;
  minimumScalingStepSize: number;
  maximumScalingStepSize: number;
  /** Seconds, as ECS gives it. */
  instanceWarmupPeriod: number;
}

/** One of the provider's container instances (INACTIVE ones left out) as the decision sees it. */
export interface ScalingInstance {
  id: string;
  status: "ACTIVE" | "DRAINING" | "REGISTERING" | "DEREGISTERING";
  registeredAtMs: number;
  /** What the instance registered (cpu units, MiB): the size a new node is expected to have. */
  registered: { cpu: number; memory: number };
  /** Tasks not STOPPED on it that belong to no DAEMON service. */
  nonDaemonTasks: number;
}

/** What one decision reads. */
export interface ScalingInput {
  settings: ManagedScalingSettings;
  instances: readonly ScalingInstance[];
  /** The reservations of the provider's PROVISIONING tasks (after this round placed what it could). */
  provisioning: readonly { cpu: number; memory: number }[];
  marks: ProviderScalingRecord;
  now: number;
  /** How long the provider must have had surplus instances before any is drained (ECS: 15 one-minute datapoints). */
  scaleInAfterMs: number;
}

/** What one decision asks for. */
export interface ScalingDecision {
  /** ECS's CapacityProviderReservation, M / N × 100 (200 when N is 0 and tasks wait). */
  reservation: number;
  /** Instances the target asks for: ceil(M × 100 / targetCapacity). */
  desired: number;
  /** Nodes to ask the node provider for now (0 when none, or held back by the warmup). */
  add: number;
  /** Idle instances to drain and then remove. */
  drain: string[];
  /** The marks to keep (unchanged marks come back equal). */
  marks: ProviderScalingRecord;
  /** Why, in a few words, for the log. */
  reason: string;
}

/**
 * One round of managed scaling:
 * - N: the provider's instances (less those being removed) plus nodes asked for within the
 *   warmup that have not registered yet, so a round never asks twice for the same need;
 * - M: with PROVISIONING tasks, N plus the nodes they need, binpacked on the smallest instance
 *   size seen (tasks larger than it are left out, as ECS leaves out tasks the smallest instance
 *   type cannot run; with no instance to measure, the minimum step), the step bounded by
 *   minimumScalingStepSize and maximumScalingStepSize; without, the instances running a
 *   non-daemon task (nodes still joining count as busy); the smallest size is kept in the
 *   marks, so a provider scaled to zero still knows what a node holds;
 * - scale-out to ceil(M × 100 / targetCapacity) unless an instance (or the last add) is within
 *   instanceWarmupPeriod; scale-in, by draining idle ACTIVE instances only (newest first), once
 *   the surplus has lasted `scaleInAfterMs`.
 */
export function decideScaling(input: ScalingInput): ScalingDecision {
  const { settings, now, marks } = input;
  const removing = new Set((marks.removing ?? []).map((r) => r.instanceId));
  const active = input.instances.filter((i) => !removing.has(i.id));
  const warmupMs = settings.instanceWarmupPeriod * 1000;
  const sinceAdd = marks.lastScaleOutAtMs === undefined ? Infinity : now - marks.lastScaleOutAtMs;
  const joined = marks.lastScaleOutAtMs === undefined ? 0 : active.filter((i) => i.registeredAtMs >= marks.lastScaleOutAtMs!).length;
  const launching = sinceAdd < warmupMs ? Math.max(0, (marks.lastScaleOutCount ?? 0) - joined) : 0;
  const n = active.length + launching;
  const busy = active.filter((i) => i.nonDaemonTasks > 0).length + launching;
  // The smallest node is the measure; the last one seen stands in when none is left.
  const size = smallest(active.map((i) => i.registered)) ?? marks.nodeSize;
  const needed = nodesNeeded(input.provisioning, size, settings.minimumScalingStepSize);
  const m = needed > 0 ? n + clamp(needed, settings.minimumScalingStepSize, settings.maximumScalingStepSize) : busy;
  const reservation = n === 0 ? (m > 0 ? 200 : 100) : Math.round((m / n) * 100);
  const desired = Math.ceil((m * 100) / settings.targetCapacity);
  const base = { reservation, desired, add: 0, drain: [] as string[] };
  const { surplusSinceMs: _, ...rest } = marks;
  const withoutSurplus: ProviderScalingRecord = size ? { ...rest, nodeSize: size } : rest;

  if (desired > n) {
    const warming = sinceAdd < warmupMs || active.some((i) => now - i.registeredAtMs < warmupMs);
    if (warming) return { ...base, marks: withoutSurplus, reason: `scale-out to ${desired} held: an instance is within its ${settings.instanceWarmupPeriod} s warmup` };
    const add = clamp(desired - n, settings.minimumScalingStepSize, settings.maximumScalingStepSize);
    return { ...base, add, marks: { ...withoutSurplus, lastScaleOutAtMs: now, lastScaleOutCount: add }, reason: `reservation ${reservation} % over target ${settings.targetCapacity} %: adding ${add}` };
  }
  if (desired < n) {
    const idle = active
      .filter((i) => i.status === "ACTIVE" && i.nonDaemonTasks === 0)
      .sort((a, b) => b.registeredAtMs - a.registeredAtMs || a.id.localeCompare(b.id));
    if (idle.length === 0) return { ...base, marks: withoutSurplus, reason: "no idle instance to remove" };
    const since = marks.surplusSinceMs ?? now;
    if (now - since < input.scaleInAfterMs) {
      return { ...base, marks: { ...withoutSurplus, surplusSinceMs: since }, reason: `reservation ${reservation} % under target ${settings.targetCapacity} % since ${now - since} ms` };
    }
    const drain = idle.slice(0, n - desired).map((i) => i.id);
    return {
      ...base,
      drain,
      marks: { ...withoutSurplus, removing: [...(marks.removing ?? []), ...drain.map((instanceId) => ({ instanceId, sinceMs: now }))] },
      reason: `reservation ${reservation} % under target ${settings.targetCapacity} %: draining ${drain.length}`,
    };
  }
  return { ...base, marks: withoutSurplus, reason: "at target" };
}

/**
 * Nodes the PROVISIONING tasks need: first-fit decreasing on nodes of `size`; tasks that would
 * not fit even an empty one are left out. With no size known (no node ever seen), the minimum
 * step (the next round measures the nodes that joined).
 */
export function nodesNeeded(tasks: readonly { cpu: number; memory: number }[], size: { cpu: number; memory: number } | undefined, minimumStep: number): number {
  if (tasks.length === 0) return 0;
  if (!size) return minimumStep;
  const bins: { cpu: number; memory: number }[] = [];
  const sorted = [...tasks].filter((t) => t.cpu <= size.cpu && t.memory <= size.memory).sort((a, b) => b.memory - a.memory || b.cpu - a.cpu);
  for (const t of sorted) {
    const bin = bins.find((b) => b.cpu >= t.cpu && b.memory >= t.memory);
    if (bin) {
      bin.cpu -= t.cpu;
      bin.memory -= t.memory;
    } else bins.push({ cpu: size.cpu - t.cpu, memory: size.memory - t.memory });
  }
  return bins.length;
}

/** The smallest of `sizes` by memory, then cpu; undefined when there are none. */
function smallest(sizes: readonly { cpu: number; memory: number }[]): { cpu: number; memory: number } | undefined {
  if (sizes.length === 0) return undefined;
  const s = sizes.reduce((a, b) => (b.memory < a.memory || (b.memory === a.memory && b.cpu < a.cpu) ? b : a));
  return { cpu: s.cpu, memory: s.memory };
}

/** What to do next with an instance managed scaling is removing. */
export type RemovalStep =
  /** Its record is gone or INACTIVE: hand its node to the node provider (again: removal is idempotent). */
  | "remove"
  /** Idle: remove its node, then deregister it (forced, so daemon tasks go with it). */
  | "deregister"
  /** Only standalone tasks are left and termination protection is off: remove its node, then deregister it forced, stopping them. */
  | "force"
  /** Tasks arrived and managed termination protection keeps it: back to ACTIVE, no longer removed. */
  | "reactivate"
  /** Set ACTIVE by someone else: no longer removed. */
  | "forget"
  /** Service tasks are still being moved off it. */
  | "wait";

/** The instance being removed, as the removal step sees it (undefined when its record is gone). */
export interface RemovalInstance {
  status: ScalingInstance["status"] | "INACTIVE";
  nonDaemonTasks: number;
  /** Of those, the tasks of services (the service loop moves them off a DRAINING instance). */
  serviceTasks: number;
}

/**
 * The next step for an instance in `marks.removing`, in rule order (first match wins). With
 * managed termination protection an instance that holds a task is never removed: ECS only
 * terminates instances with no non-daemon tasks.
 */
export function removalStep(i: RemovalInstance | undefined, terminationProtection: boolean): RemovalStep {
  // Its record is gone or INACTIVE: only the node is left.
  if (!i || i.status === "INACTIVE") return "remove";
  // Someone set it ACTIVE again (UpdateContainerInstancesState): the removal is called off.
  if (i.status === "ACTIVE") return "forget";
  // Idle: nothing to lose.
  if (i.nonDaemonTasks === 0) return "deregister";
  // A task landed before the drain was written: protection keeps the instance.
  if (terminationProtection) return "reactivate";
  // Unprotected: service tasks move elsewhere first, standalone tasks stop with the instance.
  return i.serviceTasks > 0 ? "wait" : "force";
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

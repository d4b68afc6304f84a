import { subtract, type Resources } from "@berth/shared";
import { hash32 } from "./seed.js";
import type { InstanceSnapshot, TaskToPlace } from "./types.js";
import type { QueryTarget } from "./query/evaluate.js";

/** The ECS task group a task belongs to: its own, or `family:<family>` as RunTask defaults it. */
export function groupOf(task: { family: string; group?: string }): string {
  return task.group ?? `family:${task.family}`;
}

/**
 * The scheduler's private copy of one instance. Placing a task charges it here so the next task
 * sees the reservation (swarmkit's nodeinfo); `version` moves on every charge so cached filter
 * verdicts for this instance are known to be stale.
 */
export class NodeState implements QueryTarget {
  remaining: Resources;
  version = 0;
  /** Tasks of this request placed here so far. */
  placedInBatch = 0;
  runningTasksCount: number;
  readonly attributes: ReadonlyMap<string, string | undefined>;
  /** Tasks per group here, existing and newly placed; spread and distinctInstance read it. */
  private readonly groupCounts = new Map<string, number>();
  /** Position in the seeded shuffle: the last tie-break, fixed per request. */
  readonly shuffleRank: number;

  constructor(
    readonly instance: InstanceSnapshot,
    /** Position in the request's instance list, for stable output order. */
    readonly index: number,
    seed: string,
  ) {
    this.remaining = copyResources(instance.remaining);
    this.runningTasksCount = instance.tasks.length;
    this.attributes = new Map(
      instance.attributes.filter((a) => a.name !== undefined).map((a) => [a.name as string, a.value]),
    );
    for (const t of instance.tasks) this.bump(groupOf(t));
    this.shuffleRank = hash32(seed, "shuffle", instance.id);
  }

  get agentConnected(): boolean {
    return this.instance.agentConnected;
  }
  get agentVersion(): string | undefined {
    return this.instance.agentVersion;
  }
  get ec2InstanceId(): string | undefined {
    return this.instance.ec2InstanceId;
  }
  get registeredAtMs(): number | undefined {
    return this.instance.registeredAtMs;
  }
  /** Groups with at least one task here (the `task:group` query subject). */
  get groups(): Iterable<string> {
    return this.groupCounts.keys();
  }

  /** Tasks of `group` on this instance. */
  tasksInGroup(group: string): number {
    return this.groupCounts.get(group) ?? 0;
  }

  /** Charges `task` to this instance: resources, group counts, and a new version. */
  charge(task: TaskToPlace): void {
    this.remaining = subtract(this.remaining, task.reservation);
    this.bump(groupOf(task));
    this.placedInBatch++;
    this.runningTasksCount++;
    this.version++;
  }

  private bump(group: string): void {
    this.groupCounts.set(group, (this.groupCounts.get(group) ?? 0) + 1);
  }
}

function copyResources(r: Resources): Resources {
  return { cpu: r.cpu, memory: r.memory, ports: [...r.ports], portsUdp: [...r.portsUdp] };
}

/** What a cluster query sees of an instance outside placement (ListContainerInstances --filter). */
export function queryTargetOf(instance: InstanceSnapshot): QueryTarget {
  return new NodeState(instance, 0, "");
}

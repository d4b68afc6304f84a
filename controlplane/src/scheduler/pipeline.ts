import type { Filter } from "./filters/filter.js";
import { groupOf, type NodeState } from "./state.js";
import type { TaskToPlace } from "./types.js";

/** Which instances a task may go to, and why the others may not. */
export interface Feasibility {
  feasible: NodeState[];
  /** Rejected instances in request order, each with the first filter's reason. */
  rejected: { node: NodeState; reason: string }[];
  /** Rejections per reason (nomad's per-reason counters), for failures and logs. */
  counts: Record<string, number>;
}

/**
 * Runs filters in their declared order and stops at an instance's first rejection, like
 * swarmkit's pipeline. Verdicts are cached per group of identical tasks and per instance
 * version: the 2nd..nth copy of a task re-checks only the instance that took the previous copy,
 * so placing N identical tasks on M instances runs the filters about M + N times, not M × N.
 */
export class Pipeline {
  private readonly cache = new Map<string, { versions: number[]; reasons: (string | undefined)[] }>();

  constructor(readonly filters: readonly Filter[]) {}

  /** The first rejecting filter's reason for `node`, or undefined when it passes them all. */
  check(task: TaskToPlace, node: NodeState): string | undefined {
    for (const f of this.filters) {
      if (f.appliesTo(task) && !f.passes(task, node)) return f.reason(node);
    }
    return undefined;
  }

  /**
   * A check of one instance at a time for `task` (a sampled walk asks only some), reusing
   * verdicts still valid; `size` is the number of instances in the request.
   */
  checker(task: TaskToPlace, size: number): (node: NodeState) => boolean {
    const entry = this.entryFor(task, size);
    return (node) => {
      if (entry.versions[node.index] !== node.version) {
        entry.reasons[node.index] = this.check(task, node);
        entry.versions[node.index] = node.version;
      }
      return entry.reasons[node.index] === undefined;
    };
  }

  /** Splits `nodes` into feasible and rejected for `task`, reusing verdicts still valid. */
  evaluate(task: TaskToPlace, nodes: readonly NodeState[]): Feasibility {
    const entry = this.entryFor(task, nodes.length);
    const out: Feasibility = { feasible: [], rejected: [], counts: {} };
    for (const node of nodes) {
      if (entry.versions[node.index] !== node.version) {
        entry.reasons[node.index] = this.check(task, node);
        entry.versions[node.index] = node.version;
      }
      const reason = entry.reasons[node.index];
      if (reason === undefined) {
        out.feasible.push(node);
      } else {
        out.rejected.push({ node, reason });
        out.counts[reason] = (out.counts[reason] ?? 0) + 1;
      }
    }
    return out;
  }

  private entryFor(task: TaskToPlace, size: number) {
    const key = signature(task);
    let entry = this.cache.get(key);
    if (!entry) {
      entry = { versions: new Array<number>(size).fill(-1), reasons: new Array<string | undefined>(size) };
      this.cache.set(key, entry);
    }
    return entry;
  }
}

/**
 * Tasks with equal signatures get equal verdicts: it holds every field a filter may read
 * (see {@link Filter}), and nothing else, so copies of one task definition share it.
 */
export function signature(task: TaskToPlace): string {
  const r = task.reservation;
  const attrs = (task.requiresAttributes ?? []).map((a) => [a.name, a.value ?? null]).sort();
  return JSON.stringify([r.cpu, r.memory, [...r.ports].sort(), [...r.portsUdp].sort(), task.family, groupOf(task), attrs, task.zones ?? null]);
}

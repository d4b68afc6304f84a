import type { NodeState } from "./state.js";

/**
 * Feasible instances one task's ranking looks at: kube-scheduler's floor
 * (minFeasibleNodesToFind, 100); Nomad looks at fewer still (its limit iterator, log2 of the
 * nodes for services). Up to this many instances every feasible one is scored, as before
 * sampling existed. kube's adaptive percentage (10 % of 5,000 nodes) was measured here too:
 * 500 candidates a task cost ~1.4 ms, a 700 tasks/s ceiling on the scheduler alone.
 */
export const minSample = 100;

/** How many feasible instances one task's ranking looks at among `n` (see {@link minSample}). */
export function sampleSize(n: number): number {
  return Math.min(n, minSample);
}

/** What one walk found: the feasible instances to rank, and where the next walk may start. */
export interface Sample {
  candidates: NodeState[];
  next: number;
}

/**
 * Nomad's limit iterator over a seeded shuffle: walk `order` from `start`, around once at most,
 * checking feasibility lazily (`feasible`), until `want` feasible instances are found. Only
 * those are ranked, so a task costs about `want` checks, not one per instance. A walk that
 * finds none has checked every instance: the caller reports the exact ECS failures then.
 */
export function sampleFeasible(order: readonly NodeState[], start: number, want: number, feasible: (node: NodeState) => boolean): Sample {
  const candidates: NodeState[] = [];
  const n = order.length;
  let i = 0;
  for (; i < n && candidates.length < want; i++) {
    const node = order[(start + i) % n];
    if (feasible(node)) candidates.push(node);
  }
  return { candidates, next: (start + i) % n };
}

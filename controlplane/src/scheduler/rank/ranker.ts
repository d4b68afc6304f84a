import type { NodeState } from "../state.js";
import type { TaskToPlace } from "../types.js";

/**
 * One placement strategy as a scorer. `scorer` is called once per task, so it can precompute
 * (spread counts tasks per attribute value once, not once per candidate); the function it
 * returns scores one candidate, lower is better. Equal scores are ties the next stage breaks.
 */
export interface Ranker {
  readonly name: string;
  scorer(task: TaskToPlace, candidates: readonly NodeState[], all: readonly NodeState[]): (node: NodeState) => number;
  /** Hears that `task` was charged to `node`, for a ranker that keeps counts across tasks. */
  charged?(task: TaskToPlace, node: NodeState): void;
}

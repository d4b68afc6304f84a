import type { NodeState } from "../state.js";
import type { TaskToPlace } from "../types.js";

/**
 * One feasibility check, like swarmkit's Filter and nomad's one-method checkers: a name for
 * counters and tests, whether it has anything to say about a task, whether an instance passes,
 * and the ECS reason reported when it does not.
 *
 * `passes` must read only the task's placement-relevant fields (reservation, family, group,
 * requiresAttributes) and the node's state, so its verdict can be cached per group of identical
 * tasks until the node changes.
 */
export interface Filter {
  readonly name: string;
  appliesTo(task: TaskToPlace): boolean;
  passes(task: TaskToPlace, node: NodeState): boolean;
  /** The ECS reason for a node this filter rejected. */
  reason(node: NodeState): string;
}

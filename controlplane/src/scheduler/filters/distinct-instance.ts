import { Reasons } from "../reasons.js";
import { groupOf } from "../state.js";
import type { Filter } from "./filter.js";

/**
 * distinctInstance: each task on a different instance. An instance is taken when it already
 * runs a task of the same group (a service's earlier tasks, a RunTask family) or got a task
 * earlier in this request (ECS: "DistinctInstance placement constraint unsatisfied.").
 */
export const DistinctInstanceFilter: Filter = {
  name: "distinctInstance",
  appliesTo: () => true,
  passes: (task, node) => node.placedInBatch === 0 && node.tasksInGroup(groupOf(task)) === 0,
  reason: () => Reasons.distinctInstance,
};

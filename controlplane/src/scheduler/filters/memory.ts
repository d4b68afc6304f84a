import { emptyResources, shortage } from "@berth/shared";
import { Reasons } from "../reasons.js";
import type { Filter } from "./filter.js";

/** The task's memory (MiB) must fit in what the instance has left (ECS: RESOURCE:MEMORY). */
export const MemoryFilter: Filter = {
  name: "memory",
  appliesTo: (task) => task.reservation.memory > 0,
  passes: (task, node) => shortage(node.remaining, { ...emptyResources(), memory: task.reservation.memory }) === undefined,
  reason: () => Reasons.memory,
};

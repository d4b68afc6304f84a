import { emptyResources, shortage } from "@berth/shared";
import { Reasons } from "../reasons.js";
import type { Filter } from "./filter.js";

/** The task's CPU units must fit in what the instance has left (ECS: RESOURCE:CPU). */
export const CpuFilter: Filter = {
  name: "cpu",
  appliesTo: (task) => task.reservation.cpu > 0,
  passes: (task, node) => shortage(node.remaining, { ...emptyResources(), cpu: task.reservation.cpu }) === undefined,
  reason: () => Reasons.cpu,
};

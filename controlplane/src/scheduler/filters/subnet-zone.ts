import { Reasons } from "../reasons.js";
import type { Filter } from "./filter.js";

/**
 * awsvpc tasks run only on instances in one of their subnets' availability zones (a subnet is a
 * range of one zone): the instance's `ecs.availability-zone` must be one of the task's `zones`.
 */
export const SubnetZoneFilter: Filter = {
  name: "subnet-zone",
  appliesTo: (task) => task.zones !== undefined,
  passes: (task, node) => {
    const zone = node.attributes.get("ecs.availability-zone");
    return zone !== undefined && (task.zones ?? []).includes(zone);
  },
  reason: () => Reasons.subnetZone,
};

import { evaluateQuery } from "./query/evaluate.js";
import { queryTargetOf } from "./state.js";
import type { InstanceSnapshot, PlacementConstraint } from "./types.js";
import { compilePlacement } from "./validate.js";

/**
 * The instances a DAEMON service runs on: ACTIVE ones (not DRAINING, INACTIVE or in between) on
 * which every memberOf constraint holds; distinctInstance holds by construction (one task per
 * instance). Resources are not asked here: an eligible instance that cannot fit the task is
 * still one the service wants, and placement reports why it did not fit. Tasks of `ignoreGroup`
 * are left out of what a `task:group` query sees, so a service's constraints never turn on its
 * own tasks. Throws InvalidParameterException for a constraint ECS would refuse.
 */
export function eligibleInstances(
  instances: readonly InstanceSnapshot[],
  constraints: readonly PlacementConstraint[],
  ignoreGroup?: string,
): InstanceSnapshot[] {
  const { memberOf } = compilePlacement([], constraints);
  return instances.filter((i) => {
    if (i.status !== "ACTIVE") return false;
    const target = queryTargetOf({ ...i, tasks: i.tasks.filter((t) => t.group !== ignoreGroup) });
    return memberOf.every((m) => evaluateQuery(m.expr, target));
  });
}

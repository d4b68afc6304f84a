import { Reasons } from "../reasons.js";
import type { Filter } from "./filter.js";

/**
 * The task definition's `requiresAttributes` (capabilities such as
 * `com.amazonaws.ecs.capability.docker-remote-api.1.19`) must all be on the instance, with the
 * same value when one is given (ECS: ATTRIBUTE).
 */
export const RequiredAttributesFilter: Filter = {
  name: "required-attributes",
  appliesTo: (task) => (task.requiresAttributes?.length ?? 0) > 0,
  passes: (task, node) =>
    (task.requiresAttributes ?? []).every(
      (a) => node.attributes.has(a.name) && (a.value === undefined || node.attributes.get(a.name) === a.value),
    ),
  reason: () => Reasons.attribute,
};

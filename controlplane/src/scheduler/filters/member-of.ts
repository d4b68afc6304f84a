import { Reasons } from "../reasons.js";
import { evaluateQuery } from "../query/evaluate.js";
import type { QueryExpr } from "../query/ast.js";
import type { Filter } from "./filter.js";

/**
 * A memberOf constraint: the instance must satisfy the cluster query, parsed once per request
 * (ECS: "MemberOf placement constraint unsatisfied."). A query on `task:group` or
 * `runningTasksCount` sees tasks placed earlier in the same request.
 */
export function memberOfFilter(expr: QueryExpr, source: string): Filter {
  return {
    name: `memberOf(${source})`,
    appliesTo: () => true,
    passes: (_task, node) => evaluateQuery(expr, node),
    reason: () => Reasons.memberOf,
  };
}

/**
 * berth's scheduler: one pure placement function and what it is built from. See README.md for
 * the pipeline. Nothing here does I/O or reads a clock; randomness comes from the request seed.
 */
export type {
  InstanceSnapshot,
  InstanceStatus,
  TaskToPlace,
  PlacementStrategy,
  PlacementConstraint,
  PlacementRequest,
  Placement,
  PlacementFailure,
  PlacementResult,
} from "./types.js";
export { placeTasks } from "./place.js";
export { eligibleInstances } from "./eligible.js";
export {
  validatePlacement,
  defaultRunTaskStrategy,
  defaultServiceStrategy,
  MAX_STRATEGIES,
  MAX_CONSTRAINTS,
} from "./validate.js";
export { Reasons, statusReason } from "./reasons.js";
export { groupOf } from "./state.js";
export { parseQuery, MAX_QUERY_LENGTH } from "./query/parser.js";
export { evaluateQuery, type QueryTarget } from "./query/evaluate.js";
export { queryTargetOf } from "./state.js";
export { QuerySyntaxError, type QueryExpr } from "./query/ast.js";

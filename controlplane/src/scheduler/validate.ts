import { InvalidParameterException } from "@berth/shared";
import { QuerySyntaxError, type QueryExpr } from "./query/ast.js";
import { parseQuery } from "./query/parser.js";
import type { PlacementConstraint, PlacementStrategy } from "./types.js";

/** ECS's limit on placement strategies in one RunTask / CreateService request. */
export const MAX_STRATEGIES = 5;
/** ECS's limit on placement constraints in one request. */
export const MAX_CONSTRAINTS = 10;

/** A checked strategy, its field resolved to what the ranker needs. */
export type CompiledStrategy =
  | { type: "binpack"; field: "cpu" | "memory" }
  | { type: "spread"; by: "instance" }
  | { type: "spread"; by: "attribute"; attribute: string }
  | { type: "random" };

/** Strategies and constraints checked and parsed, ready for the stack. */
export interface CompiledPlacement {
  strategies: CompiledStrategy[];
  memberOf: { expr: QueryExpr; source: string }[];
  distinctInstance: boolean;
}

/** ECS RunTask's default: place randomly among instances that fit. */
export const defaultRunTaskStrategy: readonly PlacementStrategy[] = Object.freeze([Object.freeze({ type: "random" as const })]);

/** ECS services' default: even over Availability Zones, then even over instances within one. */
export const defaultServiceStrategy: readonly PlacementStrategy[] = Object.freeze([
  Object.freeze({ type: "spread" as const, field: "attribute:ecs.availability-zone" }),
  Object.freeze({ type: "spread" as const, field: "instanceId" }),
]);

/**
 * Checks strategies and constraints as ECS does before anything is placed: known types, fields
 * that fit the type, at most 5 strategies and 10 constraints, memberOf expressions that parse.
 * Throws InvalidParameterException whose message names the field path.
 */
export function validatePlacement(strategy?: readonly PlacementStrategy[], constraints?: readonly PlacementConstraint[]): void {
  compilePlacement(strategy, constraints);
}

/** {@link validatePlacement}, returning the parsed form so a request parses its queries once. */
export function compilePlacement(
  strategy: readonly PlacementStrategy[] = [],
  constraints: readonly PlacementConstraint[] = [],
): CompiledPlacement {
  if (strategy.length > MAX_STRATEGIES) {
    throw new InvalidParameterException(`placementStrategy: at most ${MAX_STRATEGIES} strategies are allowed, got ${strategy.length}`);
  }
  if (constraints.length > MAX_CONSTRAINTS) {
    throw new InvalidParameterException(`placementConstraints: at most ${MAX_CONSTRAINTS} constraints are allowed, got ${constraints.length}`);
  }
  const out: CompiledPlacement = {
    strategies: strategy.map((s, i) => compileStrategy(s, `placementStrategy[${i}]`)),
    memberOf: [],
    distinctInstance: false,
  };
  constraints.forEach((c, i) => {
    const path = `placementConstraints[${i}]`;
    if (c?.type === "distinctInstance") {
      if (c.expression !== undefined && c.expression !== "") {
        throw new InvalidParameterException(`${path}.expression: an expression cannot be given when the constraint type is distinctInstance`);
      }
      out.distinctInstance = true;
    } else if (c?.type === "memberOf") {
      if (!c.expression) throw new InvalidParameterException(`${path}.expression: memberOf needs a cluster query expression`);
      out.memberOf.push({ expr: parseAt(c.expression, `${path}.expression`), source: c.expression });
    } else {
      throw new InvalidParameterException(`${path}.type: '${String(c?.type)}' is not a placement constraint type (distinctInstance, memberOf)`);
    }
  });
  return out;
}

function compileStrategy(s: PlacementStrategy, path: string): CompiledStrategy {
  const field = s?.field;
  switch (s?.type) {
    case "random":
      // ECS ignores a field on random.
      return { type: "random" };
    case "binpack": {
      const f = field?.toLowerCase();
      if (f === "cpu" || f === "memory") return { type: "binpack", field: f };
      throw new InvalidParameterException(`${path}.field: binpack takes 'cpu' or 'memory', got ${quoted(field)}`);
    }
    case "spread": {
      const f = field?.toLowerCase();
      if (f === "instanceid" || f === "host") return { type: "spread", by: "instance" };
      if (field?.startsWith("attribute:") && field.length > "attribute:".length) {
        return { type: "spread", by: "attribute", attribute: field.slice("attribute:".length) };
      }
      throw new InvalidParameterException(`${path}.field: spread takes 'instanceId', 'host' or 'attribute:<name>', got ${quoted(field)}`);
    }
    default:
      throw new InvalidParameterException(`${path}.type: '${String(s?.type)}' is not a placement strategy type (binpack, random, spread)`);
  }
}

function parseAt(expression: string, path: string): QueryExpr {
  try {
    return parseQuery(expression);
  } catch (err) {
    if (err instanceof QuerySyntaxError) {
      throw new InvalidParameterException(`${path}: ${err.message} in '${expression}'`, { cause: err });
    }
    throw err;
  }
}

function quoted(v: string | undefined): string {
  return v === undefined ? "nothing" : `'${v}'`;
}

import type { QueryExpr, Subject } from "./ast.js";

type TestExpr = Extract<QueryExpr, { kind: "test" }>;
import { compareLoose, compareVersions, parseQueryTime } from "./values.js";

/** What a query can see of an instance. */
export interface QueryTarget {
  /** Attribute name to value; an attribute may be present without a value (`exists` is true). */
  readonly attributes: ReadonlyMap<string, string | undefined>;
  /** Task groups with at least one task on the instance. */
  readonly groups: Iterable<string>;
  readonly agentConnected: boolean;
  readonly agentVersion?: string;
  readonly ec2InstanceId?: string;
  readonly registeredAtMs?: number;
  readonly runningTasksCount: number;
}

/**
 * Whether `target` satisfies `expr`. A subject with no value satisfies no positive test, so its
 * negation holds; a many-valued subject (`task:group`) satisfies a positive test when any of its
 * values does, so `task:group != service:db` means "no task of service:db here".
 */
export function evaluateQuery(expr: QueryExpr, target: QueryTarget): boolean {
  switch (expr.kind) {
    case "and":
      return evaluateQuery(expr.left, target) && evaluateQuery(expr.right, target);
    case "or":
      return evaluateQuery(expr.left, target) || evaluateQuery(expr.right, target);
    case "not":
      return !evaluateQuery(expr.expr, target);
    case "test": {
      const values = valuesOf(expr.subject, target);
      const compare = comparatorFor(expr.subject);
      const hit = values.some((v) => holds(expr, v, compare));
      return expr.negate ? !hit : hit;
    }
  }
}

/** The subject's values on the target: none when absent, one for most, any number for task:group. */
function valuesOf(subject: Subject, t: QueryTarget): (string | undefined)[] {
  switch (subject.kind) {
    case "attribute":
      return t.attributes.has(subject.name) ? [t.attributes.get(subject.name)] : [];
    case "taskGroup":
      return [...t.groups];
    case "field":
      switch (subject.name) {
        case "agentConnected":
          return [String(t.agentConnected)];
        case "agentVersion":
          return t.agentVersion === undefined ? [] : [t.agentVersion];
        case "ec2InstanceId":
          return t.ec2InstanceId === undefined ? [] : [t.ec2InstanceId];
        case "registeredAt":
          return t.registeredAtMs === undefined ? [] : [String(t.registeredAtMs)];
        case "runningTasksCount":
          return [String(t.runningTasksCount)];
      }
  }
}

interface Compare {
  order(actual: string, arg: string): number;
  equal(actual: string, arg: string): boolean;
}

// Attribute and name equality is string equality as ECS documents; typed fields compare by meaning.
const STRINGS: Compare = { order: compareLoose, equal: (a, b) => a === b };
const VERSIONS: Compare = { order: compareVersions, equal: (a, b) => compareVersions(a, b) === 0 };
const COUNTS: Compare = { order: compareLoose, equal: (a, b) => compareLoose(a, b) === 0 };
// The parser has checked the argument is a date, so parseQueryTime is defined here.
const byTime = (ms: string, arg: string) => Math.sign(Number(ms) - (parseQueryTime(arg) ?? NaN));
const TIMES: Compare = { order: byTime, equal: (a, b) => byTime(a, b) === 0 };

function comparatorFor(subject: Subject): Compare {
  if (subject.kind !== "field") return STRINGS;
  if (subject.name === "agentVersion") return VERSIONS;
  if (subject.name === "registeredAt") return TIMES;
  if (subject.name === "runningTasksCount") return COUNTS;
  return STRINGS;
}

function holds(test: TestExpr, value: string | undefined, compare: Compare): boolean {
  const { op, args } = test;
  if (op === "exists") return true;
  // An attribute present without a value only answers `exists`.
  if (value === undefined) return false;
  const [arg] = args;
  switch (op) {
    case "==":
      return compare.equal(value, arg);
    case "in":
      return args.some((a) => compare.equal(value, a));
    case "=~":
      return fullMatch(test).test(value);
    case ">":
      return compare.order(value, arg) > 0;
    case ">=":
      return compare.order(value, arg) >= 0;
    case "<":
      return compare.order(value, arg) < 0;
    case "<=":
      return compare.order(value, arg) <= 0;
  }
}

// Java's Pattern.matches, which ECS documents, matches the whole value. Compiled once per parsed
// test (the tree lives as long as its request), not once per instance.
const compiled = new WeakMap<TestExpr, RegExp>();
function fullMatch(test: TestExpr): RegExp {
  let re = compiled.get(test);
  if (!re) {
    re = new RegExp(`^(?:${test.args[0]})$`);
    compiled.set(test, re);
  }
  return re;
}

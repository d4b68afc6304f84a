import { describe, expect, it } from "vitest";
import { InvalidParameterException } from "@berth/shared";
import { parseQuery } from "./parser.js";
import { evaluateQuery, type QueryTarget } from "./evaluate.js";
import { QuerySyntaxError, type QueryExpr } from "./ast.js";

const attr = (name: string) => ({ kind: "attribute" as const, name });
const test = (subject: object, op: string, args: string[], position: number, negate = false) => ({ kind: "test", subject, op, negate, args, position });

describe("parseQuery: trees", () => {
  it.each<[string, unknown]>([
    // the ECS example: equality on an attribute
    ["attribute:ecs.instance-type == t2.small", test(attr("ecs.instance-type"), "==", ["t2.small"], 0)],
    // worded operator
    ["attribute:ecs.instance-type equals t2.small", test(attr("ecs.instance-type"), "==", ["t2.small"], 0)],
    // != is == negated
    ["attribute:stack != prod", test(attr("stack"), "==", ["prod"], 0, true)],
    // no blanks around the operator
    ["attribute:stack==prod", test(attr("stack"), "==", ["prod"], 0)],
    // exists takes no argument
    ["attribute:stack exists", test(attr("stack"), "exists", [], 0)],
    // !exists and not_exists
    ["attribute:stack !exists", test(attr("stack"), "exists", [], 0, true)],
    ["attribute:stack not_exists", test(attr("stack"), "exists", [], 0, true)],
    // in with ECS's brackets
    ["attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", test(attr("ecs.availability-zone"), "in", ["us-east-1a", "us-east-1b"], 0)],
    // in with parentheses and quotes
    ["ec2InstanceId in ('i-abcd1234', 'i-wxyx7890')", test({ kind: "field", name: "ec2InstanceId" }, "in", ["i-abcd1234", "i-wxyx7890"], 0)],
    // !in
    ["attribute:zone !in [a]", test(attr("zone"), "in", ["a"], 0, true)],
    // matches keeps the regular expression as written
    ["attribute:ecs.instance-type =~ t2.*", test(attr("ecs.instance-type"), "=~", ["t2.*"], 0)],
    // a pattern with a group and alternation
    ["attribute:type =~ (t2|m5)\\..*", test(attr("type"), "=~", ["(t2|m5)\\..*"], 0)],
    // task groups with a colon in the value
    ["task:group == service:production", test({ kind: "taskGroup" }, "==", ["service:production"], 0)],
    // numeric comparison
    ["runningTasksCount <= 2", test({ kind: "field", name: "runningTasksCount" }, "<=", ["2"], 0)],
    // a date with a zone
    ["registeredAt >= 2018-06-18T22:28:28+00:00", test({ kind: "field", name: "registeredAt" }, ">=", ["2018-06-18T22:28:28+00:00"], 0)],
  ])("%s", (src, want) => {
    expect(parseQuery(src)).toEqual(want);
  });

  it.each<[string, string]>([
    // and binds tighter than or
    ["attribute:a == 1 or attribute:b == 2 and attribute:c == 3", "or(a, and(b, c))"],
    // parentheses override
    ["(attribute:a == 1 || attribute:b == 2) && attribute:c == 3", "and(or(a, b), c)"],
    // not binds tightest
    ["not attribute:a == 1 and attribute:b == 2", "and(not(a), b)"],
    // ! before a parenthesis
    ["!(attribute:a == 1 or attribute:b == 2)", "not(or(a, b))"],
    // a match inside parentheses stops before the closing one
    ["(attribute:a =~ t2.*) and attribute:b exists", "and(a, b)"],
  ])("%s groups as %s", (src, shape) => {
    expect(shapeOf(parseQuery(src))).toBe(shape);
  });
});

describe("parseQuery: errors", () => {
  it.each<[string, string, number]>([
    // nothing at all
    ["", "expected an expression", 0],
    // subjects are a closed list
    ["color == red", "unknown subject 'color'", 0],
    // attribute: needs a name
    ["attribute: == x", "attribute name missing", 0],
    // unknown operator word
    ["attribute:a like x", "unknown operator 'like'", 12],
    // a comparison needs a value
    ["attribute:a ==", "expected a value", 14],
    // ordering is not defined for task groups
    ["task:group > a", "operator '>' is not valid for task:group", 11],
    // an unclosed list
    ["attribute:a in [x, y", "expected ']'", 20],
    // an unclosed parenthesis
    ["(attribute:a exists", "expected ')'", 19],
    // trailing garbage
    ["attribute:a exists attribute:b exists", "unexpected 'attribute:b'", 19],
    // an unterminated quote
    ["attribute:a == 'x", "unterminated string", 15],
    // a broken regular expression
    ["attribute:a =~ t2(", "not a valid regular expression", 15],
    // a date ECS would not take
    ["registeredAt > yesterday", "not a date", 15],
    // a count that is not a number
    ["runningTasksCount == many", "not a whole number", 21],
  ])("%s -> %s", (src, message, position) => {
    let err: unknown;
    try {
      parseQuery(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QuerySyntaxError);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as QuerySyntaxError).message).toContain(message);
    expect((err as QuerySyntaxError).position).toBe(position);
    expect((err as QuerySyntaxError).message).toContain(`column ${position + 1}`);
  });

  it("rejects expressions over 2000 characters", () => {
    expect(() => parseQuery(`attribute:a == ${"x".repeat(2000)}`)).toThrow(/longer than 2000/);
  });
});

const target = (over: Partial<QueryTarget> & { attrs?: Record<string, string | undefined> } = {}): QueryTarget => ({
  attributes: new Map(Object.entries({ "ecs.instance-type": "t2.small", "ecs.availability-zone": "us-east-1a", cores: "8", flag: undefined, ...over.attrs })),
  groups: ["service:web", "family:batch"],
  agentConnected: true,
  agentVersion: "1.18.0",
  registeredAtMs: Date.parse("2018-06-18T22:28:28Z"),
  runningTasksCount: 2,
  ...over,
});

describe("evaluateQuery", () => {
  it.each<[string, boolean]>([
    // equal attribute
    ["attribute:ecs.instance-type == t2.small", true],
    // different value
    ["attribute:ecs.instance-type == t2.large", false],
    // a missing attribute is never equal …
    ["attribute:stack == prod", false],
    // … so it is always unequal
    ["attribute:stack != prod", true],
    // present without a value: exists, but equals nothing
    ["attribute:flag exists", true],
    ["attribute:flag == x", false],
    // missing attribute does not exist
    ["attribute:stack exists", false],
    ["attribute:stack !exists", true],
    // numbers compare as numbers: 8 > 10 is false
    ["attribute:cores > 10", false],
    ["attribute:cores >= 8", true],
    // strings compare as strings
    ["attribute:ecs.availability-zone < us-east-1b", true],
    // in / not in
    ["attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", true],
    ["attribute:ecs.availability-zone not_in [us-east-1a, us-east-1b]", false],
    // matches the whole value, as Java's Pattern.matches
    ["attribute:ecs.instance-type =~ t2.*", true],
    ["attribute:ecs.instance-type =~ t2", false],
    ["attribute:ecs.instance-type !~ m5.*", true],
    // task:group is true when any task's group matches
    ["task:group == service:web", true],
    ["task:group =~ family:.*", true],
    // and its negation means no task of that group
    ["task:group != service:web", false],
    ["task:group != service:db", true],
    // agentConnected is true/false
    ["agentConnected == true", true],
    // agent versions compare part by part: 1.18.0 > 1.9.0
    ["agentVersion > 1.9.0", true],
    ["agentVersion == 1.18", true],
    // registeredAt compares instants; a date alone is midnight UTC
    ["registeredAt > 2018-06-18", true],
    ["registeredAt == 2018-06-18T22:28:28Z", true],
    ["registeredAt < 2018-06-18T22:28:28", false],
    // an instance without an ec2InstanceId matches no id
    ["ec2InstanceId in ['i-abcd1234']", false],
    // runningTasksCount
    ["runningTasksCount == 2", true],
    ["runningTasksCount < 2", false],
    // compound expressions
    ["attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", true],
    ["attribute:stack exists or task:group == service:web", true],
    ["not (task:group == service:web)", false],
  ])("%s -> %s", (src, want) => {
    expect(evaluateQuery(parseQuery(src), target())).toBe(want);
  });
});

function shapeOf(e: QueryExpr): string {
  switch (e.kind) {
    case "and":
    case "or":
      return `${e.kind}(${shapeOf(e.left)}, ${shapeOf(e.right)})`;
    case "not":
      return `not(${shapeOf(e.expr)})`;
    case "test":
      return e.subject.kind === "attribute" ? e.subject.name : e.subject.kind;
  }
}

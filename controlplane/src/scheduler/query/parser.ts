import { QuerySyntaxError, type FieldName, type Operator, type QueryExpr, type Subject } from "./ast.js";
import { Lexer, type Token } from "./lexer.js";
import { parseQueryTime } from "./values.js";

/** ECS's limit on a memberOf expression. */
export const MAX_QUERY_LENGTH = 2000;

const FIELDS: readonly FieldName[] = ["agentConnected", "agentVersion", "ec2InstanceId", "registeredAt", "runningTasksCount"];

/** Operator spellings, symbolic and worded, to their positive form and whether they negate it. */
const OPERATORS: Record<string, { op: Operator; negate: boolean }> = {
  "==": { op: "==", negate: false },
  equals: { op: "==", negate: false },
  "!=": { op: "==", negate: true },
  not_equals: { op: "==", negate: true },
  ">": { op: ">", negate: false },
  greater_than: { op: ">", negate: false },
  ">=": { op: ">=", negate: false },
  greater_than_equal: { op: ">=", negate: false },
  "<": { op: "<", negate: false },
  less_than: { op: "<", negate: false },
  "<=": { op: "<=", negate: false },
  less_than_equal: { op: "<=", negate: false },
  exists: { op: "exists", negate: false },
  "!exists": { op: "exists", negate: true },
  not_exists: { op: "exists", negate: true },
  in: { op: "in", negate: false },
  "!in": { op: "in", negate: true },
  not_in: { op: "in", negate: true },
  "=~": { op: "=~", negate: false },
  matches: { op: "=~", negate: false },
  "!~": { op: "=~", negate: true },
  not_matches: { op: "=~", negate: true },
};

// Which operators each subject takes, as ECS's "Cluster query language" page lists them.
const SET_OPS: readonly Operator[] = ["==", "in", "=~"];
const ORDER_OPS: readonly Operator[] = ["==", ">", ">=", "<", "<="];
const ALLOWED: Record<Subject["kind"] | FieldName, readonly Operator[]> = {
  attribute: ["==", ">", ">=", "<", "<=", "exists", "in", "=~"],
  taskGroup: SET_OPS,
  field: [],
  agentConnected: SET_OPS,
  ec2InstanceId: SET_OPS,
  agentVersion: ORDER_OPS,
  registeredAt: ORDER_OPS,
  runningTasksCount: ORDER_OPS,
};

/**
 * Parses an ECS cluster query (`attribute:ecs.instance-type =~ t2.* and task:group != service:db`)
 * by recursive descent: `or` binds loosest, then `and`, then `not`; parentheses group. Throws
 * {@link QuerySyntaxError} naming the column of the first problem.
 */
export function parseQuery(src: string): QueryExpr {
  if (src.length > MAX_QUERY_LENGTH) {
    throw new QuerySyntaxError(`expression is longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH);
  }
  const p = new Parser(new Lexer(src));
  const expr = p.orExpr();
  const rest = p.lexer.peek();
  if (rest.kind !== "eof") throw new QuerySyntaxError(`unexpected '${rest.text}'`, rest.pos);
  return expr;
}

class Parser {
  constructor(readonly lexer: Lexer) {}

  orExpr(): QueryExpr {
    let left = this.andExpr();
    while (this.accept("||", "or")) left = { kind: "or", left, right: this.andExpr() };
    return left;
  }

  private andExpr(): QueryExpr {
    let left = this.unary();
    while (this.accept("&&", "and")) left = { kind: "and", left, right: this.unary() };
    return left;
  }

  private unary(): QueryExpr {
    if (this.accept("!", "not")) return { kind: "not", expr: this.unary() };
    if (this.accept("(")) {
      const expr = this.orExpr();
      this.expect(")");
      return expr;
    }
    return this.test();
  }

  private test(): QueryExpr {
    const t = this.lexer.next();
    if (t.kind !== "word") throw new QuerySyntaxError(t.kind === "eof" ? "expected an expression" : `expected a subject, got '${t.text}'`, t.pos);
    const subject = subjectOf(t);
    const opTok = this.lexer.next();
    const spelled = this.operatorSpelling(opTok);
    const found = spelled === undefined ? undefined : OPERATORS[spelled];
    if (!found) throw new QuerySyntaxError(opTok.kind === "eof" ? "expected an operator" : `unknown operator '${opTok.text}'`, opTok.pos);
    const allowed = ALLOWED[subject.kind === "field" ? subject.name : subject.kind];
    if (!allowed.includes(found.op)) throw new QuerySyntaxError(`operator '${spelled}' is not valid for ${t.text}`, opTok.pos);
    const args = this.argumentsFor(found.op);
    for (const a of args) checkArgument(subject, found.op, a);
    return { kind: "test", subject, op: found.op, negate: found.negate, args: args.map((a) => a.text), position: t.pos };
  }

  /** The operator as written, joining `!` with a following `exists` or `in`. */
  private operatorSpelling(t: Token): string | undefined {
    if (t.kind === "punct" && t.text === "!") {
      const w = this.lexer.next();
      return w.kind === "word" && (w.text === "exists" || w.text === "in") ? `!${w.text}` : undefined;
    }
    return t.kind === "punct" || t.kind === "word" ? t.text : undefined;
  }

  private argumentsFor(op: Operator): Token[] {
    if (op === "exists") return [];
    if (op === "=~") return [this.lexer.pattern()];
    if (op === "in") return this.list();
    return [this.value()];
  }

  /** `[a, b]` as ECS documents it, or `(a, b)`. */
  private list(): Token[] {
    const open = this.lexer.next();
    const close = open.text === "[" ? "]" : open.text === "(" ? ")" : undefined;
    if (open.kind !== "punct" || !close) throw new QuerySyntaxError("expected '[' to start a list", open.pos);
    const items = [this.value()];
    while (this.accept(",")) items.push(this.value());
    this.expect(close);
    return items;
  }

  private value(): Token {
    const t = this.lexer.next();
    if (t.kind === "word" || t.kind === "string") return t;
    throw new QuerySyntaxError(t.kind === "eof" ? "expected a value" : `expected a value, got '${t.text}'`, t.pos);
  }

  private accept(...spellings: string[]): boolean {
    const t = this.lexer.peek();
    if ((t.kind === "punct" || t.kind === "word") && spellings.includes(t.text)) {
      this.lexer.next();
      return true;
    }
    return false;
  }

  private expect(text: string): void {
    const t = this.lexer.next();
    if (t.kind !== "punct" || t.text !== text) throw new QuerySyntaxError(`expected '${text}'`, t.pos);
  }
}

function subjectOf(t: Token): Subject {
  if (t.text.startsWith("attribute:")) {
    const name = t.text.slice("attribute:".length);
    if (!name) throw new QuerySyntaxError("attribute name missing after 'attribute:'", t.pos);
    return { kind: "attribute", name };
  }
  if (t.text === "task:group") return { kind: "taskGroup" };
  const field = FIELDS.find((f) => f === t.text);
  if (field) return { kind: "field", name: field };
  throw new QuerySyntaxError(`unknown subject '${t.text}'`, t.pos);
}

/** Arguments whose meaning is fixed by the subject are checked now, so evaluation cannot fail. */
function checkArgument(subject: Subject, op: Operator, arg: Token): void {
  if (op === "=~") {
    try {
      new RegExp(arg.text);
    } catch {
      throw new QuerySyntaxError(`'${arg.text}' is not a valid regular expression`, arg.pos);
    }
    return;
  }
  if (subject.kind !== "field") return;
  if (subject.name === "registeredAt" && parseQueryTime(arg.text) === undefined) {
    throw new QuerySyntaxError(`'${arg.text}' is not a date (2018-06-18, 2018-06-18T22:28:28Z …)`, arg.pos);
  }
  if (subject.name === "runningTasksCount" && !/^\d+$/.test(arg.text)) {
    throw new QuerySyntaxError(`'${arg.text}' is not a whole number`, arg.pos);
  }
  if (subject.name === "agentConnected" && arg.text !== "true" && arg.text !== "false") {
    throw new QuerySyntaxError(`'${arg.text}' is not true or false`, arg.pos);
  }
}

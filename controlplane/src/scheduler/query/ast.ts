import { InvalidParameterException } from "@berth/shared";

/** The instance fields the cluster query language names directly (besides `attribute:` and `task:group`). */
export type FieldName = "agentConnected" | "agentVersion" | "ec2InstanceId" | "registeredAt" | "runningTasksCount";

/** What a comparison looks at on an instance. */
export type Subject =
  | { kind: "attribute"; name: string }
  | { kind: "taskGroup" }
  | { kind: "field"; name: FieldName };

/**
 * The positive form of each operator; `!=`, `!exists`, `!in` and `!~` are these with `negate`
 * set, so a negated test on a many-valued subject (task:group) means "none matches".
 */
export type Operator = "==" | ">" | ">=" | "<" | "<=" | "exists" | "in" | "=~";

/** A parsed cluster query: plain data, so tests can compare trees and a request parses once. */
export type QueryExpr =
  | { kind: "and"; left: QueryExpr; right: QueryExpr }
  | { kind: "or"; left: QueryExpr; right: QueryExpr }
  | { kind: "not"; expr: QueryExpr }
  | {
      kind: "test";
      subject: Subject;
      op: Operator;
      negate: boolean;
      /** No arguments for `exists`, one for comparisons, the list for `in`. */
      args: string[];
      /** 0-based offset of the subject in the source, for messages. */
      position: number;
    };

/**
 * A cluster query that does not parse. An InvalidParameterException, so the API reports it as ECS
 * does; `position` is the 0-based offset, the message gives the 1-based column.
 */
export class QuerySyntaxError extends InvalidParameterException {
  override name = "QuerySyntaxError";
  constructor(
    readonly detail: string,
    readonly position: number,
  ) {
    super(`${detail} at column ${position + 1}`);
  }
}

import { BerthError, ConflictError } from "@berth/shared";
import type { JsonErrorReply } from "../aws/json-api.js";

/** berth's generic types as EventBridge names them. */
const typeOf: Record<string, string> = {
  InvalidParameterException: "ValidationException",
  ConflictException: "ConcurrentModificationException",
};

/**
 * Translates an error into EventBridge's JSON 1.1 shape. berth's own errors keep their meaning;
 * a lost write race is ConcurrentModificationException; anything else is InternalException
 * naming the request id.
 */
export function toEventsError(err: unknown, requestId: string): JsonErrorReply {
  if (err instanceof ConflictError) return { status: 400, body: { __type: "ConcurrentModificationException", message: `The rule changed concurrently; retry. (request ${requestId})` } };
  if (err instanceof BerthError && err.httpStatus < 500) {
    return { status: err.httpStatus, body: { __type: typeOf[err.ecsType] ?? err.ecsType, message: err.message } };
  }
  return { status: 500, body: { __type: "InternalException", message: `An internal error occurred (request ${requestId}).` } };
}

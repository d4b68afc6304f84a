import { BerthError, ConflictError } from "@berth/shared";
import type { JsonErrorReply } from "../aws/json-api.js";

/**
 * Translates an error into Application Auto Scaling's JSON shape. berth's own errors keep their
 * type (ValidationException, ObjectNotFoundException, …); a lost write race is AWS's
 * ConcurrentUpdateException (retryable); anything else is InternalServiceException naming the
 * request id, its stack logged.
 */
export function toAutoscalingError(err: unknown, requestId: string): JsonErrorReply {
  if (err instanceof ConflictError) {
    return { status: 400, body: { __type: "ConcurrentUpdateException", message: `Concurrent updates are being made to the same resource; retry (request ${requestId}).` } };
  }
  if (err instanceof BerthError && err.httpStatus < 500) {
    return { status: err.httpStatus, body: { ...err.fields, __type: err.ecsType, message: err.message } };
  }
  return { status: 500, body: { __type: "InternalServiceException", message: `The service encountered an internal error (request ${requestId}).` } };
}

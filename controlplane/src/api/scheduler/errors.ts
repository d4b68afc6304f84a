import { BerthError, ConflictError } from "@berth/shared";
import type { RestErrorReply } from "../aws/rest-json.js";

/** The Scheduler's statuses for its error types (its model's `error.httpStatusCode`). */
const statusOf: Record<string, number> = {
  ValidationException: 400,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
};

/** berth's generic types as the Scheduler names them: its model has no InvalidParameterException. */
const typeOf: Record<string, string> = {
  InvalidParameterException: "ValidationException",
  SerializationException: "ValidationException",
  LimitExceededException: "ServiceQuotaExceededException",
};

/**
 * Translates an error into EventBridge Scheduler's rest-json shape (`{Message}`, the type in
 * `X-Amzn-ErrorType`). berth's own errors keep their meaning; a lost write race is
 * ConflictException; anything else is InternalServerException naming the request id.
 */
export function toSchedulerError(err: unknown, requestId: string): RestErrorReply {
  if (err instanceof ConflictError) return { status: 409, type: "ConflictException", message: `The request conflicted with a concurrent change; retry it. (request ${requestId})` };
  if (err instanceof BerthError && err.httpStatus < 500) {
    const type = typeOf[err.ecsType] ?? err.ecsType;
    return { status: statusOf[type] ?? err.httpStatus, type, message: err.message };
  }
  return { status: 500, type: "InternalServerException", message: `Unexpected error during processing of request (request ${requestId}).` };
}

import { BerthError } from "@berth/shared";
import type { JsonErrorReply } from "../aws/json-api.js";

/**
 * Translates an error into CloudWatch Logs' JSON shape. berth's own errors keep their type
 * (ResourceNotFoundException, ResourceAlreadyExistsException, InvalidParameterException, …);
 * anything else is Logs' ServiceUnavailableException naming the request id, its stack logged.
 */
export function toLogsError(err: unknown, requestId: string): JsonErrorReply {
  if (err instanceof BerthError && err.httpStatus < 500) {
    return { status: err.httpStatus, body: { ...err.fields, __type: err.ecsType, message: err.message } };
  }
  return { status: 500, body: { __type: "ServiceUnavailableException", message: `The service cannot complete the request (request ${requestId}).` } };
}

import { BerthError } from "@berth/shared";
import type { JsonErrorReply } from "../aws/json-api.js";

/**
 * Translates an error into an AWS JSON 1.1 error body for the Secrets Manager and SSM APIs:
 * berth's own errors keep their type (ResourceNotFoundException, ParameterNotFound, …);
 * anything else is the API's internal error naming the request id, its stack logged.
 */
export function awsJsonError(internalType: string) {
  return (err: unknown, requestId: string): JsonErrorReply => {
    if (err instanceof BerthError && err.httpStatus < 500) {
      return { status: err.httpStatus, body: { ...err.fields, __type: err.ecsType, message: err.message } };
    }
    return { status: 500, body: { __type: internalType, message: `An error occurred on the server side (request ${requestId}).` } };
  };
}

import { BerthError, ConflictError, ServerException } from "@berth/shared";

/** The JSON body and status an error is answered with: ECS's `{__type, message}`. */
export interface EcsErrorReply {
  status: number;
  body: { __type: string; message: string } & Record<string, unknown>;
}

/**
 * Translates an error into ECS's shape. Errors berth raised on purpose keep their type and
 * message; a lost write race reads as a retryable ServerException; anything else is hidden
 * behind a generic ServerException that names the request id (its stack goes to the log).
 */
export function toEcsError(err: unknown, requestId: string): EcsErrorReply {
  if (err instanceof ConflictError) {
    return { status: 500, body: { __type: "ServerException", message: `The request conflicted with a concurrent change; retry it. (request ${requestId})` } };
  }
  if (err instanceof BerthError) {
    return { status: err.httpStatus, body: { ...err.fields, __type: err.ecsType, message: err.message } };
  }
  const e = new ServerException(`An internal error occurred (request ${requestId}).`);
  return { status: e.httpStatus, body: { __type: e.ecsType, message: e.message } };
}

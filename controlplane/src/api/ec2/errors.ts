import {
  BerthError,
  ConflictError,
  ExpiredTokenException,
  Ec2Error,
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  RequestEntityTooLargeException,
  UnknownOperationException,
  UnrecognizedClientException,
} from "@berth/shared";
import type { QueryErrorReply } from "../aws/query-api.js";

/** Errors of the shared layers (SigV4, body cap) in EC2's codes and statuses, by class. */
const sharedToEc2: [new (...args: never[]) => Error, number, string][] = [
  [MissingAuthenticationTokenException, 401, "AuthFailure"],
  [UnrecognizedClientException, 401, "AuthFailure"],
  [ExpiredTokenException, 401, "AuthFailure"],
  [InvalidSignatureException, 401, "AuthFailure"],
  [IncompleteSignatureException, 400, "IncompleteSignature"],
  [RequestEntityTooLargeException, 413, "RequestEntityTooLarge"],
  [UnknownOperationException, 400, "InvalidAction"],
];

/**
 * Translates an error into EC2's `<Errors><Error><Code>` terms. EC2 errors raised on purpose keep
 * their code and message; the shared layers' errors map through the table above; a lost write race
 * reads as a retryable InternalError; anything else is an InternalError naming the request id.
 */
export function toEc2Error(err: unknown, requestId: string): QueryErrorReply {
  if (err instanceof Ec2Error) return { status: err.httpStatus, code: err.code, message: err.message };
  for (const [cls, status, code] of sharedToEc2) if (err instanceof cls) return { status, code, message: (err as Error).message };
  if (err instanceof ConflictError) return { status: 500, code: "InternalError", message: `The request conflicted with a concurrent change; retry it. (request ${requestId})` };
  // An ECS-typed refusal from a shared helper is still the caller's mistake.
  if (err instanceof BerthError && err.httpStatus < 500) return { status: 400, code: "InvalidParameterValue", message: err.message };
  return { status: 500, code: "InternalError", message: `An internal error has occurred (request ${requestId}).` };
}

import {
  BerthError,
  CloudWatchError,
  ConflictError,
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  RequestEntityTooLargeException,
  SerializationException,
  UnknownOperationException,
  UnrecognizedClientException,
} from "@berth/shared";
import type { QueryErrorReply } from "../aws/query-api.js";

/**
 * Each CloudWatch code's HTTP status, from the model's exception shapes (`error.httpStatusCode`;
 * a unit test checks this table against aws-models/cloudwatch). ValidationError is the Query
 * protocol's generic refusal and not in the model; it is 400 too.
 */
export const cloudwatchStatuses: Record<string, number> = {
  InvalidFormat: 400,
  InvalidNextToken: 400,
  InvalidParameterCombination: 400,
  InvalidParameterValue: 400,
  LimitExceeded: 400,
  MissingParameter: 400,
  ResourceNotFound: 404,
  ValidationError: 400,
};

/** Errors of the shared layers (SigV4, body cap, protocol) in CloudWatch's codes, by class. */
const sharedToCloudWatch: [new (...args: never[]) => Error, number, string][] = [
  [MissingAuthenticationTokenException, 403, "MissingAuthenticationToken"],
  [UnrecognizedClientException, 403, "InvalidClientTokenId"],
  [InvalidSignatureException, 403, "SignatureDoesNotMatch"],
  [IncompleteSignatureException, 400, "IncompleteSignature"],
  [RequestEntityTooLargeException, 413, "RequestEntityTooLarge"],
  [UnknownOperationException, 400, "InvalidAction"],
  [SerializationException, 400, "SerializationException"],
];

/**
 * Translates an error into CloudWatch's terms, for both of its protocols (Query's
 * `<ErrorResponse>`, rpc-v2-cbor's `__type` + `x-amzn-query-error`): CloudWatch errors raised on
 * purpose keep their code and message with the model's status; the shared layers' map through the
 * table above; a lost write race is a retryable InternalServiceError; anything else an
 * InternalServiceError naming the request id.
 */
export function toCloudWatchError(err: unknown, requestId: string): QueryErrorReply {
  if (err instanceof CloudWatchError) return { status: cloudwatchStatuses[err.code] ?? 400, code: err.code, message: err.message, type: "Sender" };
  for (const [cls, status, code] of sharedToCloudWatch) if (err instanceof cls) return { status, code, message: (err as Error).message, type: "Sender" };
  if (err instanceof ConflictError) return { status: 500, code: "InternalServiceError", message: `The request conflicted with a concurrent change; retry it. (request ${requestId})`, type: "Receiver" };
  if (err instanceof BerthError && err.httpStatus < 500) return { status: 400, code: "ValidationError", message: err.message, type: "Sender" };
  return { status: 500, code: "InternalServiceError", message: `An internal error has occurred (request ${requestId}).`, type: "Receiver" };
}

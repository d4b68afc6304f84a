import {
  BerthError,
  ConflictError,
  ExpiredTokenException,
  Elbv2Error,
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  RequestEntityTooLargeException,
  UnknownOperationException,
  UnrecognizedClientException,
} from "@berth/shared";
import type { QueryErrorReply } from "../aws/query-api.js";

/**
 * Each ELBv2 code's HTTP status, from the model's exception shapes (`error.httpStatusCode`; a
 * unit test checks this table against aws-models/elbv2). ValidationError is the Query protocol's
 * generic refusal and not in the model; it is 400 too.
 */
export const elbv2Statuses: Record<string, number> = {
  DuplicateListener: 400,
  DuplicateLoadBalancerName: 400,
  DuplicateTagKeys: 400,
  DuplicateTargetGroupName: 400,
  IncompatibleProtocols: 400,
  InvalidConfigurationRequest: 400,
  InvalidLoadBalancerAction: 400,
  InvalidSubnet: 400,
  InvalidTarget: 400,
  ListenerNotFound: 400,
  LoadBalancerNotFound: 400,
  OperationNotPermitted: 400,
  PriorityInUse: 400,
  ResourceInUse: 400,
  RuleNotFound: 400,
  SubnetNotFound: 400,
  TargetGroupAssociationLimit: 400,
  TargetGroupNotFound: 400,
  TooManyActions: 400,
  TooManyListeners: 400,
  TooManyRules: 400,
  TooManyTags: 400,
  TooManyTargetGroups: 400,
  TooManyTargets: 400,
  UnsupportedProtocol: 400,
  ValidationError: 400,
};

/** Errors of the shared layers (SigV4, body cap) in the Query protocol's codes, by class. */
const sharedToElbv2: [new (...args: never[]) => Error, number, string][] = [
  [MissingAuthenticationTokenException, 403, "MissingAuthenticationToken"],
  [UnrecognizedClientException, 403, "InvalidClientTokenId"],
  [ExpiredTokenException, 403, "ExpiredToken"],
  [InvalidSignatureException, 403, "SignatureDoesNotMatch"],
  [IncompleteSignatureException, 400, "IncompleteSignature"],
  [RequestEntityTooLargeException, 413, "RequestEntityTooLarge"],
  [UnknownOperationException, 400, "InvalidAction"],
];

/**
 * Translates an error into ELBv2's `<ErrorResponse><Error>` terms: ELBv2 errors raised on purpose
 * keep their code and message with the model's status; the shared layers' map through the table
 * above; a lost write race is a retryable InternalFailure; anything else an InternalFailure
 * naming the request id.
 */
export function toElbv2Error(err: unknown, requestId: string): QueryErrorReply {
  if (err instanceof Elbv2Error) return { status: elbv2Statuses[err.code] ?? 400, code: err.code, message: err.message, type: "Sender" };
  for (const [cls, status, code] of sharedToElbv2) if (err instanceof cls) return { status, code, message: (err as Error).message, type: "Sender" };
  if (err instanceof ConflictError) return { status: 500, code: "InternalFailure", message: `The request conflicted with a concurrent change; retry it. (request ${requestId})`, type: "Receiver" };
  // An ECS-typed refusal from a shared helper is still the caller's mistake.
  if (err instanceof BerthError && err.httpStatus < 500) return { status: 400, code: "ValidationError", message: err.message, type: "Sender" };
  return { status: 500, code: "InternalFailure", message: `An internal error has occurred (request ${requestId}).`, type: "Receiver" };
}

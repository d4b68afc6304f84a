import {
  BerthError,
  ConflictError,
  ExpiredTokenException,
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  RequestEntityTooLargeException,
  UnknownOperationException,
  UnrecognizedClientException,
} from "@berth/shared";
import type { QueryErrorReply } from "./query-api.js";

/** One row of an error table: errors of this class answer this status and code. */
export type QueryErrorRow = [cls: new (...args: never[]) => Error, status: number, code: string];

/**
 * The errors every Query-protocol API shares (the SigV4 layer, the body cap, the router), in the
 * Query protocol's common codes (AWS's "Common Errors" page): the same for ELBv2, CloudWatch and
 * the rest. An API whose words differ (EC2's AuthFailure) puts its own rows first.
 */
export const queryCommonErrors: readonly QueryErrorRow[] = [
  [MissingAuthenticationTokenException, 403, "MissingAuthenticationToken"],
  [UnrecognizedClientException, 403, "InvalidClientTokenId"],
  [ExpiredTokenException, 403, "ExpiredToken"],
  [InvalidSignatureException, 403, "SignatureDoesNotMatch"],
  [IncompleteSignatureException, 400, "IncompleteSignature"],
  [RequestEntityTooLargeException, 413, "RequestEntityTooLarge"],
  [UnknownOperationException, 400, "InvalidAction"],
];

/** How one Query API words its errors beyond the common table. */
export interface QueryErrorTerms {
  /** The API's own errors raised on purpose, with their status; undefined for any other error. */
  own(err: unknown): { status: number; code: string; message: string } | undefined;
  /** Rows checked before {@link queryCommonErrors} (an API's different words, its extra layers). */
  rows?: readonly QueryErrorRow[];
  /** The code of the service's own failures (InternalFailure, InternalServiceError, InternalError). */
  internalCode: string;
  /** The code of a caller's mistake raised by a shared helper in ECS's types (ValidationError). */
  refusalCode: string;
  /** Whether the reply names Sender / Receiver (the query flavour; EC2's envelope has no type). */
  faultType: boolean;
}

/**
 * The error mapper of a Query API: its own errors keep their code and message; the shared
 * layers' map through its rows then the common table; a lost write race is a retryable internal
 * error; an ECS-typed refusal from a shared helper is still the caller's mistake; anything else an
 * internal error naming the request id (its message may hold details the caller must not see).
 */
export function queryErrorMapper(terms: QueryErrorTerms): (err: unknown, requestId: string) => QueryErrorReply {
  const rows = [...(terms.rows ?? []), ...queryCommonErrors];
  const reply = (status: number, code: string, message: string, type: "Sender" | "Receiver"): QueryErrorReply =>
    terms.faultType ? { status, code, message, type } : { status, code, message };
  return (err, requestId) => {
    const own = terms.own(err);
    if (own) return reply(own.status, own.code, own.message, "Sender");
    for (const [cls, status, code] of rows) if (err instanceof cls) return reply(status, code, (err as Error).message, "Sender");
    if (err instanceof ConflictError) return reply(500, terms.internalCode, `The request conflicted with a concurrent change; retry it. (request ${requestId})`, "Receiver");
    if (err instanceof BerthError && err.httpStatus < 500) return reply(400, terms.refusalCode, err.message, "Sender");
    return reply(500, terms.internalCode, `An internal error has occurred (request ${requestId}).`, "Receiver");
  };
}

import { CloudWatchError, SerializationException } from "@berth/shared";
import { queryErrorMapper } from "../aws/query-errors.js";

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

/**
 * Translates an error into CloudWatch's terms, for both of its protocols (Query's
 * `<ErrorResponse>`, rpc-v2-cbor's `__type` + `x-amzn-query-error`): the shared Query mapping
 * (api/aws/query-errors.ts) with CloudWatch's codes, the model's statuses, and the CBOR decoder's
 * SerializationException.
 */
export const toCloudWatchError = queryErrorMapper({
  own: (err) => (err instanceof CloudWatchError ? { status: cloudwatchStatuses[err.code] ?? 400, code: err.code, message: err.message } : undefined),
  rows: [[SerializationException, 400, "SerializationException"]],
  internalCode: "InternalServiceError",
  refusalCode: "ValidationError",
  faultType: true,
});

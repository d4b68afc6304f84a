import { BerthError } from "./errors.js";

/**
 * CloudWatch's errors, one class per error code berth raises (the model's query-compatible codes,
 * plus the Query protocol's generic ValidationError). The CloudWatch API answers them in Query's
 * `<ErrorResponse>` or rpc-v2-cbor's `__type` + `x-amzn-query-error` (controlplane/src/api/
 * cloudwatch/errors.ts, which holds each code's HTTP status from the model); `ecsType` holds the
 * code so the one BerthError table still names them should one reach another edge.
 */
export abstract class CloudWatchError extends BerthError {
  /** CloudWatch's error code, e.g. `ResourceNotFound`. */
  abstract readonly code: string;
  get ecsType(): string {
    return this.code;
  }
}

/** A request that breaks the model (a missing member, a value out of its range or enum). */
export class CloudWatchValidationError extends CloudWatchError {
  override name = "CloudWatchValidationError";
  readonly code = "ValidationError";
}

/** A value CloudWatch (or berth's subset of it) does not accept. */
export class CloudWatchInvalidParameterValue extends CloudWatchError {
  override name = "CloudWatchInvalidParameterValue";
  readonly code = "InvalidParameterValue";
}

/** Members that cannot go together (Statistic with ExtendedStatistic, MetricName with Metrics). */
export class CloudWatchInvalidParameterCombination extends CloudWatchError {
  override name = "CloudWatchInvalidParameterCombination";
  readonly code = "InvalidParameterCombination";
}

/** A member the operation needs in this combination is absent. */
export class CloudWatchMissingParameter extends CloudWatchError {
  override name = "CloudWatchMissingParameter";
  readonly code = "MissingParameter";
}

/** A named alarm does not exist. */
export class CloudWatchResourceNotFound extends CloudWatchError {
  override name = "CloudWatchResourceNotFound";
  readonly code = "ResourceNotFound";
  override readonly httpStatus = 404;
}

/** StateReasonData is not JSON. */
export class CloudWatchInvalidFormat extends CloudWatchError {
  override name = "CloudWatchInvalidFormat";
  readonly code = "InvalidFormat";
}

/** A NextToken this endpoint did not issue. */
export class CloudWatchInvalidNextToken extends CloudWatchError {
  override name = "CloudWatchInvalidNextToken";
  readonly code = "InvalidNextToken";
}

/** Too many alarms (berth's cap, like CloudWatch's per-account quota). */
export class CloudWatchLimitExceeded extends CloudWatchError {
  override name = "CloudWatchLimitExceeded";
  readonly code = "LimitExceeded";
}

import { BerthError } from "./errors.js";

/**
 * The error types of AWS Secrets Manager and SSM Parameter Store that ECS lacks, one class per
 * `__type` of their models (ResourceNotFoundException and InvalidParameterException are the
 * shared ones in errors.ts). The JSON 1.1 edges (controlplane/src/api/secrets/, api/ssm/)
 * answer them by `ecsType` like every BerthError.
 */

/** Secrets Manager: a secret of that name exists already. */
export class ResourceExistsException extends BerthError {
  override name = "ResourceExistsException";
  readonly ecsType = "ResourceExistsException";
}

/** Secrets Manager: the request is valid but the secret's state forbids it (e.g. marked for deletion). */
export class InvalidRequestException extends BerthError {
  override name = "InvalidRequestException";
  readonly ecsType = "InvalidRequestException";
}

/** Secrets Manager: a NextToken that this API did not hand out. */
export class InvalidNextTokenException extends BerthError {
  override name = "InvalidNextTokenException";
  readonly ecsType = "InvalidNextTokenException";
}

/** SSM: no parameter of that name (or label). */
export class ParameterNotFound extends BerthError {
  override name = "ParameterNotFound";
  readonly ecsType = "ParameterNotFound";
}

/** SSM: PutParameter without Overwrite for a name that exists. */
export class ParameterAlreadyExists extends BerthError {
  override name = "ParameterAlreadyExists";
  readonly ecsType = "ParameterAlreadyExists";
}

/** SSM: the parameter exists but not at the version asked for. */
export class ParameterVersionNotFound extends BerthError {
  override name = "ParameterVersionNotFound";
  readonly ecsType = "ParameterVersionNotFound";
}

/** SSM: the value does not match the parameter's AllowedPattern. */
export class ParameterPatternMismatchException extends BerthError {
  override name = "ParameterPatternMismatchException";
  readonly ecsType = "ParameterPatternMismatchException";
}

/** SSM: a name deeper than 15 levels. */
export class HierarchyLevelLimitExceededException extends BerthError {
  override name = "HierarchyLevelLimitExceededException";
  readonly ecsType = "HierarchyLevelLimitExceededException";
}

/** SSM: a NextToken that this API did not hand out. */
export class InvalidNextToken extends BerthError {
  override name = "InvalidNextToken";
  readonly ecsType = "InvalidNextToken";
}

/** SSM: an unknown filter key or option in ParameterFilters. */
export class InvalidFilterKey extends BerthError {
  override name = "InvalidFilterKey";
  readonly ecsType = "InvalidFilterKey";
}

/** SSM's generic refusal of a malformed request (its model's ValidationException). */
export class SsmValidationException extends BerthError {
  override name = "SsmValidationException";
  readonly ecsType = "ValidationException";
}

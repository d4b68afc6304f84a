/**
 * Error classes, one per meaning. Each carries the ECS `__type` it is reported as and the HTTP
 * status of the JSON 1.1 API; the API and gRPC edges translate through tables keyed by these
 * (controlplane/src/api/ecs/errors.ts), never by message text.
 */

/** Base of every error berth reports on purpose. `ecsType` is the ECS `__type` name. */
export abstract class BerthError extends Error {
  abstract readonly ecsType: string;
  /** HTTP status on the ECS JSON API: 400 for the caller's mistakes, 500 for ours. */
  readonly httpStatus: number = 400;
  /** True when retrying the same request may succeed (etcd hiccup, lost compare race). */
  readonly transient: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The request is malformed or names a value ECS would refuse (field path in the message). */
export class InvalidParameterException extends BerthError {
  override name = "InvalidParameterException";
  readonly ecsType = "InvalidParameterException";
}

/** A client-side error that is not about one parameter (e.g. an unknown task definition). */
export class ClientException extends BerthError {
  override name = "ClientException";
  readonly ecsType = "ClientException";
}

export class ClusterNotFoundException extends BerthError {
  override name = "ClusterNotFoundException";
  readonly ecsType = "ClusterNotFoundException";
  constructor(cluster: string) {
    super(`Cluster not found: ${cluster}`);
  }
}

export class ClusterContainsContainerInstancesException extends BerthError {
  override name = "ClusterContainsContainerInstancesException";
  readonly ecsType = "ClusterContainsContainerInstancesException";
}

export class ClusterContainsTasksException extends BerthError {
  override name = "ClusterContainsTasksException";
  readonly ecsType = "ClusterContainsTasksException";
}

export class ClusterContainsServicesException extends BerthError {
  override name = "ClusterContainsServicesException";
  readonly ecsType = "ClusterContainsServicesException";
}

export class ServiceNotFoundException extends BerthError {
  override name = "ServiceNotFoundException";
  readonly ecsType = "ServiceNotFoundException";
}

export class ServiceNotActiveException extends BerthError {
  override name = "ServiceNotActiveException";
  readonly ecsType = "ServiceNotActiveException";
}

export class ResourceNotFoundException extends BerthError {
  override name = "ResourceNotFoundException";
  readonly ecsType = "ResourceNotFoundException";
}

export class ResourceInUseException extends BerthError {
  override name = "ResourceInUseException";
  readonly ecsType = "ResourceInUseException";
}

export class UnsupportedFeatureException extends BerthError {
  override name = "UnsupportedFeatureException";
  readonly ecsType = "UnsupportedFeatureException";
}

export class AttributeLimitExceededException extends BerthError {
  override name = "AttributeLimitExceededException";
  readonly ecsType = "AttributeLimitExceededException";
}

export class TargetNotFoundException extends BerthError {
  override name = "TargetNotFoundException";
  readonly ecsType = "TargetNotFoundException";
}

/** Missing or wrong credentials or signature. */
export class AccessDeniedException extends BerthError {
  override name = "AccessDeniedException";
  readonly ecsType = "AccessDeniedException";
  override readonly httpStatus = 403;
}

/** The signature does not match the request (AWS's name for it on JSON protocols). */
export class InvalidSignatureException extends BerthError {
  override name = "InvalidSignatureException";
  readonly ecsType = "InvalidSignatureException";
  override readonly httpStatus = 403;
}

/** The X-Amz-Target names no ECS action berth knows. */
export class UnknownOperationException extends BerthError {
  override name = "UnknownOperationException";
  readonly ecsType = "UnknownOperationException";
}

/** The body is not JSON, or not the JSON the operation takes. */
export class SerializationException extends BerthError {
  override name = "SerializationException";
  readonly ecsType = "SerializationException";
}

/** The request body is larger than the API accepts. */
export class RequestEntityTooLargeException extends BerthError {
  override name = "RequestEntityTooLargeException";
  readonly ecsType = "RequestEntityTooLargeException";
  override readonly httpStatus = 413;
}

/** A revision-guarded write lost a race; the caller re-reads and retries. */
export class ConflictError extends BerthError {
  override name = "ConflictError";
  readonly ecsType = "ServerException";
  override readonly httpStatus = 500;
  override readonly transient = true;
}

/** Something failed on berth's side; reported without internals, with a request id. */
export class ServerException extends BerthError {
  override name = "ServerException";
  readonly ecsType = "ServerException";
  override readonly httpStatus = 500;
}

/** True for errors worth retrying as they are. */
export function isTransient(err: unknown): boolean {
  return err instanceof BerthError && err.transient;
}

/** An ECS quota on a resource was reached (e.g. 1,000,000 revisions in one task-definition family). */
export class LimitExceededException extends BerthError {
  override name = "LimitExceededException";
  readonly ecsType = "LimitExceededException";
}

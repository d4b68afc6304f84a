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
  /** Members of the ECS error shape besides the message (ConflictException's resourceIds). */
  readonly fields: Record<string, unknown> = {};
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

/** A service deployment ARN names none (StopServiceDeployment). */
export class ServiceDeploymentNotFoundException extends BerthError {
  override name = "ServiceDeploymentNotFoundException";
  readonly ecsType = "ServiceDeploymentNotFoundException";
}

/** Missing or wrong credentials or signature. */
export class AccessDeniedException extends BerthError {
  override name = "AccessDeniedException";
  readonly ecsType = "AccessDeniedException";
  override readonly httpStatus = 403;
}

/**
 * The signature does not match the request, or its scope or time does not hold (AWS's name
 * for it on JSON protocols). AWS JSON 1.1 services such as ECS and ECR answer it with 400.
 */
export class InvalidSignatureException extends BerthError {
  override name = "InvalidSignatureException";
  readonly ecsType = "InvalidSignatureException";
}

/** The request carries no SigV4 signature at all (no `Authorization: AWS4-...` header); 400 as ECS answers. */
export class MissingAuthenticationTokenException extends BerthError {
  override name = "MissingAuthenticationTokenException";
  readonly ecsType = "MissingAuthenticationTokenException";
}

/** The access key id, or the session token, is not one berth knows; 400 as ECS answers. */
export class UnrecognizedClientException extends BerthError {
  override name = "UnrecognizedClientException";
  readonly ecsType = "UnrecognizedClientException";
}

/** The Authorization header is malformed: parts missing, no date, not five credential parts; 400. */
export class IncompleteSignatureException extends BerthError {
  override name = "IncompleteSignatureException";
  readonly ecsType = "IncompleteSignatureException";
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

/** A resource quota was exceeded (TagResource past 50 tags on a resource). */
export class LimitExceededException extends BerthError {
  override name = "LimitExceededException";
  readonly ecsType = "LimitExceededException";
}

/**
 * ECS's ConflictException: the request conflicts with the resource's state (a RunTask
 * clientToken already used for a different request, a service deployment no longer in
 * progress). Not the internal {@link ConflictError} of a lost write race; `resourceIds`, when
 * given, names the tasks the token already stands for.
 */
export class ConflictException extends BerthError {
  override name = "ConflictException";
  readonly ecsType = "ConflictException";
  override readonly fields: { resourceIds?: string[] };
  constructor(message: string, resourceIds?: string[]) {
    super(message);
    this.fields = resourceIds ? { resourceIds } : {};
  }
}

/**
 * The request is fine but cannot be served now (AWS's ServiceUnavailable, HTTP 503): the agent
 * a log request needs is not connected, or is connected to another replica. Worth retrying.
 */
export class ServiceUnavailableException extends BerthError {
  override name = "ServiceUnavailableException";
  readonly ecsType = "ServiceUnavailableException";
  override readonly httpStatus = 503;
  override readonly transient = true;
}

/**
 * A command cannot be run in the task's container now (ECS ExecuteCommand's
 * TargetNotConnectedException): its agent is not connected.
 */
export class TargetNotConnectedException extends BerthError {
  override name = "TargetNotConnectedException";
  readonly ecsType = "TargetNotConnectedException";
}

/** CloudWatch Logs: the log group or stream to be created exists already. */
export class ResourceAlreadyExistsException extends BerthError {
  override name = "ResourceAlreadyExistsException";
  readonly ecsType = "ResourceAlreadyExistsException";
}

/** A resource a berth route names (e.g. a task) does not exist: ResourceNotFoundException, answered as HTTP 404. */
export class RouteNotFoundException extends ResourceNotFoundException {
  override name = "RouteNotFoundException";
  override readonly httpStatus: number = 404;
}

/**
 * The AWS APIs other than ECS (EventBridge Scheduler and rules, Application Auto Scaling, …):
 * a request that breaks the API's constraints, such as an unparseable schedule expression.
 */
export class ValidationException extends BerthError {
  override name = "ValidationException";
  readonly ecsType = "ValidationException";
}

/** A session token that berth issued has expired (AWS's JSON services answer so, 400). */
export class ExpiredTokenException extends BerthError {
  override name = "ExpiredTokenException";
  readonly ecsType = "ExpiredTokenException";
}

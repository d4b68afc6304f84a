import { status as GrpcStatus, type ServiceError, Metadata } from "@grpc/grpc-js";
import {
  BerthError,
  ClusterNotFoundException,
  ConflictError,
  InvalidParameterException,
  ResourceNotFoundException,
} from "@berth/shared";

// Error class -> gRPC status; anything not listed is INTERNAL with a generic message.
const table: [new (...args: never[]) => BerthError, GrpcStatus][] = [
  [ClusterNotFoundException, GrpcStatus.NOT_FOUND],
  [ResourceNotFoundException, GrpcStatus.NOT_FOUND],
  [InvalidParameterException, GrpcStatus.INVALID_ARGUMENT],
  [ConflictError, GrpcStatus.ABORTED],
];

/** The gRPC error an agent receives for `err`, keeping the ECS type name in metadata. */
export function toGrpcError(err: unknown): Partial<ServiceError> {
  const metadata = new Metadata();
  if (err instanceof BerthError) {
    metadata.set("ecs-type", err.ecsType);
    const code = table.find(([cls]) => err instanceof cls)?.[1] ?? (err.httpStatus < 500 ? GrpcStatus.FAILED_PRECONDITION : GrpcStatus.INTERNAL);
    return { code, details: err.message, metadata };
  }
  return { code: GrpcStatus.INTERNAL, details: "internal error", metadata };
}

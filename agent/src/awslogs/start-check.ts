import type { ContainerRuntime } from "../runtime/index.js";
import { CannotStartContainerError } from "../runtime/index.js";
import { awslogsLabel, decodeAwslogsLabel, type AwslogsTarget } from "./target.js";

/** Initialises a container's log stream; the refusal's text when its group is missing. */
export type StreamInit = (container: { runtimeId: string; taskArn: string; name: string }, target: AwslogsTarget) => Promise<string | undefined>;

/**
 * The runtime the engine drives, with the awslogs driver's start-time step: before an awslogs
 * container starts, its stream is created through the control plane, and a missing group (not
 * to be created) fails the start as Docker's awslogs driver fails it on ECS, so the container
 * stops with ECS's reason. Every other call goes to `runtime` unchanged.
 */
export function withAwslogsStart<R extends ContainerRuntime>(runtime: R, init: StreamInit): R {
  const wrapped = Object.create(runtime) as R;
  wrapped.startContainer = async (id: string) => {
    const inspect = await runtime.inspectContainer(id);
    const target = decodeAwslogsLabel(inspect?.labels[awslogsLabel]);
    if (target && inspect) {
      const refused = await init({ runtimeId: id, taskArn: inspect.labels["com.amazonaws.ecs.task-arn"] ?? "", name: inspect.labels["com.amazonaws.ecs.container-name"] ?? inspect.name }, target);
      if (refused) {
        throw new CannotStartContainerError(`Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ${refused}`, { retryable: false });
      }
    }
    return runtime.startContainer(id);
  };
  return wrapped;
}

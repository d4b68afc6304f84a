import { clusterNameOf, InvalidParameterException, resourceIdOf } from "@berth/shared";
import { activeCluster, interruptSpotNode, interruptSpotTask, type CoreContext } from "../../core/index.js";
import { taskShape } from "../ecs/shapes.js";

/**
 * `POST /berth/v1/spot/interrupt` with `{"cluster": "...", "task": "ID or ARN"}`: interrupts a
 * FARGATE_SPOT task as Fargate reclaiming its capacity would (see core/spot.ts); answers
 * `{"task": ...}` in DescribeTasks' shape, stopping.
 */
export function spotInterruptRoute(ctx: CoreContext): (input: Record<string, unknown>) => Promise<object> {
  return async (input) => {
    if (input.cluster !== undefined && typeof input.cluster !== "string") throw new InvalidParameterException("cluster: must be a string");
    if (typeof input.task !== "string" || input.task === "") throw new InvalidParameterException("task: the task to interrupt (id or ARN) is required");
    const cluster = clusterNameOf(input.cluster as string | undefined);
    await activeCluster(ctx, cluster);
    const rec = await interruptSpotTask(ctx, cluster, resourceIdOf(input.task, "task", cluster, "task"));
    return { task: taskShape(rec) };
  };
}

/**
 * `POST /berth/v1/spot/interrupt-node` with `{"cluster": "...", "node": "hostname, node name,
 * instance id or ARN"}`: Fargate reclaiming a node's Spot capacity (core/spot.ts): every running
 * FARGATE_SPOT task there is interrupted; answers `{"tasks": [...]}` in DescribeTasks' shape.
 */
export function spotInterruptNodeRoute(ctx: CoreContext): (input: Record<string, unknown>) => Promise<object> {
  return async (input) => {
    if (input.cluster !== undefined && typeof input.cluster !== "string") throw new InvalidParameterException("cluster: must be a string");
    if (typeof input.node !== "string" || input.node === "") throw new InvalidParameterException("node: the node to interrupt (hostname, node name, instance id or ARN) is required");
    const cluster = clusterNameOf(input.cluster as string | undefined);
    await activeCluster(ctx, cluster);
    const tasks = await interruptSpotNode(ctx, cluster, input.node);
    return { tasks: tasks.map((t) => taskShape(t)) };
  };
}

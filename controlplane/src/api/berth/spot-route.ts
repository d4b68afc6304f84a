import { clusterNameOf, InvalidParameterException, resourceIdOf } from "@berth/shared";
import { activeCluster, interruptSpotTask, type CoreContext } from "../../core/index.js";
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

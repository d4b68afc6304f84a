import { InvalidParameterException, type TaskRecord } from "@berth/shared";
import type { CoreContext } from "./context.js";
import { stopTask } from "./task-state.js";

/**
 * Fargate Spot interruptions: berth's capacity is the user's own, so nothing reclaims it; an
 * interruption is injected (`berth spot interrupt TASK`, POST /berth/v1/spot/interrupt) to
 * test how an application takes one. The task is stopped as ECS stops it: its containers get
 * SIGTERM, then SIGKILL after their stop timeout, and the task records ECS's reason and
 * SpotInterruption stop code; a service replaces it like any stopped task.
 */

/** ECS's stoppedReason for an interrupted FARGATE_SPOT task. */
export const spotInterruptionReason = "Your Spot Task was interrupted.";

/** Refuses a task that is not a running FARGATE_SPOT task, naming what it is. Pure. */
export function checkSpotInterruptible(t: Pick<TaskRecord, "arn" | "capacityProviderName" | "desiredStatus">): void {
  if (t.capacityProviderName !== "FARGATE_SPOT") {
    throw new InvalidParameterException(
      `task: ${t.arn} was not placed through the FARGATE_SPOT capacity provider (${t.capacityProviderName ? `its provider is ${t.capacityProviderName}` : "it has none"}); only Spot tasks are interrupted`,
    );
  }
  if (t.desiredStatus !== "RUNNING") throw new InvalidParameterException(`task: ${t.arn} is already stopping`);
}

/** Interrupts a FARGATE_SPOT task (see the module comment). */
export async function interruptSpotTask(ctx: CoreContext, cluster: string, id: string): Promise<TaskRecord> {
  const cur = await ctx.store.tasks.get(cluster, id);
  if (!cur) throw new InvalidParameterException("The referenced task was not found.");
  checkSpotInterruptible(cur.value);
  const rec = await stopTask(ctx, cluster, id, spotInterruptionReason, "SpotInterruption");
  ctx.log.info("spot task interrupted", { cluster, taskArn: rec.arn });
  return rec;
}

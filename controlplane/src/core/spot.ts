import { InvalidParameterException, type ContainerInstanceRecord, type TaskRecord } from "@berth/shared";
import { keys } from "../store/index.js";
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

/**
 * The instances an operator's node name stands for: an instance id or ARN names one; a hostname
 * or a `berth cluster` node name (attribute `berth.node`) names every live instance of that host,
 * so a host's EC2 agent and its Fargate agent (which ListContainerInstances hides) are one node.
 * Empty when nothing matches. Pure.
 */
export function nodeInstances<T extends Pick<ContainerInstanceRecord, "id" | "arn" | "hostname" | "attributes" | "status">>(instances: readonly T[], ref: string): T[] {
  const live = instances.filter((i) => i.status !== "INACTIVE");
  const byId = live.filter((i) => i.id === ref || i.arn === ref);
  if (byId.length > 0) return byId;
  return live.filter((i) => i.hostname === ref || i.attributes.some((a) => a.name === "berth.node" && a.value === ref));
}

/** The names an operator may use for the live instances, for an error naming what exists. Pure. */
export function knownNodeNames(instances: readonly Pick<ContainerInstanceRecord, "hostname" | "attributes" | "status">[]): string[] {
  const names = instances
    .filter((i) => i.status !== "INACTIVE")
    .map((i) => i.attributes.find((a) => a.name === "berth.node")?.value || i.hostname);
  return [...new Set(names)].sort();
}

/** The running FARGATE_SPOT tasks held by the instances `ids`, in id order. Pure. */
export function spotTasksOn<T extends Pick<TaskRecord, "id" | "containerInstanceId" | "capacityProviderName" | "desiredStatus" | "lastStatus">>(tasks: readonly T[], ids: ReadonlySet<string>): T[] {
  return tasks
    .filter((t) => ids.has(t.containerInstanceId) && t.capacityProviderName === "FARGATE_SPOT" && t.desiredStatus === "RUNNING" && t.lastStatus !== "STOPPED")
    .sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * A node's Spot capacity reclaimed (`berth node interrupt NODE`): every running FARGATE_SPOT
 * task on the node's instances is interrupted as {@link interruptSpotTask} does one (SIGTERM, the
 * stop timeout, ECS's reason and stop code; services replace them). Other tasks keep running.
 * Returns the interrupted tasks (none is not an error: the node may hold no Spot task).
 */
export async function interruptSpotNode(ctx: CoreContext, cluster: string, ref: string): Promise<TaskRecord[]> {
  const instances = (await ctx.store.instances.list(keys.instances(cluster))).items.map((i) => i.value);
  const on = nodeInstances(instances, ref);
  if (on.length === 0) {
    const known = knownNodeNames(instances);
    throw new InvalidParameterException(`node: unknown node '${ref}' in cluster ${cluster}; known nodes: ${known.length ? known.join(", ") : "(none)"}`);
  }
  const tasks = (await ctx.store.tasks.list(keys.tasks(cluster))).items.map((t) => t.value);
  const interrupted: TaskRecord[] = [];
  for (const t of spotTasksOn(tasks, new Set(on.map((i) => i.id)))) {
    try {
      const rec = await stopTask(ctx, cluster, t.id, spotInterruptionReason, "SpotInterruption");
      if (rec.stopCode === "SpotInterruption") interrupted.push(rec);
    } catch (err) {
      // Stopped meanwhile by someone else: it needs no interruption.
      if (!(err instanceof InvalidParameterException)) throw err;
    }
  }
  ctx.log.info("spot capacity of a node interrupted", { cluster, node: ref, instances: on.length, tasks: interrupted.length });
  return interrupted;
}

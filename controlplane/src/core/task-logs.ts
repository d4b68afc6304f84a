import { InvalidParameterException, lastIdOf, type TaskRecord } from "@berth/shared";
import type { CoreContext } from "./context.js";
import { activeCluster } from "./clusters.js";

/** The container whose log is asked for, where it runs, and whether that agent is connected. */
export interface LogTarget {
  task: TaskRecord;
  container: string;
  instanceId: string;
  agentConnected: boolean;
}

/**
 * The container of a task a log request names (by task id or ARN; the container may be left
 * out when the task has one). Errors name the field and list what exists.
 */
export async function logTarget(ctx: CoreContext, cluster: string, taskRef: string, container: string | undefined): Promise<LogTarget> {
  await activeCluster(ctx, cluster);
  const task = (await ctx.store.tasks.get(cluster, lastIdOf(taskRef)))?.value;
  if (!task) throw new InvalidParameterException(`task: no task '${taskRef}' in cluster ${cluster}`);
  const names = task.containers.map((c) => c.name);
  const name = container ?? (names.length === 1 ? names[0] : undefined);
  if (!name) throw new InvalidParameterException(`container: task ${task.id} has ${names.length} containers; name one of ${names.join(", ")}`);
  if (!names.includes(name)) throw new InvalidParameterException(`container: task ${task.id} has no container '${name}'; its containers: ${names.join(", ")}`);
  if (!task.containerInstanceId) throw new InvalidParameterException(`task: task ${task.id} is not placed on an instance yet`);
  const instance = (await ctx.store.instances.get(cluster, task.containerInstanceId))?.value;
  return { task, container: name, instanceId: task.containerInstanceId, agentConnected: instance?.agentConnected ?? false };
}

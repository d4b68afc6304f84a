import { InvalidParameterException, lastIdOf, TargetNotConnectedException, type TaskRecord } from "@berth/shared";
import type { CoreContext } from "./context.js";
import { activeCluster } from "./clusters.js";
import { keys } from "../store/index.js";

/** The container a command is to run in, where it runs, and whether that agent is connected. */
export interface ExecTarget {
  task: TaskRecord;
  container: string;
  instanceId: string;
}

/**
 * The container of `task` an exec runs in: the one named, else the task's only container, else
 * its first essential one (ECS's default is essential). It must be running: a stopped task, a
 * task stopping, or a container not (yet or any more) running is refused, naming what is.
 */
export function pickExecContainer(task: TaskRecord, name: string | undefined): string {
  const names = task.containers.map((c) => c.name);
  if (task.lastStatus === "STOPPED" || task.desiredStatus === "STOPPED") {
    throw new InvalidParameterException(`task: task ${task.id} is ${task.lastStatus === "STOPPED" ? "stopped" : "stopping"}; a command runs only in a running task`);
  }
  const chosen = name ?? (names.length === 1 ? names[0] : task.containers.find((c) => c.essential !== false)?.name);
  if (!chosen) throw new InvalidParameterException(`container: task ${task.id} has no essential container; name one of ${names.join(", ")}`);
  const container = task.containers.find((c) => c.name === chosen);
  if (!container) throw new InvalidParameterException(`container: task ${task.id} has no container '${chosen}'; its containers: ${names.join(", ")}`);
  if (container.lastStatus !== "RUNNING") throw new InvalidParameterException(`container: container ${chosen} of task ${task.id} is ${container.lastStatus}, not RUNNING`);
  return chosen;
}

/**
 * The container an exec request names (task by id or ARN). Errors name the field and list what
 * exists; a task whose agent is not connected is TargetNotConnectedException, as in ECS.
 */
export async function execTarget(ctx: CoreContext, cluster: string, taskRef: string, container: string | undefined): Promise<ExecTarget> {
  await activeCluster(ctx, cluster);
  const task = (await ctx.store.tasks.get(cluster, lastIdOf(taskRef)))?.value;
  if (!task) throw new InvalidParameterException(`task: no task '${taskRef}' in cluster ${cluster}; running tasks: ${await runningTaskIds(ctx, cluster)}`);
  const name = pickExecContainer(task, container);
  if (!task.containerInstanceId) throw new InvalidParameterException(`task: task ${task.id} is not placed on an instance yet`);
  const instance = (await ctx.store.instances.get(cluster, task.containerInstanceId))?.value;
  if (!instance?.agentConnected) {
    throw new TargetNotConnectedException(`the agent of task ${task.id} (instance ${task.containerInstanceId}) is not connected; the command cannot run until it reconnects`);
  }
  return { task, container: name, instanceId: task.containerInstanceId };
}

/** How many task ids an unknown-task error lists. */
const listedTasks = 20;

/** The cluster's running task ids, for an error message: the first few, or "(none)". */
async function runningTaskIds(ctx: CoreContext, cluster: string): Promise<string> {
  const ids = (await ctx.store.tasks.list(keys.tasks(cluster))).items.map((i) => i.value).filter((t) => t.lastStatus === "RUNNING").map((t) => t.id).sort();
  if (ids.length === 0) return "(none)";
  return ids.length > listedTasks ? `${ids.slice(0, listedTasks).join(", ")} and ${ids.length - listedTasks} more` : ids.join(", ");
}

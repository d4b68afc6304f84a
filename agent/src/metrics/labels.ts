import { parseArn } from "@berth/shared";
import type { AgentContainerView, AgentTaskView } from "../engine/types.js";

/**
 * Labels on every per-container series. One list, one builder: a `service` label (from the
 * task's group) slots in here and nowhere else.
 */
export const containerLabelNames = ["cluster", "task_id", "family", "container"] as const;

/** One container's label values. */
export type ContainerLabels = Record<(typeof containerLabelNames)[number], string>;

/** A task ARN's id (`.../task/{cluster}/{id}`); the ARN itself when it is not one. */
export function taskIdOf(taskArn: string): string {
  const arn = parseArn(taskArn);
  return arn && arn.kind === "task" ? arn.path[arn.path.length - 1] : taskArn;
}

/** A cluster name from a name or a cluster ARN, as dashboards group by name. */
export function clusterLabelOf(cluster: string): string {
  const arn = parseArn(cluster);
  return arn && arn.kind === "cluster" ? arn.path[arn.path.length - 1] : cluster;
}

/** The labels of one container of one task. */
export function containerLabels(task: AgentTaskView, container: AgentContainerView): ContainerLabels {
  return {
    cluster: clusterLabelOf(task.cluster),
    task_id: taskIdOf(task.arn),
    family: task.family,
    container: container.name,
  };
}

/** A container whose stats are worth reading: running, with a runtime id. */
export interface StatsTarget {
  runtimeId: string;
  labels: ContainerLabels;
}

/** The RUNNING containers of `tasks`, each with its labels. */
export function statsTargets(tasks: AgentTaskView[]): StatsTarget[] {
  const out: StatsTarget[] = [];
  for (const task of tasks) {
    for (const c of task.containers) {
      if (c.knownStatus === "RUNNING" && c.runtimeId) out.push({ runtimeId: c.runtimeId, labels: containerLabels(task, c) });
    }
  }
  return out;
}

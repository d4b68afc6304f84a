import type { DeploymentRecord, ServiceRecord, TaskRecord } from "@berth/shared";

/** Running and pending tasks, as DescribeServices shows them per service and per deployment. */
export interface TaskCounts {
  running: number;
  pending: number;
}

const live = (t: TaskRecord) => t.desiredStatus === "RUNNING" && t.lastStatus !== "STOPPED";

/**
 * Counts of a set of tasks: RUNNING ones are running; anything not yet running that is still
 * wanted is pending (ECS's PROVISIONING/PENDING/ACTIVATING).
 */
export function countTasks(tasks: TaskRecord[]): TaskCounts {
  let running = 0;
  let pending = 0;
  for (const t of tasks) {
    if (!live(t)) continue;
    if (t.lastStatus === "RUNNING") running++;
    else pending++;
  }
  return { running, pending };
}

/** The tasks of one deployment: ECS marks them with the deployment id in `startedBy`. */
export function deploymentTasks(deployment: DeploymentRecord, tasks: TaskRecord[]): TaskRecord[] {
  return tasks.filter((t) => t.startedBy === deployment.id);
}

/** Counts for the service and each of its deployments, by deployment id. */
export function serviceCounts(service: ServiceRecord, tasks: TaskRecord[]): { service: TaskCounts; deployments: Map<string, TaskCounts> } {
  const deployments = new Map<string, TaskCounts>();
  for (const d of service.deployments) deployments.set(d.id, countTasks(deploymentTasks(d, tasks)));
  return { service: countTasks(tasks), deployments };
}

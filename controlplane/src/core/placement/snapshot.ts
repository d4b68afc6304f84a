import { groupBy, type ContainerInstanceRecord, type TaskRecord } from "@berth/shared";
import type { InstanceSnapshot } from "../../scheduler/index.js";
import { holdsResources } from "../task-records.js";

/**
 * The scheduler's view of instances: status, remaining resources and the tasks they hold, from
 * each record's `heldTasks`, or from `tasks` (the cluster's task records) when given.
 */
export function snapshotInstances(instances: ContainerInstanceRecord[], tasks?: TaskRecord[]): InstanceSnapshot[] {
  const fromTasks = tasks && groupBy(tasks.filter(holdsResources), (t) => t.containerInstanceId);
  return instances.map((i) => ({
    id: i.id,
    arn: i.arn,
    status: i.status,
    agentConnected: i.agentConnected,
    runtimeHealthy: i.runtimeUnhealthySinceMs === undefined,
    agentVersion: i.agentVersion,
    ec2InstanceId: i.hostname,
    registeredAtMs: i.registeredAtMs,
    registered: i.registered,
    remaining: i.remaining,
    attributes: i.attributes,
    tasks: ((fromTasks ? fromTasks.get(i.id) : i.heldTasks) ?? []).map((t) => ({ family: t.family, group: t.group, taskDefinitionArn: t.taskDefinitionArn })),
  }));
}


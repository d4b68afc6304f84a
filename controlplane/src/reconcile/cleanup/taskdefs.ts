import type { ServiceRecord, TaskRecord } from "@berth/shared";

/** A DELETE_IN_PROGRESS revision, as its deletion marker names it. */
export interface PendingDeletion {
  family: string;
  revision: number;
  /** The revision's ARN, which tasks and deployments name. */
  arn: string;
}

/**
 * The DELETE_IN_PROGRESS revisions nothing uses any more, which can now be deleted: ECS keeps
 * one "until all the associated tasks and services have been terminated", so a revision waits
 * while a task of it is not STOPPED or a service that is not INACTIVE has a deployment of it.
 */
export function planDefinitionDeletions(pending: PendingDeletion[], tasks: TaskRecord[], services: ServiceRecord[]): PendingDeletion[] {
  const used = new Set<string>();
  for (const t of tasks) if (t.lastStatus !== "STOPPED") used.add(t.taskDefinitionArn);
  for (const s of services) {
    if (s.status === "INACTIVE") continue;
    used.add(s.taskDefinition);
    for (const d of s.deployments) used.add(d.taskDefinition);
  }
  return pending.filter((p) => !used.has(p.arn));
}

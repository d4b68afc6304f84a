import { describe, expect, it } from "vitest";
import type { ServiceRecord, TaskRecord } from "@berth/shared";
import { planDefinitionDeletions, type PendingDeletion } from "./taskdefs.js";

const arn = (rev: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/web:${rev}`;
const pending: PendingDeletion[] = [1, 2, 3].map((revision) => ({ family: "web", revision, arn: arn(revision) }));
const task = (rev: number, lastStatus: TaskRecord["lastStatus"]) => ({ taskDefinitionArn: arn(rev), lastStatus }) as TaskRecord;
const service = (status: ServiceRecord["status"], current: number, older: number[] = []) =>
  ({ status, taskDefinition: arn(current), deployments: [current, ...older].map((r) => ({ taskDefinition: arn(r) })) }) as ServiceRecord;

describe("planDefinitionDeletions", () => {
  it.each([
    // nothing uses any of them: all three go
    { tasks: [], services: [], deletable: [1, 2, 3] },
    // a RUNNING task keeps its revision; a STOPPED one does not
    { tasks: [task(1, "RUNNING"), task(2, "STOPPED")], services: [], deletable: [2, 3] },
    // a task still stopping (not yet STOPPED) keeps it too
    { tasks: [task(3, "DEACTIVATING")], services: [], deletable: [1, 2] },
    // an ACTIVE service's primary and an older deployment still draining keep theirs
    { tasks: [], services: [service("ACTIVE", 2, [1])], deletable: [3] },
    // a DRAINING service (being deleted) still holds; an INACTIVE one does not
    { tasks: [], services: [service("DRAINING", 1), service("INACTIVE", 2)], deletable: [2, 3] },
  ])("deletes $deletable", ({ tasks, services, deletable }) => {
    expect(planDefinitionDeletions(pending, tasks, services).map((p) => p.revision)).toEqual(deletable);
  });
});

import { describe, expect, it } from "vitest";
import type { ContainerInstanceRecord, ServiceRecord, TaskRecord } from "@berth/shared";
import { planCleanup, type CleanupSnapshot } from "./plan.js";

const hour = 3600_000;
const now = 10 * hour;

const task = (id: string, lastStatus: TaskRecord["lastStatus"], stoppedAgoMs?: number, on = "i1") => ({
  modRevision: `${id}-rev`,
  value: { id, cluster: "c", lastStatus, containerInstanceId: on, createdAtMs: now - 2 * hour, stoppedAtMs: stoppedAgoMs === undefined ? undefined : now - stoppedAgoMs } as TaskRecord,
});
const instance = (id: string, status: ContainerInstanceRecord["status"], deregisteredAgoMs?: number) => ({
  modRevision: `${id}-rev`,
  value: { id, cluster: "c", status, registeredAtMs: now - 5 * hour, deregisteredAtMs: deregisteredAgoMs === undefined ? undefined : now - deregisteredAgoMs } as ContainerInstanceRecord,
});
const service = (name: string, status: ServiceRecord["status"], deletedAgoMs?: number) => ({
  modRevision: `${name}-rev`,
  value: { name, cluster: "c", status, createdAtMs: now - 5 * hour, deletedAtMs: deletedAgoMs === undefined ? undefined : now - deletedAgoMs } as ServiceRecord,
});
const snap = (over: Partial<CleanupSnapshot>): CleanupSnapshot => ({ tasks: [], instances: [], services: [], now, retentionMs: hour, maxPerRound: 3, ...over });
const ids = (s: CleanupSnapshot) => planCleanup(s).delete.map((d) => `${d.kind}:${d.id}`);

describe("planCleanup", () => {
  it.each<[string, Partial<CleanupSnapshot>, string[]]>([
    // a task stopped two hours ago is forgotten
    ["old stopped task", { tasks: [task("a", "STOPPED", 2 * hour)] }, ["task:a"]],
    // one stopped a minute ago is still shown
    ["recent stopped task", { tasks: [task("a", "STOPPED", 60_000)] }, []],
    // running tasks are never touched, however old
    ["running task", { tasks: [task("a", "RUNNING")] }, []],
    // a STOPPED record without a stop time falls back to its creation time
    ["stopped without time", { tasks: [task("a", "STOPPED")] }, ["task:a"]],
    // oldest first, and no more than the round's cap
    [
      "oldest first, capped",
      { tasks: [task("new", "STOPPED", 2 * hour), task("old", "STOPPED", 5 * hour), task("mid", "STOPPED", 3 * hour), task("x", "STOPPED", 4 * hour)] },
      ["task:old", "task:x", "task:mid"],
    ],
    // an instance deregistered long ago goes; an ACTIVE one never does
    ["inactive instance", { instances: [instance("i1", "INACTIVE", 2 * hour), instance("i2", "ACTIVE")] }, ["instance:i1"]],
    // an INACTIVE instance some unstopped task still names is kept until that task is
    ["inactive instance still named", { instances: [instance("i1", "INACTIVE", 2 * hour)], tasks: [task("t", "RUNNING", undefined, "i1")] }, []],
    // a recently deregistered instance stays describable
    ["recent inactive instance", { instances: [instance("i1", "INACTIVE", 60_000)] }, []],
    // a service deleted long ago goes once INACTIVE; a DRAINING one is still being emptied
    ["inactive service", { services: [service("web", "INACTIVE", 2 * hour), service("api", "DRAINING", 2 * hour)] }, ["service:web"]],
  ])("%s", (_name, over, want) => {
    expect(ids(snap(over))).toEqual(want);
  });

  it("keeps the revision each record was read at, so one changed since is not deleted", () => {
    expect(planCleanup(snap({ tasks: [task("a", "STOPPED", 2 * hour)] })).delete).toEqual([{ kind: "task", cluster: "c", id: "a", modRevision: "a-rev" }]);
  });
});

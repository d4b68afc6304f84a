import { describe, expect, it } from "vitest";
import type { ContainerInstanceRecord, HeldTask, TaskRecord } from "@berth/shared";
import { planHeldRepairs } from "./held.js";

const held = (id: string): HeldTask => ({ id, family: "web", group: "service:web", taskDefinitionArn: "td/web:1" });
const instance = (id: string, heldTasks?: HeldTask[]) => ({ modRevision: `${id}-rev`, value: { id, cluster: "c", version: 3, heldTasks } as ContainerInstanceRecord });
const task = (id: string, on: string, released = false) =>
  ({ id, containerInstanceId: on, family: "web", group: "service:web", taskDefinitionArn: "td/web:1", released }) as TaskRecord;
const summary = (instances: ReturnType<typeof instance>[], tasks: TaskRecord[], max = 10) =>
  planHeldRepairs(instances, tasks, max).map((r) => ({ id: r.next.id, kind: r.kind, held: r.next.heldTasks?.map((h) => h.id), extra: r.extra, missing: r.missing }));

describe("planHeldRepairs", () => {
  it.each<[string, ReturnType<typeof instance>[], TaskRecord[], ReturnType<typeof summary>]>([
    // in agreement: nothing to write
    ["agrees", [instance("a", [held("t1")]), instance("b", [])], [task("t1", "a"), task("t2", "b", true)], []],
    // a record from before the field gets its list, even an empty one
    ["backfill", [instance("a"), instance("b")], [task("t1", "a")], [
      { id: "a", kind: "backfill", held: ["t1"], extra: [], missing: ["t1"] },
      { id: "b", kind: "backfill", held: [], extra: [], missing: [] },
    ]],
    // a released task still named, and a holding task not named
    ["drift both ways", [instance("a", [held("gone"), held("t1")])], [task("t1", "a"), task("t2", "a"), task("gone", "a", true)], [
      { id: "a", kind: "drift", held: ["t1", "t2"], extra: ["gone"], missing: ["t2"] },
    ]],
    // a task on an instance the listing does not have changes nothing
    ["unknown instance", [instance("a", [])], [task("t1", "zz")], []],
  ])("%s", (_name, instances, tasks, want) => {
    expect(summary(instances, tasks)).toEqual(want);
  });

  it("bumps the version, keeps the revision read, and stops at the cap", () => {
    const plan = planHeldRepairs([instance("a"), instance("b"), instance("c")], [], 2);
    expect(plan.map((r) => [r.next.id, r.next.version, r.modRevision])).toEqual([
      ["a", 4, "a-rev"],
      ["b", 4, "b-rev"],
    ]);
  });
});

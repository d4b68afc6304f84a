import { describe, expect, it } from "vitest";
import type { TaskRecord } from "@berth/shared";
import type { ClassifiedTask, TaskBucket } from "./classify.js";
import { balancedStopOrder, planRebalance, spreadsAcrossZones, type ZoneInstance } from "./zones.js";

/** A classified task `id` in `zone`, started at `start` (newer = larger). */
const t = (id: string, zone: string | undefined, start: number, bucket: TaskBucket = "healthy"): ClassifiedTask => ({
  task: { id, availabilityZone: zone, startedAtMs: start, createdAtMs: start } as TaskRecord,
  bucket,
  healthy: bucket === "healthy",
});
const ids = (xs: ClassifiedTask[]) => xs.map((c) => c.task.id);
const inst = (id: string, zone: string, over: Partial<ZoneInstance> = {}): ZoneInstance => ({ id, status: "ACTIVE", agentConnected: true, zone, ...over });
const bounds = (desired: number, min = 100, max = 200) => ({ desired, minHealthy: Math.ceil((desired * min) / 100), maxTotal: Math.floor((desired * max) / 100) });

describe("balancedStopOrder", () => {
  it.each<[string, ClassifiedTask[], string[]]>([
    // one zone: pending first, then newest-started, as before zones were considered
    ["one zone", [t("a", "z1", 1), t("b", "z1", 3), t("c", "z1", 2, "pending")], ["c", "b", "a"]],
    // the fullest zone gives first until the zones are even, then ties go by zone name
    ["fullest zone first", [t("a1", "z1", 1), t("a2", "z1", 2), t("a3", "z1", 3), t("b1", "z2", 9)], ["a3", "a2", "a1", "b1"]],
    // ties go by zone name, so the order is the same every round
    ["tie by zone name", [t("b1", "z2", 5), t("a1", "z1", 1)], ["a1", "b1"]],
    // a pending task in a thin zone is not stopped before the fuller zone's healthy ones
    ["a pending rebalancing task is kept", [t("a1", "z1", 1), t("a2", "z1", 2), t("b1", "z2", 9, "pending")], ["a2", "a1", "b1"]],
    // unknown zones count as one zone of their own
    ["unknown zones", [t("x", undefined, 1), t("y", undefined, 2), t("a", "z1", 3)], ["y", "x", "a"]],
  ])("%s", (_, tasks, want) => {
    expect(ids(balancedStopOrder(tasks, tasks))).toEqual(want);
  });

  it("counts tasks that are not candidates (protected ones) in their zone", () => {
    const all = [t("a1", "z1", 1), t("p", "z1", 2), t("b1", "z2", 3)];
    expect(ids(balancedStopOrder([all[0], all[2]], all))).toEqual(["a1", "b1"]);
  });
});

describe("planRebalance", () => {
  const two = [inst("i1", "z1"), inst("i2", "z2"), inst("i3", "z2")];
  it.each<[string, ClassifiedTask[], ZoneInstance[], ReturnType<typeof bounds>, unknown]>([
    // balanced: nothing to do
    ["even", [t("a", "z1", 1), t("b", "z2", 2)], two, bounds(2), undefined],
    // off by one is as even as 3 tasks in 2 zones can be
    ["off by one", [t("a", "z1", 1), t("a2", "z1", 2), t("b", "z2", 3)], two, bounds(3), undefined],
    // all in z1 with room above: start one in z2, on z2's instances
    ["surge into the empty zone", [t("a", "z1", 1), t("a2", "z1", 2)], two, bounds(2), { kind: "start", zone: "z2", instanceIds: ["i2", "i3"] }],
    // no room above (max 100%) but slack below (min 50%): stop the newest in the fullest zone
    ["stop first without room", [t("a", "z1", 1), t("a2", "z1", 2)], two, bounds(2, 50, 100), { kind: "stop", zone: "z1" }],
    // neither room nor slack: ECS cannot rebalance within the limits
    ["no room, no slack", [t("a", "z1", 1), t("a2", "z1", 2)], two, bounds(2, 100, 100), undefined],
    // only zones with usable instances count: a disconnected zone is not a target
    ["disconnected zone ignored", [t("a", "z1", 1), t("a2", "z1", 2)], [inst("i1", "z1"), inst("i2", "z2", { agentConnected: false })], bounds(2), undefined],
    // a DRAINING zone's tasks are stranded: they move even when counts look even
    ["stranded in a draining zone", [t("a", "z1", 1), t("c", "z3", 2)], [inst("i1", "z1"), inst("i2", "z2"), inst("i9", "z3", { status: "DRAINING" })], bounds(2), { kind: "start", zone: "z2", instanceIds: ["i2"] }],
    // not steady (a task pending): wait
    ["not steady", [t("a", "z1", 1), t("a2", "z1", 2, "pending")], two, bounds(2), undefined],
    // more tasks than desired (a surge in flight): wait for the scale-in
    ["surge in flight", [t("a", "z1", 1), t("a2", "z1", 2), t("b", "z2", 3)], two, bounds(2), undefined],
    // a task placed before tasks recorded their zone: undecided
    ["zone unknown", [t("a", "z1", 1), t("x", undefined, 2)], two, bounds(2), undefined],
    // the constraints admit only z1's instances: z2 is no target
    ["constraints exclude the other zone", [t("a", "z1", 1), t("a2", "z1", 2)], [inst("i1", "z1"), inst("i2", "z2", { eligible: false })], bounds(2), undefined],
    // one zone only: nothing to balance
    ["single zone", [t("a", "z1", 1), t("a2", "z1", 2)], [inst("i1", "z1")], bounds(2), undefined],
  ])("%s", (_, tasks, instances, b, want) => {
    const got = planRebalance({ classified: tasks, instances, bounds: b });
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatchObject(want as object);
  });

  it("a stop picks the newest task of the fullest zone", () => {
    const got = planRebalance({ classified: [t("a", "z1", 1), t("a2", "z1", 5), t("a3", "z1", 3), t("b", "z2", 9)], instances: two, bounds: bounds(4, 50, 100) });
    expect(got?.kind === "stop" && got.task.task.id).toBe("a2");
  });
});

describe("spreadsAcrossZones", () => {
  it.each<[string, { type?: string; field?: string }[], boolean]>([
    ["ECS's default for services", [], true],
    ["spread on the zone first", [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "binpack", field: "memory" }], true],
    ["spread on instanceId only", [{ type: "spread", field: "instanceId" }], false],
    ["binpack", [{ type: "binpack", field: "memory" }], false],
    ["random", [{ type: "random" }], false],
  ])("%s", (_, strategy, want) => {
    expect(spreadsAcrossZones(strategy)).toBe(want);
  });
});

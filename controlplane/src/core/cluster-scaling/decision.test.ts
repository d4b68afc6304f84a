import { describe, expect, it } from "vitest";
import type { ProviderScalingRecord } from "@berth/shared";
import { decideScaling, nodesNeeded, removalStep, type RemovalInstance, type ScalingInstance, type ScalingInput } from "./decision.js";

const now = 1_000_000;
const settings = { targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10, instanceWarmupPeriod: 60 };
const size = { cpu: 1024, memory: 1000 };
/** An instance registered long ago with `tasks` non-daemon tasks. */
const inst = (id: string, tasks: number, over: Partial<ScalingInstance> = {}): ScalingInstance => ({ id, status: "ACTIVE", registeredAtMs: 0, registered: size, nonDaemonTasks: tasks, ...over });
const task = (memory: number, cpu = 0) => ({ cpu, memory });

const decide = (over: Partial<ScalingInput>) => decideScaling({ settings, instances: [], provisioning: [], marks: {}, now, scaleInAfterMs: 30_000, ...over });

describe("decideScaling", () => {
  it.each<[string, Partial<ScalingInput>, { reservation: number; desired: number; add: number; drain: string[]; marks?: ProviderScalingRecord }]>([
    // no instances, nothing waiting: nothing to do, the metric reads 100 %
    ["empty", {}, { reservation: 100, desired: 0, add: 0, drain: [] }],
    // every instance runs a task: at target
    ["all busy", { instances: [inst("a", 1), inst("b", 2)] }, { reservation: 100, desired: 2, add: 0, drain: [] }],
    // N = 0 and tasks wait: 200 %, the minimum step is added (nothing to measure a node by)
    ["from zero", { provisioning: [task(500), task(500)], settings: { ...settings, minimumScalingStepSize: 2 } }, { reservation: 200, desired: 2, add: 2, drain: [], marks: { lastScaleOutAtMs: now, lastScaleOutCount: 2 } }],
    // three 600 MiB tasks on 1000 MiB nodes: one each
    ["binpacked need", { instances: [inst("a", 1)], provisioning: [task(600), task(600), task(600)] }, { reservation: 400, desired: 4, add: 3, drain: [], marks: { lastScaleOutAtMs: now, lastScaleOutCount: 3 } }],
    // four 400 MiB tasks: two per node
    ["two per node", { instances: [inst("a", 1)], provisioning: [task(400), task(400), task(400), task(400)] }, { reservation: 300, desired: 3, add: 2, drain: [], marks: { lastScaleOutAtMs: now, lastScaleOutCount: 2 } }],
    // the maximum step bounds M: 12 nodes needed, 3 at a time
    ["max step", { instances: [inst("a", 1)], provisioning: Array.from({ length: 12 }, () => task(900)), settings: { ...settings, maximumScalingStepSize: 3 } }, { reservation: 400, desired: 4, add: 3, drain: [], marks: { lastScaleOutAtMs: now, lastScaleOutCount: 3 } }],
    // the minimum step raises a need of one to three
    ["min step", { instances: [inst("a", 1)], provisioning: [task(100)], settings: { ...settings, minimumScalingStepSize: 3 } }, { reservation: 400, desired: 4, add: 3, drain: [], marks: { lastScaleOutAtMs: now, lastScaleOutCount: 3 } }],
    // a task larger than any node: left out, nothing added (it times out in PROVISIONING)
    ["incompatible task", { instances: [inst("a", 1)], provisioning: [task(5000)] }, { reservation: 100, desired: 1, add: 0, drain: [] }],
    // targetCapacity 50: one busy instance wants a spare one
    ["spare capacity", { instances: [inst("a", 1)], settings: { ...settings, targetCapacity: 50 } }, { reservation: 100, desired: 2, add: 1, drain: [], marks: { lastScaleOutAtMs: now, lastScaleOutCount: 1 } }],
    // a node registered 10 s ago is within the 60 s warmup: the scale-out waits
    ["warmup: young instance", { instances: [inst("a", 1, { registeredAtMs: now - 10_000 })], provisioning: [task(900)] }, { reservation: 200, desired: 2, add: 0, drain: [] }],
    // nodes asked for 10 s ago and not joined yet count in N: nothing asked twice
    ["warmup: nodes joining", { instances: [inst("a", 1)], provisioning: [task(900)], marks: { lastScaleOutAtMs: now - 10_000, lastScaleOutCount: 1 } }, { reservation: 150, desired: 3, add: 0, drain: [], marks: { lastScaleOutAtMs: now - 10_000, lastScaleOutCount: 1 } }],
    // after the warmup, nodes that never joined are forgotten and asked for again
    ["warmup over", { instances: [inst("a", 1)], provisioning: [task(900)], marks: { lastScaleOutAtMs: now - 120_000, lastScaleOutCount: 1 } }, { reservation: 200, desired: 2, add: 1, drain: [], marks: { lastScaleOutAtMs: now, lastScaleOutCount: 1 } }],
    // idle instances: the surplus starts being timed, nothing drained yet
    ["surplus starts", { instances: [inst("a", 1), inst("b", 0)] }, { reservation: 50, desired: 1, add: 0, drain: [], marks: { surplusSinceMs: now } }],
    // the surplus has lasted scaleInAfterMs: the idle instance is drained
    ["scale-in", { instances: [inst("a", 1), inst("b", 0)], marks: { surplusSinceMs: now - 30_000 } }, { reservation: 50, desired: 1, add: 0, drain: ["b"], marks: { removing: [{ instanceId: "b", sinceMs: now }] } }],
    // all idle: every one goes, newest first
    ["scale to zero", { instances: [inst("a", 0, { registeredAtMs: 5 }), inst("b", 0, { registeredAtMs: 9 })], marks: { surplusSinceMs: 0 } }, { reservation: 0, desired: 0, add: 0, drain: ["b", "a"], marks: { removing: [{ instanceId: "b", sinceMs: now }, { instanceId: "a", sinceMs: now }] } }],
    // targetCapacity 50 keeps one idle spare beside a busy instance
    ["spare kept", { instances: [inst("a", 1), inst("b", 0), inst("c", 0)], settings: { ...settings, targetCapacity: 50 }, marks: { surplusSinceMs: 0 } }, { reservation: 33, desired: 2, add: 0, drain: ["b"], marks: { removing: [{ instanceId: "b", sinceMs: now }] } }],
    // an instance a user set DRAINING is not idle capacity to remove
    ["user drained", { instances: [inst("a", 1), inst("b", 0, { status: "DRAINING" })], marks: { surplusSinceMs: 0 } }, { reservation: 50, desired: 1, add: 0, drain: [], marks: {} }],
    // instances already being removed count neither in N nor as candidates
    ["removing left out", { instances: [inst("a", 1), inst("b", 0, { status: "DRAINING" })], marks: { removing: [{ instanceId: "b", sinceMs: 1 }] } }, { reservation: 100, desired: 1, add: 0, drain: [], marks: { removing: [{ instanceId: "b", sinceMs: 1 }] } }],
    // the surplus ended: its mark is dropped
    ["surplus over", { instances: [inst("a", 1)], marks: { surplusSinceMs: now - 5 } }, { reservation: 100, desired: 1, add: 0, drain: [], marks: {} }],
  ])("%s", (_name, input, want) => {
    const got = decide(input);
    expect({ reservation: got.reservation, desired: got.desired, add: got.add, drain: got.drain }).toEqual({ reservation: want.reservation, desired: want.desired, add: want.add, drain: want.drain });
    // The node size is the subject of its own rows below.
    const { nodeSize: _, ...marks } = got.marks;
    const { nodeSize: __, ...wanted } = want.marks ?? input.marks ?? {};
    expect(marks).toEqual(wanted);
  });

  it.each<[string, Partial<ScalingInput>, { add: number; nodeSize?: { cpu: number; memory: number } }]>([
    // the smallest instance is recorded as the node size
    ["recorded", { instances: [inst("a", 1, { registered: { cpu: 2048, memory: 4000 } }), inst("b", 1)] }, { add: 0, nodeSize: size }],
    // scaled to zero, the recorded size measures the need: two 600 MiB tasks need two nodes, the 5000 MiB one none
    ["measured from zero", { provisioning: [task(600), task(600), task(5000)], marks: { nodeSize: size } }, { add: 2, nodeSize: size }],
    // only tasks no node can hold: nothing is added
    ["incompatible from zero", { provisioning: [task(5000)], marks: { nodeSize: size } }, { add: 0, nodeSize: size }],
    // never measured: the minimum step
    ["unmeasured from zero", { provisioning: [task(5000)] }, { add: 1 }],
  ])("node size: %s", (_name, input, want) => {
    const got = decide(input);
    expect({ add: got.add, nodeSize: got.marks.nodeSize }).toEqual(want);
  });
});

describe("nodesNeeded", () => {
  it.each<[string, { cpu: number; memory: number }[], { cpu: number; memory: number } | undefined, number]>([
    // nothing waiting
    ["none", [], size, 0],
    // no size known: the minimum step (1)
    ["unmeasured", [task(10)], undefined, 1],
    // cpu binds before memory: 600 units each on 1024-unit nodes
    ["cpu bound", [task(10, 600), task(10, 600)], size, 2],
    // a task larger than a node is left out
    ["too large", [task(600), task(1001)], size, 1],
    // first-fit decreasing fills the gaps: 700+300, 600+400
    ["ffd", [task(300), task(400), task(600), task(700)], size, 2],
  ])("%s", (_name, tasks, nodeSize, want) => {
    expect(nodesNeeded(tasks, nodeSize, 1)).toBe(want);
  });
});

describe("removalStep", () => {
  const r = (over: Partial<RemovalInstance>): RemovalInstance => ({ status: "DRAINING", nonDaemonTasks: 0, serviceTasks: 0, ...over });
  it.each<[string, RemovalInstance | undefined, boolean, string]>([
    // record gone: only the node is left
    ["gone", undefined, true, "remove"],
    // deregistered by an earlier round
    ["inactive", r({ status: "INACTIVE" }), true, "remove"],
    // a user set it ACTIVE again
    ["reactivated by user", r({ status: "ACTIVE" }), false, "forget"],
    // idle: deregister and remove
    ["idle", r({}), true, "deregister"],
    // a task arrived, protection on: keep the instance
    ["protected", r({ nonDaemonTasks: 1 }), true, "reactivate"],
    // unprotected with service tasks: they move first
    ["service tasks moving", r({ nonDaemonTasks: 2, serviceTasks: 1 }), false, "wait"],
    // unprotected with standalone tasks only: they stop with it
    ["standalone left", r({ nonDaemonTasks: 1 }), false, "force"],
  ])("%s", (_name, i, protection, want) => {
    expect(removalStep(i, protection)).toBe(want);
  });
});

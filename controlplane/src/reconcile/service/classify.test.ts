import { describe, expect, it } from "vitest";
import type { TaskRecord } from "@berth/shared";
import { classifyTasks, type TaskBucket } from "./classify.js";
import { NEW, NOW, OLD, TD1, TD2, dep, tasks } from "./testing.js";

const ctx = (over: { graceMs?: number; checked?: string[] } = {}) => ({
  health: { healthChecked: new Set(over.checked ?? [TD1, TD2]), now: NOW, graceMs: over.graceMs ?? 0 },
  deployments: new Map([
    [NEW, dep(NEW)],
    [OLD, dep(OLD, { status: "ACTIVE", taskDefinition: TD1 })],
    ["ecs-svc/3", dep("ecs-svc/3", { status: "INACTIVE" })],
  ]),
  primaryId: NEW,
  drainingInstances: new Set(["i2"]),
});
const one = (startedBy: string, state: Parameters<typeof tasks>[2], over: Partial<TaskRecord> = {}) => tasks(1, startedBy, state, { id: "t", ...over })[0]!;

describe("classifyTasks", () => {
  it.each<[string, TaskRecord, ReturnType<typeof ctx>, TaskBucket, boolean]>([
    // STOPPED wins over everything, even an unhealthy report.
    ["stopped", one(NEW, "stopped", { containers: [] }), ctx(), "stopped", false],
    // Told to stop but still running: stopping, and no longer counted healthy.
    ["stopping", one(NEW, "stopping"), ctx(), "stopping", false],
    // UNHEALTHY beats old and draining: it goes now.
    ["unhealthy old task on a draining instance", one(OLD, "unhealthy", { containerInstanceId: "i2" }), ctx(), "unhealthy", false],
    // Within the grace period an UNHEALTHY report is not acted on: a primary task is pending.
    ["unhealthy within grace", one(NEW, "unhealthy", { startedAtMs: NOW - 1000 }), ctx({ graceMs: 60_000 }), "pending", false],
    // Past the grace period it is unhealthy again.
    ["unhealthy past grace", one(NEW, "unhealthy", { startedAtMs: NOW - 120_000 }), ctx({ graceMs: 60_000 }), "unhealthy", false],
    // A healthy primary task on a DRAINING instance: draining, still counted healthy.
    ["draining", one(NEW, "healthy", { containerInstanceId: "i2" }), ctx(), "draining", true],
    // A task of an INACTIVE deployment.
    ["inactive deployment", one("ecs-svc/3", "healthy"), ctx(), "orphaned", true],
    // A task no deployment knows (or started by hand into the group).
    ["unknown deployment", one("ecs-svc/4", "healthy"), ctx(), "orphaned", true],
    ["no startedBy", one(NEW, "healthy", { startedBy: undefined }), ctx(), "orphaned", true],
    // An ACTIVE deployment's pending task: old, not healthy.
    ["old pending", one(OLD, "pending"), ctx(), "old", false],
    ["old healthy", one(OLD, "healthy"), ctx(), "old", true],
    // The primary's RUNNING task with a HEALTHY check.
    ["healthy", one(NEW, "healthy"), ctx(), "healthy", true],
    // RUNNING with the check still UNKNOWN: pending until it reports.
    ["health unknown", one(NEW, "unknown"), ctx(), "pending", false],
    // RUNNING with nothing reported, on a checked definition: pending.
    ["checked, nothing reported", one(NEW, "running"), ctx(), "pending", false],
    // RUNNING on a definition without health checks: healthy.
    ["unchecked running", one(NEW, "running"), ctx({ checked: [] }), "healthy", true],
    // Not yet RUNNING.
    ["pending", one(NEW, "pending"), ctx(), "pending", false],
  ])("classifyTasks: %s", (_name, task, c, bucket, healthy) => {
    expect(classifyTasks([task], c)).toEqual([{ task, bucket, healthy }]);
  });
});

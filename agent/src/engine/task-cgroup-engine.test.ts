import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "@berth/shared";
import type { TaskSpec } from "@berth/proto";
import { SimulatedRuntime } from "../runtime/index.js";
import { AgentTaskEngine } from "./engine.js";

/*
 * Task-level limits through the engine on the simulated runtime: the task's cgroup is made
 * with the definition's cpu/memory before its containers, they are created under it, and it
 * is removed once the task stops. A task without task-level size gets none.
 */

let dir: string;
let e: AgentTaskEngine | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "berth-engine-cgroup-"));
});
afterEach(async () => {
  await e?.close();
  e = undefined;
  await rm(dir, { recursive: true, force: true });
});

const spec = (id: string, size: { cpu?: string; memory?: string }, desiredStatus = "RUNNING"): TaskSpec => ({
  taskArn: `arn:aws:ecs:us-east-1:000000000000:task/unit/${id}`,
  clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/unit",
  family: "fam",
  revision: 1,
  desiredStatus,
  taskDefinitionJson: JSON.stringify({ family: "fam", revision: 1, ...size, containerDefinitions: [{ name: "a", image: "img" }, { name: "b", image: "img" }] }),
  overridesJson: "",
  stoppedReason: desiredStatus === "STOPPED" ? "Task stopped by user" : "",
  startedBy: "",
  group: "",
  secrets: [],
});

async function until(what: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("task cgroups", () => {
  it("made with the task's cpu and memory, holding both containers, removed when the task stops", async () => {
    const rt = new SimulatedRuntime({ images: ["img"] });
    e = new AgentTaskEngine({ runtime: rt, stateDir: dir, cluster: "unit", logger: silentLogger, pullPolicy: "once", portProbe: async () => true });
    await e.start();
    await e.applyPayload([spec("t1", { cpu: "256", memory: "512" }), spec("t2", {})]);
    const known = (id: string) => e!.listTasks().find((t) => t.arn.endsWith(`/${id}`))?.knownStatus;
    await until(() => known("t1") === "RUNNING" && known("t2") === "RUNNING");
    expect(rt.taskCgroups.get("t1")).toEqual({ cpuUnits: 256, memoryMiB: 512 });
    // No task-level size: no task cgroup, containers under Docker's default parent.
    expect(rt.taskCgroups.has("t2")).toBe(false);
    const creates = rt.calls.filter((c) => c.op === "create").map((c) => c.arg);
    const parents = creates.map((name) => rt.specOf(name)?.cgroupParent);
    expect(parents.filter((p) => p === "/ecs/t1")).toHaveLength(2);
    expect(parents.filter((p) => p === undefined)).toHaveLength(2);
    await e.applyPayload([spec("t1", { cpu: "256", memory: "512" }, "STOPPED")]);
    await until(() => known("t1") === "STOPPED");
    await until(() => !rt.taskCgroups.has("t1"));
  });
});

import { describe, expect, it } from "vitest";
import type { ContainerInstanceRecord, TaskRecord } from "@berth/shared";
import { snapshotInstances } from "./run-tasks.js";

const resources = { cpu: 1024, memory: 1024, ports: [], portsUdp: [] };
const inst = (id: string, heldTasks?: ContainerInstanceRecord["heldTasks"]): ContainerInstanceRecord => ({
  id,
  arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/c/${id}`,
  cluster: "c",
  status: "ACTIVE",
  agentConnected: true,
  registered: resources,
  remaining: resources,
  heldTasks,
  attributes: [],
  hostname: id,
  hostIp: "10.0.0.1",
  agentVersion: "1",
  dockerVersion: "20.10",
  registeredAtMs: 0,
  version: 1,
});
const task = (id: string, instanceId: string, over: Partial<TaskRecord> = {}) =>
  ({ id, containerInstanceId: instanceId, family: "web", group: "service:web", taskDefinitionArn: "td/web:1", released: false, ...over }) as TaskRecord;
const held = (id: string, group = "service:web") => ({ id, family: "web", group, taskDefinitionArn: "td/web:1" });

describe("snapshotInstances", () => {
  const cases: { name: string; instances: ContainerInstanceRecord[]; tasks?: TaskRecord[]; want: Record<string, string[]> }[] = [
    {
      name: "from each record's heldTasks when no task list is given",
      instances: [inst("a", [held("t1"), held("t2", "family:web")]), inst("b", [])],
      want: { a: ["service:web", "family:web"], b: [] },
    },
    {
      name: "from the task list when given, skipping released tasks and ignoring heldTasks",
      instances: [inst("a", [held("stale")]), inst("b")],
      tasks: [task("t1", "a"), task("t2", "b"), task("t3", "b", { released: true }), task("t4", "gone")],
      want: { a: ["service:web"], b: ["service:web"] },
    },
    {
      name: "a record without heldTasks and no task list holds nothing",
      instances: [inst("a")],
      want: { a: [] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = Object.fromEntries(snapshotInstances(c.instances, c.tasks).map((s) => [s.id, s.tasks.map((t) => t.group)]));
      expect(got).toEqual(c.want);
    });
  }
});

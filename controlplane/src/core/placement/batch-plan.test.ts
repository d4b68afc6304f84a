import { describe, expect, it } from "vitest";
import type { ContainerInstanceRecord } from "@berth/shared";
import type { PlacementConstraint, PlacementStrategy, TaskToPlace } from "../../scheduler/index.js";
import { planBatch, type BatchItem, type BatchItemPlan } from "./batch-plan.js";

const inst = (id: string, memory = 1024, zone = "a"): ContainerInstanceRecord => ({
  id,
  arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/c/${id}`,
  cluster: "c",
  status: "ACTIVE",
  agentConnected: true,
  registered: { cpu: 4096, memory, ports: [], portsUdp: [] },
  remaining: { cpu: 4096, memory, ports: [], portsUdp: [] },
  heldTasks: [],
  attributes: [{ name: "ecs.availability-zone", value: zone }],
  hostname: id,
  hostIp: "10.0.0.1",
  agentVersion: "1",
  dockerVersion: "20.10",
  registeredAtMs: 0,
  version: 1,
});
const tasks = (n: number, memory = 512, group = "family:web"): TaskToPlace[] =>
  Array.from({ length: n }, (_, i) => ({ key: String(i), reservation: { cpu: 128, memory, ports: [], portsUdp: [] }, family: "web", group, taskDefinitionArn: "td/web:1" }));
const item = (
  n: number,
  over: { memory?: number; group?: string; strategy?: PlacementStrategy[]; constraints?: PlacementConstraint[]; only?: string[]; seed?: string } = {},
): BatchItem => ({
  eligible: (i) => !over.only || over.only.includes(i.id),
  placement: { tasks: tasks(n, over.memory, over.group), strategy: over.strategy, constraints: over.constraints, seed: over.seed ?? "s" },
});

/** Per request: where its tasks went (instance ids in task order), or its failure reasons, or what stopped it. */
const summary = (plans: BatchItemPlan[]) =>
  plans.map((p) =>
    p.kind === "placed"
      ? { placed: p.placements.map((x) => x.instanceId), failed: [...new Set(p.failures.flatMap((f) => f.reasons.map((r) => r.reason)))] }
      : { [p.kind]: true },
  );

describe("planBatch", () => {
  it.each<[string, ContainerInstanceRecord[], BatchItem[], ReturnType<typeof summary>]>([
    [
      // each fits alone; together the second finds the memory the first took gone, as ECS would answer it
      "a later request sees the resources an earlier one took",
      [inst("i1", 1024)],
      [item(2), item(1)],
      [{ placed: ["i1", "i1"], failed: [] }, { placed: [], failed: ["RESOURCE:MEMORY"] }],
    ],
    [
      // distinctInstance counts the earlier request's task of the same group
      "constraints see the tasks an earlier request placed",
      [inst("i1"), inst("i2")],
      [item(1, { constraints: [{ type: "distinctInstance" }], only: ["i1"] }), item(1, { constraints: [{ type: "distinctInstance" }] })],
      [{ placed: ["i1"], failed: [] }, { placed: ["i2"], failed: [] }],
    ],
    [
      // a request whose pool is empty is told so; the others are placed
      "no eligible instance for one request",
      [inst("i1")],
      [item(1, { only: ["gone"] }), item(1)],
      [{ noInstances: true }, { placed: ["i1"], failed: [] }],
    ],
    [
      // a strategy ECS refuses fails that request alone
      "an invalid request does not fail the batch",
      [inst("i1")],
      [item(1, { strategy: [{ type: "binpack", field: "disk" }] }), item(1)],
      [{ invalid: true }, { placed: ["i1"], failed: [] }],
    ],
  ])("%s", (_name, instances, items, want) => {
    expect(summary(planBatch(instances, items))).toEqual(want);
  });

  it("spread by instance id continues across requests: two requests of one task use both instances", () => {
    const spread: PlacementStrategy[] = [{ type: "spread", field: "instanceId" }];
    const plans = planBatch([inst("i1"), inst("i2")], [item(1, { strategy: spread, seed: "x" }), item(1, { strategy: spread, seed: "y" })]);
    // which goes first is the seed's choice; that both are used is spread's meaning
    expect(new Set(plans.flatMap((p) => (p.kind === "placed" ? p.placements.map((x) => x.instanceId) : [])))).toEqual(new Set(["i1", "i2"]));
  });

  it("the same batch twice gives the same answer (seeded)", () => {
    const instances = [inst("i1", 4096), inst("i2", 4096), inst("i3", 4096)];
    const batch = () => [item(3, { seed: "a" }), item(4, { seed: "b" }), item(2, { seed: "c" })];
    expect(summary(planBatch(instances, batch()))).toEqual(summary(planBatch(instances, batch())));
  });

  it("never charges an instance past its capacity across requests", () => {
    const instances = [inst("i1", 2048), inst("i2", 2048)];
    const plans = planBatch(instances, [item(3), item(3), item(3)]);
    const perInstance = new Map<string, number>();
    for (const p of plans) if (p.kind === "placed") for (const x of p.placements) perInstance.set(x.instanceId, (perInstance.get(x.instanceId) ?? 0) + 512);
    expect(Math.max(...perInstance.values())).toBeLessThanOrEqual(2048);
    expect([...perInstance.values()].reduce((a, b) => a + b, 0)).toBe(8 * 512);
  });
});

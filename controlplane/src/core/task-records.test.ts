import { describe, expect, it } from "vitest";
import type { Attribute, ContainerInstanceRecord, TaskDefinitionRecord, TaskRecord } from "@berth/shared";
import { chargeInstance, newTaskRecord, type NewTaskOptions } from "./task-records.js";

const ctx = { scope: { region: "us-east-1", account: "000000000000" }, now: () => 1_700_000_000_000 };
const resources = { cpu: 1024, memory: 1024, ports: [], portsUdp: [] };

const instance = (attributes: Attribute[]): ContainerInstanceRecord => ({
  id: "i1",
  arn: "arn:aws:ecs:us-east-1:000000000000:container-instance/c/i1",
  cluster: "c",
  status: "ACTIVE",
  agentConnected: true,
  registered: resources,
  remaining: resources,
  attributes,
  hostname: "h",
  hostIp: "10.0.0.1",
  agentVersion: "1",
  dockerVersion: "20.10",
  registeredAtMs: 0,
  version: 1,
});

const td = (over: Partial<TaskDefinitionRecord> = {}): TaskDefinitionRecord =>
  ({
    taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/f:1",
    family: "f",
    revision: 1,
    status: "ACTIVE",
    registeredAtMs: 0,
    containerDefinitions: [
      { name: "main", image: "busybox", memory: 32, essential: true },
      { name: "side", image: "busybox", memory: 32, essential: false },
    ],
    ...over,
  }) as TaskDefinitionRecord;

const agentAttributes: Attribute[] = [
  { name: "ecs.os-type", value: "linux" },
  { name: "ecs.cpu-architecture", value: "arm64" },
  { name: "ecs.availability-zone", value: "eu-west-1b" },
  { name: "team", value: "core" },
];

describe("newTaskRecord", () => {
  it.each<[string, Attribute[], Partial<TaskDefinitionRecord>, NewTaskOptions, object]>([
    // ECS copies the zone and the architecture of the instance the task was placed on
    ["zone and architecture", agentAttributes, {}, {}, { availabilityZone: "eu-west-1b", attributes: [{ name: "ecs.cpu-architecture", value: "arm64" }] }],
    // an instance that registered neither: no zone, no attributes
    ["bare instance", [], {}, {}, { availabilityZone: undefined, attributes: [] }],
    // cpu/memory in ECS's units, from the definition (already converted) or a raw override
    ["override in vCPU and GB", agentAttributes, { cpu: "256", memory: "512" }, { overrides: { cpu: "1 vCPU", memory: "2 GB" } }, { cpu: "1024", memory: "2048" }],
    // COMPAT: a definition stored before registration converted its units
    ["old raw definition", agentAttributes, { cpu: "0.5 vCPU", memory: "1GB" }, {}, { cpu: "512", memory: "1024" }],
  ])("%s", (_name, attributes, def, opts, want) => {
    const rec = newTaskRecord(ctx, "t1", td(def), instance(attributes), resources, opts);
    expect(rec).toMatchObject(want);
  });

  it("carries each container's essential flag, ECS's default true when the definition has none", () => {
    const rec = newTaskRecord(ctx, "t1", td({ containerDefinitions: [{ name: "a", image: "x" }, { name: "b", image: "x", essential: false }] }), instance([]), resources, {});
    expect(rec.containers.map((c) => [c.name, c.essential])).toEqual([
      ["a", true],
      ["b", false],
    ]);
  });
});

describe("chargeInstance", () => {
  const task = (id: string, cpu: number, memory: number, ports: number[] = []) =>
    ({ id, family: "f", group: "family:f", taskDefinitionArn: "arn:td", reserved: { cpu, memory, ports, portsUdp: [] } }) as unknown as TaskRecord;
  it.each<[string, ContainerInstanceRecord, TaskRecord[], { cpu: number; memory: number; ports: number[]; held: string[] | undefined }]>([
    ["nothing placed leaves it as it was", { ...instance([]), heldTasks: [] }, [], { cpu: 1024, memory: 1024, ports: [], held: [] }],
    ["two tasks: both reservations taken, both held", { ...instance([]), heldTasks: [] }, [task("t1", 256, 128, [80]), task("t2", 512, 256)], { cpu: 256, memory: 640, ports: [80], held: ["t1", "t2"] }],
    ["a record from before heldTasks stays without it", instance([]), [task("t1", 256, 128)], { cpu: 768, memory: 896, ports: [], held: undefined }],
  ])("%s", (_, inst, tasks, want) => {
    const charged = chargeInstance(inst, tasks);
    expect({ cpu: charged.remaining.cpu, memory: charged.remaining.memory, ports: charged.remaining.ports, held: charged.heldTasks?.map((h) => h.id) }).toEqual(want);
    expect(charged.version).toBe(inst.version);
  });
});

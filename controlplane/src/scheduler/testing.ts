/**
 * Builders for scheduler tests (nomad keeps its equivalents in scheduler/tests/testing.go).
 * Defaults describe an ACTIVE, connected 2 vCPU / 4 GiB instance in us-east-1a.
 */
import type { Resources } from "@berth/shared";
import { NodeState } from "./state.js";
import type { InstanceSnapshot, TaskToPlace } from "./types.js";

/** Resources with defaults of nothing. */
export function res(r: Partial<Resources> = {}): Resources {
  return { cpu: r.cpu ?? 0, memory: r.memory ?? 0, ports: r.ports ?? [], portsUdp: r.portsUdp ?? [] };
}

/** An instance `id` with ARN `arn:…/<id>`; `attrs` adds or overrides attributes by name. */
export function instance(
  id: string,
  over: Partial<Omit<InstanceSnapshot, "attributes">> & { attrs?: Record<string, string | undefined> } = {},
): InstanceSnapshot {
  const { attrs, ...rest } = over;
  const attributes = { "ecs.os-type": "linux", "ecs.availability-zone": "us-east-1a", ...attrs };
  return {
    id,
    arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/default/${id}`,
    status: "ACTIVE",
    agentConnected: true,
    registered: res({ cpu: 2048, memory: 4096 }),
    remaining: res({ cpu: 2048, memory: 4096 }),
    tasks: [],
    ...rest,
    attributes: Object.entries(attributes).map(([name, value]) => (value === undefined ? { name } : { name, value })),
  };
}

/** A task `key` of family `web` reserving 256 CPU units and 512 MiB unless told otherwise. */
export function task(key: string, over: Partial<TaskToPlace> = {}): TaskToPlace {
  return {
    key,
    reservation: res({ cpu: 256, memory: 512 }),
    family: "web",
    taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
    ...over,
  };
}

/** `n` copies of {@link task} keyed t0..t(n-1). */
export function tasks(n: number, over: Partial<TaskToPlace> = {}): TaskToPlace[] {
  return Array.from({ length: n }, (_, i) => task(`t${i}`, over));
}

/** The scheduler's working copy of {@link instance}, for filter and ranker tests. */
export function node(id: string, over: Parameters<typeof instance>[1] = {}, index = 0): NodeState {
  return new NodeState(instance(id, over), index, "seed");
}

import { describe, expect, it } from "vitest";
import { instance, res, task, tasks } from "./testing.js";
import { placeTasks } from "./place.js";
import { defaultServiceStrategy } from "./validate.js";
import type { PlacementRequest, PlacementResult } from "./types.js";

/** Tasks per instance id, every instance of the request listed. */
function perInstance(req: PlacementRequest, out: PlacementResult): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(req.instances.map((i) => [i.id, 0]));
  for (const p of out.placements) counts[p.instanceId]++;
  return counts;
}

const three = () => [instance("i1"), instance("i2"), instance("i3")];
const arn = (id: string) => instance(id).arn;

describe("placeTasks", () => {
  it("spread instanceId: 6 tasks over 3 instances land 2/2/2", () => {
    const req: PlacementRequest = { instances: three(), tasks: tasks(6), strategy: [{ type: "spread", field: "instanceId" }], seed: "s" };
    const out = placeTasks(req);
    expect(out.failures).toEqual([]);
    expect(perInstance(req, out)).toEqual({ i1: 2, i2: 2, i3: 2 });
  });

  it("spread instanceId counts the group's tasks already running", () => {
    const running = [{ family: "web", taskDefinitionArn: "x" }];
    const req: PlacementRequest = {
      instances: [instance("i1", { tasks: [...running, ...running] }), instance("i2", { tasks: running }), instance("i3")],
      tasks: tasks(3),
      strategy: [{ type: "spread", field: "host" }],
      seed: "s",
    };
    expect(perInstance(req, placeTasks(req))).toEqual({ i1: 0, i2: 1, i3: 2 });
  });

  it("binpack memory fills one instance before the next", () => {
    // 8 × 512 MiB fill a 4 GiB instance exactly; the 9th must open a second one.
    const req: PlacementRequest = { instances: three(), tasks: tasks(9, { reservation: res({ cpu: 10, memory: 512 }) }), strategy: [{ type: "binpack", field: "memory" }], seed: "s" };
    const counts = Object.values(perInstance(req, placeTasks(req))).sort();
    expect(counts).toEqual([0, 1, 8]);
  });

  it("binpack memory prefers the instance with the least memory left", () => {
    const req: PlacementRequest = {
      instances: [instance("i1"), instance("i2", { remaining: res({ cpu: 2048, memory: 1024 }) }), instance("i3")],
      tasks: tasks(2),
      strategy: [{ type: "binpack", field: "memory" }],
      seed: "s",
    };
    expect(placeTasks(req).placements.map((p) => p.instanceId)).toEqual(["i2", "i2"]);
  });

  it("distinctInstance: 4 tasks on 3 instances place 3 and fail 1", () => {
    const out = placeTasks({ instances: three(), tasks: tasks(4), constraints: [{ type: "distinctInstance" }], seed: "s" });
    expect(new Set(out.placements.map((p) => p.instanceId)).size).toBe(3);
    expect(out.failures).toEqual([
      {
        taskKey: "t3",
        reasons: ["i1", "i2", "i3"].map((id) => ({ instanceArn: arn(id), reason: "DistinctInstance placement constraint unsatisfied." })),
        counts: { "DistinctInstance placement constraint unsatisfied.": 3 },
      },
    ]);
  });

  it("memberOf by attribute places only on matching instances", () => {
    const req: PlacementRequest = {
      instances: [instance("i1", { attrs: { "ecs.instance-type": "t2.small" } }), instance("i2", { attrs: { "ecs.instance-type": "m5.large" } }), instance("i3", { attrs: { "ecs.instance-type": "t2.micro" } })],
      tasks: tasks(4),
      constraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ t2.*" }],
      strategy: [{ type: "spread", field: "instanceId" }],
      seed: "s",
    };
    expect(perInstance(req, placeTasks(req))).toEqual({ i1: 2, i2: 0, i3: 2 });
  });

  it("a task too big for every instance fails with RESOURCE:MEMORY per instance", () => {
    const out = placeTasks({ instances: three(), tasks: [task("big", { reservation: res({ cpu: 1, memory: 8192 }) })], seed: "s" });
    expect(out.placements).toEqual([]);
    expect(out.failures).toEqual([
      { taskKey: "big", reasons: ["i1", "i2", "i3"].map((id) => ({ instanceArn: arn(id), reason: "RESOURCE:MEMORY" })), counts: { "RESOURCE:MEMORY": 3 } },
    ]);
  });

  it("a static host port in use sends the task elsewhere, then fails with RESOURCE:PORTS", () => {
    const withPort = (id: string, ports: number[]) => instance(id, { remaining: res({ cpu: 2048, memory: 4096, ports }) });
    const out = placeTasks({
      instances: [withPort("i1", [22, 80]), withPort("i2", [22])],
      tasks: tasks(2, { reservation: res({ cpu: 10, memory: 10, ports: [80] }) }),
      seed: "s",
    });
    expect(out.placements).toEqual([{ taskKey: "t0", instanceId: "i2" }]);
    expect(out.failures[0].reasons).toEqual([
      { instanceArn: arn("i1"), reason: "RESOURCE:PORTS" },
      { instanceArn: arn("i2"), reason: "RESOURCE:PORTS" },
    ]);
    expect(out.remaining.get("i2")?.ports).toEqual([22, 80]);
  });

  it("DRAINING and disconnected instances get nothing, and say why", () => {
    const instances = [instance("drain", { status: "DRAINING" }), instance("gone", { agentConnected: false }), instance("ok")];
    const out = placeTasks({ instances, tasks: tasks(2, { reservation: res({ cpu: 1024, memory: 2048 }) }), seed: "s" });
    expect(out.placements.map((p) => p.instanceId)).toEqual(["ok", "ok"]);
    const only = placeTasks({ instances: instances.slice(0, 2), tasks: tasks(1), seed: "s" });
    expect(only.failures[0].reasons).toEqual([
      { instanceArn: arn("drain"), reason: "STATUS:DRAINING" },
      { instanceArn: arn("gone"), reason: "AGENT" },
    ]);
  });

  it("no instances at all: one reason without an ARN", () => {
    expect(placeTasks({ instances: [], tasks: tasks(1), seed: "s" }).failures).toEqual([
      { taskKey: "t0", reasons: [{ reason: "No Container Instances were found in your cluster." }], counts: { "No Container Instances were found in your cluster.": 1 } },
    ]);
  });

  it("the service default spreads over zones, then over instances within a zone", () => {
    const az = (id: string, zone: string) => instance(id, { attrs: { "ecs.availability-zone": zone } });
    const req: PlacementRequest = { instances: [az("a1", "a"), az("a2", "a"), az("b1", "b")], tasks: tasks(4), strategy: defaultServiceStrategy, seed: "s" };
    expect(perInstance(req, placeTasks(req))).toEqual({ a1: 1, a2: 1, b1: 2 });
  });

  it("ties in one stage fall through to the next", () => {
    // Zones tie (no tasks anywhere), so binpack memory picks the fuller instance in either zone.
    const req: PlacementRequest = {
      instances: [instance("a1", { attrs: { "ecs.availability-zone": "a" } }), instance("b1", { attrs: { "ecs.availability-zone": "b" }, remaining: res({ cpu: 2048, memory: 1024 }) })],
      tasks: tasks(1),
      strategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "binpack", field: "memory" }],
      seed: "s",
    };
    expect(placeTasks(req).placements).toEqual([{ taskKey: "t0", instanceId: "b1" }]);
  });

  it("remaining resources reflect every placement; the input is not changed", () => {
    const instances = three();
    const before = structuredClone(instances);
    const out = placeTasks({ instances, tasks: tasks(3), strategy: [{ type: "spread", field: "instanceId" }], seed: "s" });
    expect(instances).toEqual(before);
    for (const id of ["i1", "i2", "i3"]) expect(out.remaining.get(id)).toEqual(res({ cpu: 2048 - 256, memory: 4096 - 512 }));
  });

  it("same seed gives the same placements; other seeds may differ", () => {
    const req = (seed: string): PlacementRequest => ({ instances: Array.from({ length: 10 }, (_, i) => instance(`i${i}`)), tasks: tasks(5), seed });
    const first = placeTasks(req("eval-1")).placements;
    expect(placeTasks(req("eval-1")).placements).toEqual(first);
    const others = ["eval-2", "eval-3", "eval-4", "eval-5"].map((s) => JSON.stringify(placeTasks(req(s)).placements));
    expect(others.some((o) => o !== JSON.stringify(first))).toBe(true);
  });

  it("the answer does not depend on the order instances are listed in", () => {
    const instances = Array.from({ length: 6 }, (_, i) => instance(`i${i}`));
    const place = (list: typeof instances) => placeTasks({ instances: list, tasks: tasks(4), seed: "s" }).placements;
    expect(place([...instances].reverse())).toEqual(place(instances));
  });

  it("rejects an invalid strategy before placing anything", () => {
    expect(() => placeTasks({ instances: three(), tasks: tasks(1), strategy: [{ type: "binpack", field: "disk" }], seed: "s" })).toThrow(/binpack takes/);
  });
});

describe("placeTasks without a strategy", () => {
  it("places randomly per task (RunTask's default), not all on the first instance in the shuffle", () => {
    const instances = Array.from({ length: 5 }, (_, i) => instance(`i${i}`));
    const out = placeTasks({ instances, tasks: tasks(10), seed: "s" });
    expect(new Set(out.placements.map((p) => p.instanceId)).size).toBeGreaterThan(1);
  });
});

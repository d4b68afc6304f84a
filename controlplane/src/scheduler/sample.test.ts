import { describe, expect, it } from "vitest";
import { instance, res, tasks } from "./testing.js";
import { placeTasks } from "./place.js";
import { sampleFeasible, sampleSize } from "./sample.js";
import { NodeState } from "./state.js";
import { defaultServiceStrategy } from "./validate.js";
import type { InstanceSnapshot, PlacementRequest } from "./types.js";

describe("sampleSize", () => {
  it.each([
    // small clusters: every instance, as before sampling
    [1, 1],
    [100, 100],
    // past it, 100 whatever the size
    [150, 100],
    [5_000, 100],
    [50_000, 100],
  ])("%i instances: %i scored", (n, want) => {
    expect(sampleSize(n)).toBe(want);
  });
});

describe("sampleFeasible", () => {
  const order = ["a", "b", "c", "d", "e"].map((id, i) => new NodeState(instance(id), i, "s"));
  it.each<[string, number, number, string[], string[], number]>([
    // the first two feasible from the start
    ["from the start", 0, 2, ["a", "b", "c", "d", "e"], ["a", "b"], 2],
    // infeasible ones are skipped, the walk goes on
    ["skips infeasible", 0, 2, ["b", "d"], ["b", "d"], 4],
    // wraps around the ring
    ["wraps", 3, 3, ["a", "b", "c", "d", "e"], ["d", "e", "a"], 1],
    // nothing feasible: one whole turn, nothing found
    ["none", 2, 2, [], [], 2],
  ])("%s", (_name, start, want, ok, ids, next) => {
    const got = sampleFeasible(order, start, want, (n) => ok.includes(n.instance.id));
    expect(got.candidates.map((n) => n.instance.id)).toEqual(ids);
    expect(got.next).toBe(next);
  });
});

/** `n` instances over zones a, b, c, round robin, each 2 vCPU / 4 GiB. */
const fleet = (n: number, over: (i: number) => Partial<InstanceSnapshot> = () => ({})): InstanceSnapshot[] =>
  Array.from({ length: n }, (_, i) => instance(`i${String(i).padStart(5, "0")}`, { attrs: { "ecs.availability-zone": `us-east-1${"abc"[i % 3]}` }, ...over(i) }));
const countBy = <T>(xs: T[]) => {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
};

describe("placeTasks at large N (sampled): ECS's meanings hold", () => {
  it.each<[string, PlacementRequest, (req: PlacementRequest, placedOn: string[]) => void]>([
    [
      // spread by zone: zones stay exactly even, counted over every instance, not only the sample
      "spread zone then instanceId: 900 tasks on 1,200 instances, 300 per zone, none doubled",
      { instances: fleet(1_200), tasks: tasks(900), strategy: defaultServiceStrategy, seed: "z" },
      (req, on) => {
        const zone = new Map(req.instances.map((i) => [i.id, i.attributes.find((a) => a.name === "ecs.availability-zone")!.value]));
        expect([...countBy(on.map((id) => zone.get(id))).values()]).toEqual([300, 300, 300]);
        expect(Math.max(...countBy(on).values())).toBe(1);
      },
    ],
    [
      // spread by instance: as even as a full scan would make it, at most one apart
      "spread instanceId: 2,500 tasks on 1,000 instances, 2 or 3 each",
      { instances: fleet(1_000), tasks: tasks(2_500, { reservation: res({ cpu: 1, memory: 1 }) }), strategy: [{ type: "spread", field: "instanceId" }], seed: "i" },
      (_req, on) => {
        const per = [...countBy(on).values()];
        expect(per.length).toBe(1_000);
        expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
      },
    ],
    [
      // binpack keeps filling the same instances: 8 × 512 MiB fill a 4 GiB instance, so 80 tasks use 10
      "binpack memory: 80 tasks on 1,000 instances fill exactly 10",
      { instances: fleet(1_000), tasks: tasks(80, { reservation: res({ cpu: 1, memory: 512 }) }), strategy: [{ type: "binpack", field: "memory" }], seed: "b" },
      (_req, on) => {
        expect([...countBy(on).values()]).toEqual(Array(10).fill(8));
      },
    ],
    [
      // binpack prefers the instance with the least left, even one the walk meets late
      "binpack memory: the fullest feasible instances in the sample are filled first",
      { instances: fleet(1_000, (i) => (i % 2 === 0 ? { remaining: res({ cpu: 2048, memory: 1024 }) } : {})), tasks: tasks(20, { reservation: res({ cpu: 1, memory: 512 }) }), strategy: [{ type: "binpack", field: "memory" }], seed: "b2" },
      (_req, on) => {
        // every task on an instance that had 1 GiB left, two per instance
        expect(on.every((id) => Number(id.slice(1)) % 2 === 0)).toBe(true);
        expect([...countBy(on).values()]).toEqual(Array(10).fill(2));
      },
    ],
    [
      // constraints are filters: the sample holds only instances that pass them
      "memberOf and distinctInstance: 300 tasks only in zone b, one per instance",
      {
        instances: fleet(1_500),
        tasks: tasks(300),
        strategy: [{ type: "random" }],
        constraints: [{ type: "memberOf", expression: "attribute:ecs.availability-zone == us-east-1b" }, { type: "distinctInstance" }],
        seed: "m",
      },
      (req, on) => {
        const zone = new Map(req.instances.map((i) => [i.id, i.attributes.find((a) => a.name === "ecs.availability-zone")!.value]));
        expect(on.length).toBe(300);
        expect(new Set(on.map((id) => zone.get(id)))).toEqual(new Set(["us-east-1b"]));
        expect(new Set(on).size).toBe(300);
      },
    ],
  ])("%s", (_name, req, check) => {
    const out = placeTasks(req);
    expect(out.failures).toEqual([]);
    check(req, out.placements.map((p) => p.instanceId));
  });

  it("a task that fits nowhere gets every instance's reason, as unsampled", () => {
    const out = placeTasks({ instances: fleet(500), tasks: tasks(1, { reservation: res({ memory: 8192 }) }), seed: "f" });
    expect(out.failures[0].reasons).toHaveLength(500);
    expect(out.failures[0].counts).toEqual({ "RESOURCE:MEMORY": 500 });
  });

  it("the same request gives the same answer", () => {
    const req = (): PlacementRequest => ({ instances: fleet(800), tasks: tasks(400), strategy: defaultServiceStrategy, seed: "same" });
    expect(placeTasks(req()).placements).toEqual(placeTasks(req()).placements);
  });
});

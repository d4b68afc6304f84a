import { describe, expect, it } from "vitest";
import { emptyResources, shortage, type Resources } from "@berth/shared";
import { instance, res } from "./testing.js";
import { placeTasks } from "./place.js";
import { seededRandom } from "./seed.js";
import { groupOf } from "./state.js";
import type { InstanceSnapshot, PlacementConstraint, PlacementRequest, PlacementStrategy, TaskToPlace } from "./types.js";

const CASES = 300;
const STRATEGIES: PlacementStrategy[][] = [
  [],
  [{ type: "random" }],
  [{ type: "binpack", field: "memory" }],
  [{ type: "binpack", field: "cpu" }, { type: "spread", field: "instanceId" }],
  [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "spread", field: "instanceId" }],
];

/** A random but reproducible cluster and batch: case `n` is the same on every run. */
function randomRequest(n: number): PlacementRequest {
  const rnd = seededRandom(`case-${n}`);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: T[]) => xs[int(0, xs.length - 1)];
  const ports = () => [...new Set(Array.from({ length: int(0, 2) }, () => pick([80, 443, 8080, 53])))];
  const instances: InstanceSnapshot[] = Array.from({ length: int(0, 8) }, (_, i) => {
    const registered = res({ cpu: pick([1024, 2048, 4096]), memory: pick([1024, 2048, 4096]), ports: [22] });
    return instance(`i${i}`, {
      status: rnd() < 0.85 ? "ACTIVE" : pick(["DRAINING", "INACTIVE"] as const),
      agentConnected: rnd() < 0.9,
      registered,
      remaining: { ...registered, cpu: int(0, registered.cpu), memory: int(0, registered.memory), ports: [22, ...ports()], portsUdp: ports() },
      attrs: { "ecs.availability-zone": pick(["a", "b", "c"]) },
      tasks: Array.from({ length: int(0, 3) }, () => ({ family: pick(["web", "api"]), taskDefinitionArn: "x" })),
    });
  });
  const family = pick(["web", "api"]);
  const reservation = res({ cpu: pick([0, 128, 256, 512]), memory: pick([128, 256, 512, 1024]), ports: ports(), portsUdp: rnd() < 0.2 ? [53] : [] });
  const tasks: TaskToPlace[] = Array.from({ length: int(1, 30) }, (_, i) => ({
    key: `t${i}`,
    // Most batches are identical copies (as RunTask sends); some mix in a different size.
    reservation: rnd() < 0.8 ? reservation : res({ cpu: int(0, 600), memory: int(1, 900) }),
    family,
    taskDefinitionArn: "x",
  }));
  const constraints: PlacementConstraint[] = rnd() < 0.3 ? [{ type: "distinctInstance" }] : [];
  return { instances, tasks, strategy: pick(STRATEGIES), constraints, seed: `seed-${n}` };
}

function used(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu - b.cpu, memory: a.memory - b.memory, ports: [], portsUdp: [] };
}

describe("placeTasks properties", () => {
  it.each(Array.from({ length: CASES }, (_, n) => [n]))("case %i", (n) => {
    const req = randomRequest(n);
    const out = placeTasks(req);
    const byKey = new Map(req.tasks.map((t) => [t.key, t]));

    // Every task is either placed or failed, once.
    expect([...out.placements.map((p) => p.taskKey), ...out.failures.map((f) => f.taskKey)].sort()).toEqual(req.tasks.map((t) => t.key).sort());

    // Never over capacity, never a static port twice on one instance, only ACTIVE connected instances.
    for (const inst of req.instances) {
      const mine = out.placements.filter((p) => p.instanceId === inst.id).map((p) => byKey.get(p.taskKey)!);
      if (mine.length > 0) expect(inst.status === "ACTIVE" && inst.agentConnected).toBe(true);
      const cpu = mine.reduce((s, t) => s + t.reservation.cpu, 0);
      const memory = mine.reduce((s, t) => s + t.reservation.memory, 0);
      expect(cpu).toBeLessThanOrEqual(inst.remaining.cpu);
      expect(memory).toBeLessThanOrEqual(inst.remaining.memory);
      for (const proto of ["ports", "portsUdp"] as const) {
        const all = [...inst.remaining[proto], ...mine.flatMap((t) => t.reservation[proto])];
        expect(new Set(all).size).toBe(all.length);
      }
      // The remaining map charges exactly what was placed.
      expect(used(inst.remaining, out.remaining.get(inst.id)!)).toEqual({ cpu, memory, ports: [], portsUdp: [] });
      if (req.constraints?.length) {
        expect(mine.length).toBeLessThanOrEqual(inst.tasks.some((t) => groupOf(t) === groupOf(req.tasks[0])) ? 0 : 1);
      }
    }

    // A failed task fits nowhere even at the end (capacity only shrinks during a request), and
    // each reason names an instance of the request.
    for (const f of out.failures) {
      const t = byKey.get(f.taskKey)!;
      if (req.instances.length === 0) continue;
      expect(f.reasons.map((r) => r.instanceArn)).toEqual(req.instances.map((i) => i.arn));
      for (const r of f.reasons) {
        const inst = req.instances.find((i) => i.arn === r.instanceArn)!;
        if (r.reason.startsWith("RESOURCE:")) {
          const need = r.reason === "RESOURCE:CPU" ? { ...emptyResources(), cpu: t.reservation.cpu } : r.reason === "RESOURCE:MEMORY" ? { ...emptyResources(), memory: t.reservation.memory } : { ...t.reservation, cpu: 0, memory: 0 };
          expect(shortage(out.remaining.get(inst.id)!, need)).toBe(r.reason);
        }
      }
      expect(Object.values(f.counts).reduce((a, b) => a + b, 0)).toBe(f.reasons.length);
    }

    // Same seed, same answer.
    expect(placeTasks(req)).toEqual(out);
  });
});

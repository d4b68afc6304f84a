import { describe, expect, it } from "vitest";
import { FARGATE_ATTRIBUTE, type ContainerInstanceRecord, type TaskDefinitionRecord } from "@berth/shared";
import { seededRandom } from "../../scheduler/seed.js";
import { placeCluster, placedTasks, type BatchRound } from "./place.js";
import { NEW, NOW, TD2 } from "./testing.js";

const CASES = 300;
const td = { taskDefinitionArn: TD2, family: "web", revision: 2, status: "ACTIVE", registeredAtMs: 0, containerDefinitions: [{ name: "app", image: "busybox" }] } as TaskDefinitionRecord;

/** A random but reproducible cluster round: instances of mixed sizes and pools, 1–4 services' starts. */
function randomCase(n: number): { instances: ContainerInstanceRecord[]; rounds: BatchRound[] } {
  const rnd = seededRandom(`place-case-${n}`);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const instances = Array.from({ length: int(1, 6) }, (_, i): ContainerInstanceRecord => {
    const memory = int(1, 8) * 256;
    return {
      id: `i${i}`,
      arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/default/i${i}`,
      cluster: "default",
      status: rnd() < 0.15 ? "INACTIVE" : "ACTIVE",
      agentConnected: rnd() < 0.9,
      registered: { cpu: 4096, memory, ports: [], portsUdp: [] },
      remaining: { cpu: 4096, memory, ports: [], portsUdp: [] },
      heldTasks: [],
      attributes: [{ name: "ecs.availability-zone", value: `z${i % 2}` }, ...(rnd() < 0.2 ? [{ name: FARGATE_ATTRIBUTE, value: "true" }] : [])],
      hostname: `i${i}`,
      hostIp: "10.0.0.1",
      agentVersion: "1",
      dockerVersion: "20.10",
      registeredAtMs: 0,
      version: 1,
    };
  });
  const rounds = Array.from({ length: int(1, 4) }, (_, k): BatchRound => {
    const daemon = rnd() < 0.3;
    const count = int(0, 10);
    const instanceIds = instances.filter(() => rnd() < 0.6).map((i) => i.id);
    const start = daemon ? { deploymentId: NEW, taskDefinition: TD2, count: instanceIds.length, instanceIds } : { deploymentId: NEW, taskDefinition: TD2, count };
    return {
      start: start.count > 0 ? [start] : [],
      serviceTasks: [],
      launches: [
        {
          ok: true,
          taskDefinition: td,
          reservation: { cpu: 0, memory: 256 * int(1, 2), ports: [], portsUdp: [] },
          options: { startedBy: NEW, group: `service:s${k}`, launchType: rnd() < 0.2 ? "FARGATE" : "EC2" },
          strategy: rnd() < 0.5 ? [{ type: "spread", field: "instanceId" }] : [{ type: "binpack", field: "memory" }],
          constraints: [],
        },
      ],
      now: NOW,
      seed: `case-${n}-${k}`,
    };
  });
  return { instances, rounds };
}

describe("placeCluster (property): 300 seeded cluster rounds", () => {
  const scope = { region: "us-east-1", account: "000000000000" };
  it.each(Array.from({ length: CASES }, (_, n) => [n]))("case %i", (n) => {
    const { instances, rounds } = randomCase(n);
    const got = placeCluster(rounds, { instances, scope });
    const byId = new Map(instances.map((i) => [i.id, i]));
    // Never over-commits an instance, whatever the order of services.
    const used = new Map<string, number>();
    for (const t of got.flatMap(placedTasks)) used.set(t.containerInstanceId, (used.get(t.containerInstanceId) ?? 0) + t.reserved.memory);
    for (const [id, mem] of used) expect(mem).toBeLessThanOrEqual(byId.get(id)!.remaining.memory);
    got.forEach((placements, k) => {
      const launch = rounds[k].launches[0] as Extract<(typeof rounds)[number]["launches"][number], { ok: true }>;
      const start = rounds[k].start[0];
      for (const b of placements.starts.flat()) {
        // Never more than asked; a batch short of its count says why.
        expect(b.tasks.length).toBeLessThanOrEqual(b.count);
        if (b.tasks.length < b.count) expect(b.failures.length).toBeGreaterThan(0);
      }
      for (const t of placedTasks(placements)) {
        const i = byId.get(t.containerInstanceId)!;
        // Only on a live instance of the start's pool, and for a daemon start only on one it named.
        expect(i.status).not.toBe("INACTIVE");
        expect(i.attributes.some((a) => a.name === FARGATE_ATTRIBUTE)).toBe(launch.options.launchType === "FARGATE");
        if (start.instanceIds) expect(start.instanceIds).toContain(i.id);
        expect(t.group).toBe(launch.options.group);
      }
      // A daemon start never puts two tasks on one instance.
      if (start?.instanceIds) expect(new Set(placedTasks(placements).map((t) => t.containerInstanceId)).size).toBe(placedTasks(placements).length);
    });
    // One snapshot and the rounds' seeds: the same placements, ids distinct across services.
    expect(placeCluster(rounds, { instances, scope })).toEqual(got);
    const ids = got.flatMap(placedTasks).map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

import * as controlplane from "@berth/controlplane";
import { core } from "@berth/controlplane";
import { BENCH_PREFIX } from "./docker-cli.js";
import { median, progress } from "./report.js";
import { startPlacementCluster } from "./write-path.js";

// The scheduler's request and result, as far as this benchmark uses them. They are spelled out
// here because @berth/controlplane does not export the scheduler (yet); see schedulerExport().
interface SimInstance {
  id: string;
  arn: string;
  status: "ACTIVE";
  agentConnected: boolean;
  registered: { cpu: number; memory: number; ports: number[]; portsUdp: number[] };
  remaining: { cpu: number; memory: number; ports: number[]; portsUdp: number[] };
  attributes: { name: string; value?: string }[];
  tasks: { family: string; group?: string; taskDefinitionArn: string }[];
}
type PlaceTasks = (req: {
  instances: SimInstance[];
  tasks: { key: string; reservation: SimInstance["remaining"]; family: string; group?: string; taskDefinitionArn: string }[];
  strategy?: { type: string; field?: string }[];
  seed: string;
}) => { placements: unknown[]; failures: unknown[] };

/**
 * The pure placeTasks when @berth/controlplane exports it, as `placeTasks` or in a `scheduler`
 * namespace; undefined otherwise.
 */
export function schedulerExport(): PlaceTasks | undefined {
  const cp = controlplane as unknown as Record<string, unknown>;
  const ns = cp.scheduler as Record<string, unknown> | undefined;
  const fn = ns?.placeTasks ?? cp.placeTasks;
  return typeof fn === "function" ? (fn as PlaceTasks) : undefined;
}

/** One row of the scheduler benchmark. */
export interface SchedulerResult {
  /** What was measured: the pure function, or core.runTasks when the function is not exported. */
  path: "pure placeTasks" | "core.runTasks (placement + etcd write)";
  strategy: string;
  tasks: number;
  instances: number;
  ms: number;
  repeats: number;
}

function simulatedInstances(n: number): SimInstance[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `sim${String(i).padStart(4, "0")}`;
    return {
      id,
      arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/${BENCH_PREFIX}/${id}`,
      status: "ACTIVE" as const,
      agentConnected: true,
      registered: { cpu: 4096, memory: 8192, ports: [22], portsUdp: [] },
      remaining: { cpu: 4096, memory: 8192, ports: [22], portsUdp: [] },
      attributes: [
        { name: "ecs.os-type", value: "linux" },
        { name: "ecs.availability-zone", value: `zone-${i % 3}` },
      ],
      tasks: [],
    };
  });
}

const strategies: { name: string; strategy: { type: string; field?: string }[] }[] = [
  // RunTask's default.
  { name: "random (RunTask default)", strategy: [{ type: "random" }] },
  // Services' default, the costlier chain: spread over zones, then over instances.
  { name: "spread zone, instanceId (service default)", strategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "spread", field: "instanceId" }] },
  { name: "binpack memory", strategy: [{ type: "binpack", field: "memory" }] },
];

/** Places `tasks` on `instances` simulated instances with the pure scheduler, median of `repeats`. */
function benchPure(place: PlaceTasks, tasks: number, instances: number, repeats: number): SchedulerResult[] {
  const toPlace = Array.from({ length: tasks }, (_, i) => ({
    key: String(i),
    reservation: { cpu: 10, memory: 32, ports: [], portsUdp: [] },
    family: "web",
    group: "service:web",
    taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
  }));
  return strategies.map(({ name, strategy }) => {
    const runs: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const started = process.hrtime.bigint();
      const res = place({ instances: simulatedInstances(instances), tasks: toPlace, strategy, seed: `bench-${r}` });
      runs.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (res.placements.length !== tasks) throw new Error(`${name}: placed ${res.placements.length} of ${tasks}`);
    }
    return { path: "pure placeTasks" as const, strategy: name, tasks, instances, ms: median(runs), repeats };
  });
}

/**
 * Without the pure function exported, the nearest measurement through core: one runTasks call
 * placing every task at once on real registered instances (one snapshot, one plan, the writes).
 */
async function benchThroughCore(tasks: number, instances: number): Promise<SchedulerResult[]> {
  const cluster = `${BENCH_PREFIX}-sched`;
  const p = progress(`registering ${instances} instances over gRPC`);
  const env = await startPlacementCluster(cluster, instances, { cpu: 4096, memory: 8192 });
  p.done("registered");
  try {
    const started = process.hrtime.bigint();
    const res = await core.runTasks(env.t.cp.ctx, { cluster, taskDefinition: env.td, count: tasks });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.tasks.length !== tasks) throw new Error(`placed ${res.tasks.length} of ${tasks}`);
    return [{ path: "core.runTasks (placement + etcd write)", strategy: "random (RunTask default)", tasks, instances, ms, repeats: 1 }];
  } finally {
    await env.stop();
  }
}

/** The scheduler alone when it can be reached, else through core (see {@link schedulerExport}). */
export async function benchScheduler(opts: { tasks: number; instances: number; repeats: number }): Promise<SchedulerResult[]> {
  const place = schedulerExport();
  return place ? benchPure(place, opts.tasks, opts.instances, opts.repeats) : benchThroughCore(opts.tasks, opts.instances);
}

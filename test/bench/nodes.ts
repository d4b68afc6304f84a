import { CreateServiceCommand, DescribeContainerInstancesCommand, ListContainerInstancesCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import { ecsClient } from "../support/berth.js";
import { berthCli, dockerCommand } from "../support/berth-cli.js";
import { registerFamily, runningTasks, sleeper, type ServiceScope } from "../support/cluster-services.js";
import { freePort } from "../support/ports.js";
import { progress, waitFor } from "./report.js";

// Benchmark 5: a multi-node cluster on this machine (`berth cluster create`, Docker-in-Docker
// nodes). Its physical floor is the nodes' own engines: 3 containers of the same node image
// started with the same flags, each running only dockerd, until every one answers `docker
// info`. berth's create is that plus etcd, the control plane and an agent per node joining.
// Failover after `node kill` is compared with the lost-instance grace (5 s by default): a
// killed agent's stream ends at once, so the grace is the floor.

const dindFlags = [
  "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
  "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
  "-v", "/sys/fs/cgroup:/sys/fs/cgroup", "--tmpfs", "/var/lib/docker:exec",
];

const docker = dockerCommand;
const berth = berthCli;

/** What benchmark 5 measured. */
export interface NodesResult {
  /** Whether the node image had to be built first (no cached image). */
  coldImage: boolean;
  createMs: number;
  rawEnginesMs: number;
  /** Memory in use per container after create, MiB, by container name. */
  memoryMiB: Record<string, number>;
  failoverMs: number;
  graceMs: number;
}

/** The newest node image `berth cluster create` built, if any. */
async function nodeImage(): Promise<string | undefined> {
  const r = await docker("images", "berth-node", "--format", "{{.Repository}}:{{.Tag}}");
  return r.stdout.split("\n").find(Boolean);
}

/** 3 containers of the node image running dockerd only, until each answers; then removed. */
async function rawEngines(image: string, n: number): Promise<number> {
  const names = Array.from({ length: n }, (_, i) => `berth-bench-raw-${i + 1}`);
  await docker("rm", "-f", ...names);
  const started = Date.now();
  try {
    for (const name of names) {
      const r = await docker("run", "-d", "--name", name, "--label", "berth-bench=raw", ...dindFlags, "--entrypoint", "dockerd", image);
      if (r.code !== 0) throw new Error(`raw node ${name}: ${r.stderr}`);
    }
    for (const name of names) {
      await waitFor(progress(`raw node ${name}`), Date.now(), async () => {
        const ok = (await docker("exec", name, "docker", "info", "--format", "{{.ServerVersion}}")).code === 0;
        return { ok, text: ok ? "dockerd answers" : "waiting for dockerd" };
      }, 120_000);
    }
    return Date.now() - started;
  } finally {
    await docker("rm", "-f", ...names);
  }
}

function mib(usage: string): number {
  const m = /^([\d.]+)\s*([KMG]i?B)/.exec(usage.trim());
  if (!m) return NaN;
  const f = m[2].startsWith("G") ? 1024 : m[2].startsWith("K") ? 1 / 1024 : 1;
  return Math.round(Number(m[1]) * f);
}

/** Runs benchmark 5 on a cluster of its own, removed at the end whatever happens. */
export async function benchNodes(opts: { nodes: number; tasks: number }): Promise<NodesResult> {
  const name = `berth-bench-${process.pid}`;
  const apiPort = await freePort();
  let ecs: ECSClient | undefined;
  try {
    const coldImage = (await nodeImage()) === undefined;
    const started = Date.now();
    process.stderr.write(`  cluster create --nodes ${opts.nodes}${coldImage ? " (no cached node image: it is built first)" : ""}...\n`);
    const created = await berth("cluster", "create", "--name", name, "--nodes", String(opts.nodes), "--api-port", String(apiPort));
    if (created.code !== 0) throw new Error(`cluster create: ${created.stderr}`);
    const createMs = Date.now() - started;

    const stats = await docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}");
    const memoryMiB: Record<string, number> = {};
    for (const line of stats.stdout.split("\n").filter((l) => l.startsWith(`${name}-`))) {
      const [container, ...usage] = line.split(" ");
      memoryMiB[container] = mib(usage.join(" "));
    }
    const rawEnginesMs = await rawEngines((await nodeImage())!, opts.nodes);

    ecs = ecsClient(`http://127.0.0.1:${apiPort}`);
    const scope: ServiceScope = { ecs: () => ecs!, cluster: "default" };
    await registerFamily(scope, "bench-nodes", sleeper());
    await ecs.send(new CreateServiceCommand({
      cluster: "default", serviceName: "bench-nodes", taskDefinition: "bench-nodes", desiredCount: opts.tasks,
      placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "spread", field: "instanceId" }],
      availabilityZoneRebalancing: "DISABLED",
    }));
    await waitFor(progress("service"), Date.now(), async () => {
      const n = (await runningTasks(scope, "bench-nodes")).length;
      return { ok: n === opts.tasks, text: `${n}/${opts.tasks} running` };
    }, 180_000, 300);
    const victim = `${name}-node-2`;
    const victimArn = await instanceOf(ecs, victim);
    const killed = Date.now();
    const kill = await berth("node", "kill", victim);
    if (kill.code !== 0) throw new Error(`node kill: ${kill.stderr}`);
    const off = (tasks: Task[]) => tasks.filter((t) => t.containerInstanceArn !== victimArn).length;
    const failoverMs = await waitFor(progress("failover"), killed, async () => {
      const n = off(await runningTasks(scope, "bench-nodes"));
      return { ok: n === opts.tasks, text: `${n}/${opts.tasks} running off ${victim}` };
    }, 120_000, 100);
    return { coldImage, createMs, rawEnginesMs, memoryMiB, failoverMs, graceMs: 5000 };
  } finally {
    ecs?.destroy();
    await berth("cluster", "delete", "--name", name);
  }
}

/** The container instance ARN of a node, from the `berth.node` attribute its agent reports. */
async function instanceOf(ecs: ECSClient, node: string): Promise<string> {
  const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster: "default" }))).containerInstanceArns ?? [];
  const cis = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: "default", containerInstances: arns }))).containerInstances ?? [];
  const ci = cis.find((c) => c.attributes?.some((a) => a.name === "berth.node" && a.value === node));
  if (!ci) throw new Error(`no container instance for ${node}`);
  return ci.containerInstanceArn!;
}

import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { core } from "@berth/controlplane";
import { eventually, removeDir, startTestAgent, startTestControlPlane, type TestAgent, type TestControlPlane } from "../support/berth.js";
import { docker, removeContainersByLabel } from "../support/docker.js";
import { TEST_IMAGE } from "../support/image.js";
import { BENCH_PREFIX } from "./docker-cli.js";
import { median, percentile, progress } from "./report.js";

/** The two network modes benchmark 6 compares. */
export type StartMode = "bridge" | "awsvpc";

/** Benchmark 6's figures: per-task start times of each mode, milliseconds, in run order. */
export interface AwsvpcStartResult {
  tasks: number;
  samples: Record<StartMode, number[]>;
  median: Record<StartMode, number>;
  p90: Record<StartMode, number>;
  /** DescribeTasks' startedAt − createdAt (placement to the agent's RUNNING), median per mode. */
  reportedMedian: Record<StartMode, number>;
}

const zone = "us-east-1a";

/**
 * Starts `tasks` tasks of each network mode through a real control plane and agent, one at a
 * time and alternating modes (so neither always runs on the warmer engine): the time from the
 * RunTask call until DescribeTasks shows RUNNING (polled every 25 ms), and for awsvpc until its
 * ENI attachment is ATTACHED too. The same busybox `sleep` in both; the awsvpc task also pays the
 * pause container and the CNI plugins (bridge, host-local, loopback) on its namespace. Tasks
 * stay running until the end so each start sees the same engine load in both modes.
 */
export async function benchAwsvpcStart(tasks: number): Promise<AwsvpcStartResult> {
  const cluster = `${BENCH_PREFIX}-vpc-${process.pid}`;
  const subnet = core.defaultSubnets("us-east-1").find((s) => s.availabilityZone === zone)!;
  let t: TestControlPlane | undefined;
  let agent: TestAgent | undefined;
  try {
    t = await startTestControlPlane();
    const ecs = t.ecs;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: { BERTH_AVAILABILITY_ZONE: zone, ECS_CONTAINER_STOP_TIMEOUT: "1s", BERTH_LOG_LEVEL: "info" } });
    await eventually("the agent to register", async () => ((await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns?.length ? true : undefined), 30_000);
    const container = { name: "main", image: TEST_IMAGE, memory: 8, essential: true, stopTimeout: 1, command: ["sleep", "100000"] };
    for (const mode of ["bridge", "awsvpc"] as const) {
      await ecs.send(new RegisterTaskDefinitionCommand({ family: `${BENCH_PREFIX}-${mode}`, networkMode: mode, containerDefinitions: [container] }));
    }
    // One warm-up task per mode: the first awsvpc task also makes the host's task bridge and
    // the first of either pulls nothing but fills the engine's caches.
    const samples: Record<StartMode, number[]> = { bridge: [], awsvpc: [] };
    const reported: Record<StartMode, number[]> = { bridge: [], awsvpc: [] };
    const p = progress(`awsvpc vs bridge task start ×${tasks} each`);
    for (let i = -1; i < tasks; i++) {
      for (const mode of i % 2 === 0 ? (["bridge", "awsvpc"] as const) : (["awsvpc", "bridge"] as const)) {
        const started = Date.now();
        const res = await ecs.send(
          new RunTaskCommand({
            cluster,
            taskDefinition: `${BENCH_PREFIX}-${mode}`,
            ...(mode === "awsvpc" ? { networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.subnetId] } } } : {}),
          }),
        );
        const arn = res.tasks?.[0]?.taskArn;
        if (!arn) throw new Error(`RunTask ${mode}: ${JSON.stringify(res.failures)}`);
        const task = await eventually(`${mode} task running`, async () => {
          const x = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks?.[0];
          if (x?.lastStatus === "STOPPED") throw new Error(`stopped: ${x.stoppedReason}`);
          const attached = mode === "bridge" || x?.attachments?.[0]?.status === "ATTACHED";
          return x?.lastStatus === "RUNNING" && attached ? x : undefined;
        }, 60_000, 25);
        if (i < 0) continue;
        samples[mode].push(Date.now() - started);
        reported[mode].push(task.startedAt!.getTime() - task.createdAt!.getTime());
        p.update(`${samples.bridge.length + samples.awsvpc.length}/${2 * tasks} started`);
      }
    }
    p.done(`${2 * tasks} started`);
    const stats = (f: (s: number[]) => number) => ({ bridge: f(samples.bridge), awsvpc: f(samples.awsvpc) });
    const result = { tasks, samples, median: stats(median), p90: stats((s) => percentile(s, 90)), reportedMedian: { bridge: median(reported.bridge), awsvpc: median(reported.awsvpc) } };
    await stopEverything(ecs, cluster);
    return result;
  } finally {
    await agent?.stop().catch(() => undefined);
    await t?.stop().catch(() => undefined);
    await removeContainersByLabel(`com.amazonaws.ecs.cluster=${cluster}`).catch(() => undefined);
    await removeContainersByLabel(`com.berth.cluster=${cluster}`).catch(() => undefined);
    if (agent) await removeDir(agent.dataDir).catch(() => undefined);
  }
}

/**
 * Stops every task under the agent and waits until no pause container of the cluster is left, so
 * the agent releases the namespaces, addresses and veths itself rather than leaving them to the
 * container sweep.
 */
async function stopEverything(ecs: TestControlPlane["ecs"], cluster: string): Promise<void> {
  const arns = (await ecs.send(new ListTasksCommand({ cluster, maxResults: 100 }))).taskArns ?? [];
  for (const task of arns) await ecs.send(new StopTaskCommand({ cluster, task }));
  await eventually("every benchmark task to stop", async () => {
    const pauses = (await docker().listContainers({ all: true, filters: { label: [`com.berth.cluster=${cluster}`] } })).length;
    const left = (await ecs.send(new ListTasksCommand({ cluster, desiredStatus: "RUNNING" }))).taskArns?.length ?? 0;
    return pauses === 0 && left === 0 ? true : undefined;
  }, 60_000, 250).catch(() => undefined);
}

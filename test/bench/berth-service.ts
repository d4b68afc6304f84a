import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { eventually, removeDir, startTestAgent, startTestControlPlane, type TestAgent, type TestControlPlane } from "../support/berth.js";
import { removeContainersByLabel } from "../support/docker.js";
import { TEST_IMAGE } from "../support/image.js";
import { BENCH_PREFIX, countContainers } from "./docker-cli.js";
import { progress, waitFor } from "./report.js";

/** A control plane on its own etcd and one real agent on the host's engine, in one cluster. */
export interface BerthBench {
  t: TestControlPlane;
  agent: TestAgent;
  cluster: string;
  instanceArn: string;
  /** The Docker label every container of the cluster carries. */
  label: string;
}

/** The task definition family every benchmark service runs: `sleep 100000` in 8 MiB, stopTimeout 1. */
export const SLEEP_FAMILY = `${BENCH_PREFIX}-sleep`;

/**
 * Starts etcd, a control plane with default loop settings and one agent. The agent removes
 * stopped containers after 1 s (berth's minimum) so teardown ends with no containers, as
 * Swarm's and `docker rm -f`'s do.
 */
export async function startBerth(): Promise<BerthBench> {
  const cluster = `${BENCH_PREFIX}-${process.pid}`;
  const t = await startTestControlPlane();
  let agent: TestAgent | undefined;
  try {
    await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: SLEEP_FAMILY,
        networkMode: "bridge",
        containerDefinitions: [{ name: "main", image: TEST_IMAGE, memory: 8, essential: true, stopTimeout: 1, command: ["sleep", "100000"] }],
      }),
    );
    agent = await startTestAgent({
      grpcAddress: t.grpcAddress,
      cluster,
      env: { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "1s", BERTH_LOG_LEVEL: "info" },
    });
    const instanceArn = await eventually("the agent to register and connect", async () => {
      const arns = (await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
      if (arns.length === 0) return undefined;
      const [ci] = (await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances ?? [];
      return ci?.agentConnected ? ci.containerInstanceArn : undefined;
    }, 30_000);
    return { t, agent, cluster, instanceArn: instanceArn!, label: `com.amazonaws.ecs.cluster=${cluster}` };
  } catch (err) {
    await agent?.kill();
    await t.stop();
    throw err;
  }
}

/** Stops the agent and the control plane and removes whatever containers the cluster left. */
export async function stopBerth(b: BerthBench | undefined): Promise<void> {
  if (!b) return;
  await b.agent.stop().catch(() => undefined);
  await b.t.stop().catch(() => undefined);
  await removeContainersByLabel(b.label).catch(() => undefined);
  await removeDir(b.agent.dataDir).catch(() => undefined);
}

const describeService = async (b: BerthBench, name: string) =>
  (await b.t.ecs.send(new DescribeServicesCommand({ cluster: b.cluster, services: [name] }))).services?.[0];

/** CreateService with `count` tasks; milliseconds until DescribeServices says runningCount == count. */
export async function startBerthService(b: BerthBench, name: string, count: number, timeoutMs: number): Promise<number> {
  const p = progress(`berth service ×${count}`);
  const started = Date.now();
  await b.t.ecs.send(new CreateServiceCommand({ cluster: b.cluster, serviceName: name, taskDefinition: SLEEP_FAMILY, desiredCount: count }));
  return waitFor(p, started, async () => {
    const s = await describeService(b, name);
    return { ok: s?.runningCount === count, text: `${s?.runningCount ?? 0}/${count} running, ${s?.pendingCount ?? 0} pending` };
  }, timeoutMs, 300);
}

/** Teardown times of one berth service, each from the DeleteService call. */
export interface BerthTeardown {
  /** DescribeServices shows INACTIVE. */
  inactiveMs: number;
  /** No container of the cluster is left on the engine. */
  goneMs: number;
}

/** DeleteService --force; milliseconds until the service is INACTIVE and no container is left. */
export async function deleteBerthService(b: BerthBench, name: string, timeoutMs: number): Promise<BerthTeardown> {
  const p = progress("berth delete-service --force");
  const started = Date.now();
  await b.t.ecs.send(new DeleteServiceCommand({ cluster: b.cluster, service: name, force: true }));
  let inactiveMs: number | undefined;
  const goneMs = await waitFor(p, started, async () => {
    const [s, c] = await Promise.all([describeService(b, name), countContainers(b.label)]);
    if (inactiveMs === undefined && s?.status === "INACTIVE") inactiveMs = Date.now() - started;
    return { ok: inactiveMs !== undefined && c.all === 0, text: `${s?.status}, ${s?.runningCount ?? 0} running, ${c.running} running / ${c.all} containers left` };
  }, timeoutMs, 300);
  return { inactiveMs: inactiveMs!, goneMs };
}

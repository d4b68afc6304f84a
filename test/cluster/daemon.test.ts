import { CreateServiceCommand, UpdateContainerInstancesStateCommand, UpdateServiceCommand, type Task } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/berth.js";
import { describeService, perInstance, registerFamily, removeService, runningInEngines, runningTasks, Sampler, sleeper, untilStable, type ServiceScope } from "../support/cluster-services.js";
import { startCluster, startHosts, type TestCluster, type TestHosts } from "../support/hosts.js";

// A DAEMON service on three namespace hosts, then a fourth that joins: one task per host (by
// the recorded instance ARN and by each engine's containers), a revision rolled host by host
// within minimumHealthyPercent, constraints that drop and re-admit a host, a joining host
// that gets its task, a lost host whose task is not replaced elsewhere, and a drained host.
let c: TestCluster;
let joined: TestHosts | undefined;
const cluster = `daemon-${process.pid}`;
const scope: ServiceScope = { ecs: () => c.cp.ecs, cluster };

beforeAll(async () => {
  c = await startCluster(3, { cluster, controlPlaneEnv: { BERTH_RECONCILE_INTERVAL_MS: "500" } });
});
afterAll(async () => {
  await joined?.stopAll();
  await c?.stop();
});

const onRevision = (arn: string) => (tasks: Task[]) => tasks.every((t) => t.taskDefinitionArn === arn);
const desiredIs = (n: number) => eventually(`desiredCount ${n}`, async () => ((await describeService(scope, "node")).desiredCount === n ? true : undefined), 60_000, 300);

describe("a DAEMON service on namespace hosts", () => {
  it("one task per host; rolls host by host; follows constraints, joins, lost hosts and drains", async () => {
    const v1 = await registerFamily(scope, "daemon-node", sleeper());
    await c.cp.ecs.send(new CreateServiceCommand({ cluster, serviceName: "node", taskDefinition: "daemon-node", schedulingStrategy: "DAEMON", deploymentConfiguration: { minimumHealthyPercent: 50 } }));
    const first = await untilStable(scope, "node", (s, tasks) => s.desiredCount === 3 && onRevision(v1)(tasks), 90_000);
    expect(perInstance(c.arns, first.tasks)).toEqual([1, 1, 1]);
    expect(await runningInEngines(c.hosts, cluster, "daemon-node")).toEqual([1, 1, 1]);

    // 50% of 3 hosts keeps 2 healthy: one host at a time, never two tasks on one host.
    const v2 = await registerFamily(scope, "daemon-node", sleeper({ environment: [{ name: "VERSION", value: "2" }] }));
    const sampler = new Sampler(async () => perInstance(c.arns, await runningTasks(scope, "node")));
    await c.cp.ecs.send(new UpdateServiceCommand({ cluster, service: "node", taskDefinition: "daemon-node" }));
    let rolled;
    try {
      rolled = await untilStable(scope, "node", (s, tasks) => s.taskDefinition === v2 && tasks.length === 3 && onRevision(v2)(tasks), 120_000);
    } finally {
      await sampler.stop();
    }
    expect(sampler.errors).toEqual([]);
    expect(sampler.values.length).toBeGreaterThan(5);
    for (const counts of sampler.values) {
      expect(Math.max(...counts)).toBeLessThanOrEqual(1);
      expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    }
    expect(perInstance(c.arns, rolled.tasks)).toEqual([1, 1, 1]);

    // A constraint that host 1 (zone-1) fails: its task goes, the others stay; lifted, it returns.
    await c.cp.ecs.send(new UpdateServiceCommand({ cluster, service: "node", placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.availability-zone != zone-1" }] }));
    const narrowed = await untilStable(scope, "node", (s, tasks) => s.desiredCount === 2 && perInstance(c.arns, tasks)[0] === 0, 60_000);
    expect(perInstance(c.arns, narrowed.tasks)).toEqual([0, 1, 1]);
    await c.cp.ecs.send(new UpdateServiceCommand({ cluster, service: "node", placementConstraints: [] }));
    await untilStable(scope, "node", (s, tasks) => s.desiredCount === 3 && perInstance(c.arns, tasks)[0] === 1, 60_000);

    // A fourth host joins: it gets a task of its own.
    joined = await startHosts(1, { cluster, grpcPort: c.cp.cp.grpcPort });
    const fourth = await joined.hosts[0].instanceArn();
    const all = [...c.arns, fourth];
    const grown = await untilStable(scope, "node", (s, tasks) => s.desiredCount === 4 && perInstance(all, tasks)[3] === 1, 90_000);
    expect(perInstance(all, grown.tasks)).toEqual([1, 1, 1, 1]);
    expect(await runningInEngines(joined.hosts, cluster, "daemon-node")).toEqual([1]);

    // It is lost (agent killed, past the grace): its task is marked stopped and nothing moves
    // to the other hosts.
    await joined.hosts[0].killAgent();
    await eventually("the lost host's task to be gone", async () => {
      const tasks = await runningTasks(scope, "node");
      return perInstance(all, tasks)[3] === 0 ? tasks : undefined;
    }, 60_000, 300);
    await new Promise((r) => setTimeout(r, 3000));
    expect(perInstance(all, await runningTasks(scope, "node"))).toEqual([1, 1, 1, 0]);

    // Host 2 drains: nothing else runs there, so its daemon task stops; desired drops by one.
    await c.cp.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [c.arns[1]], status: "DRAINING" }));
    await eventually("host 2's daemon task stopped", async () => {
      const tasks = await runningTasks(scope, "node");
      return perInstance(c.arns, tasks)[1] === 0 ? true : undefined;
    }, 60_000, 300);
    // The lost fourth host is still ACTIVE, so it is still counted: 4 − 1.
    await desiredIs(3);
    // The record says stopped as soon as the agent is told; the container goes within its stop timeout.
    await eventually("host 2's engine to run no daemon container", async () => {
      const n = await runningInEngines(c.hosts, cluster, "daemon-node");
      return n[1] === 0 ? n : undefined;
    }, 30_000, 300);
    expect(await runningInEngines(c.hosts, cluster, "daemon-node")).toEqual([1, 0, 1]);

    await removeService(scope, "node");
  });
});

import {
  CreateServiceCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/berth.js";
import {
  describeService, perInstance, registerFamily, removeService, report, runningInEngines, runningTasks,
  Sampler, sleeper, untilStable, type ServiceScope,
} from "../support/cluster-services.js";
import { describeInstances, startCluster, type TestCluster } from "../support/hosts.js";

// Services on three real hosts (network namespaces, each with its own dockerd and agent):
// placement strategies and constraints, a rolling deployment that never dips below the desired
// healthy count, the circuit breaker's rollback, and draining a host. Where tasks run is checked
// twice: by the instance ARN the control plane recorded and by the containers in each engine.
let c: TestCluster;
const cluster = `services-${process.pid}`;
const scope: ServiceScope = { ecs: () => c.cp.ecs, cluster };
/** Services a case created; deleted (and waited for) after each case so the next starts empty. */
let created: string[] = [];

beforeAll(async () => {
  c = await startCluster(3, { cluster, controlPlaneEnv: { BERTH_RECONCILE_INTERVAL_MS: "500" } });
});
afterAll(async () => {
  await c?.stop();
});
afterEach(async () => {
  const names = created;
  created = [];
  await Promise.all(names.map((name) => removeService(scope, name)));
});

async function createService(input: Omit<CreateServiceCommandInput, "cluster">): Promise<void> {
  await c.cp.ecs.send(new CreateServiceCommand({ cluster, ...input }));
  created.push(input.serviceName!);
}

/** The smallest MEMORY any host registered, in MiB. */
async function smallestHostMemory(): Promise<number> {
  const cis = await describeInstances(c.cp, cluster);
  return Math.min(...cis.map((ci) => ci.registeredResources?.find((r) => r.name === "MEMORY")?.integerValue ?? 0));
}

const onRevision = (arn: string) => (tasks: Task[]) => tasks.every((t) => t.taskDefinitionArn === arn);

describe("services on three namespace hosts", () => {
  it("spread on instanceId: a service of 6 runs 2/2/2", async () => {
    await registerFamily(scope, "svc-spread", sleeper());
    await createService({ serviceName: "spread", taskDefinition: "svc-spread", desiredCount: 6, placementStrategy: [{ type: "spread", field: "instanceId" }] });
    const { tasks } = await untilStable(scope, "spread");
    expect(perInstance(c.arns, tasks)).toEqual([2, 2, 2]);
    expect(await runningInEngines(c.hosts, cluster, "svc-spread")).toEqual([2, 2, 2]);
  });

  it("binpack on memory: the service fills one host before using the next", async () => {
    // two of these fit on a host, a third does not
    const memory = Math.floor((await smallestHostMemory()) * 0.4);
    await registerFamily(scope, "svc-binpack", sleeper({ memory }));
    await createService({ serviceName: "binpack", taskDefinition: "svc-binpack", desiredCount: 4, placementStrategy: [{ type: "binpack", field: "memory" }] });
    const { tasks } = await untilStable(scope, "binpack");
    const counts = perInstance(c.arns, tasks);
    expect([...counts].sort()).toEqual([0, 2, 2]);
    expect(await runningInEngines(c.hosts, cluster, "svc-binpack")).toEqual(counts);
  });

  it("distinctInstance: a service of 4 on 3 hosts runs 3 and says it could not place the 4th", async () => {
    await registerFamily(scope, "svc-distinct", sleeper());
    await createService({ serviceName: "distinct", taskDefinition: "svc-distinct", desiredCount: 4, placementConstraints: [{ type: "distinctInstance" }] });
    const svc = await eventually("3 running and an unable-to-place event", async () => {
      const s = await describeService(scope, "distinct");
      return s.runningCount === 3 && s.events?.some((e) => e.message?.includes("was unable to place a task")) ? s : undefined;
    }, 60_000, 300);
    expect(svc.desiredCount).toBe(4);
    const tasks = await runningTasks(scope, "distinct");
    expect(perInstance(c.arns, tasks)).toEqual([1, 1, 1]);
    expect(await runningInEngines(c.hosts, cluster, "svc-distinct")).toEqual([1, 1, 1]);
  });

  it("memberOf on ecs.availability-zone: every task of the service stays in zone-2", async () => {
    await registerFamily(scope, "svc-zone", sleeper());
    await createService({
      serviceName: "zone", taskDefinition: "svc-zone", desiredCount: 3,
      placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.availability-zone == zone-2" }],
    });
    const { tasks } = await untilStable(scope, "zone");
    expect(perInstance(c.arns, tasks)).toEqual([0, 3, 0]);
    expect(await runningInEngines(c.hosts, cluster, "svc-zone")).toEqual([0, 3, 0]);
  });

  it("a rolling deployment (100/200) never has fewer healthy RUNNING tasks than desired and ends on the new revision", async () => {
    // a health check, so "healthy" is the agent's verdict and not just RUNNING
    const healthCheck = { command: ["CMD-SHELL", "true"], interval: 5, timeout: 2, retries: 1, startPeriod: 0 };
    const v1 = await registerFamily(scope, "svc-roll", sleeper({ healthCheck }));
    await createService({
      serviceName: "roll", taskDefinition: "svc-roll", desiredCount: 3,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    });
    await untilStable(scope, "roll", (_, tasks) => tasks.every((t) => t.healthStatus === "HEALTHY") && onRevision(v1)(tasks), 90_000);

    const v2 = await registerFamily(scope, "svc-roll", sleeper({ healthCheck, environment: [{ name: "VERSION", value: "2" }] }));
    const sampler = new Sampler(async () => {
      const tasks = await runningTasks(scope, "roll");
      return { running: tasks.length, healthy: tasks.filter((t) => t.healthStatus === "HEALTHY").length };
    });
    const started = Date.now();
    await c.cp.ecs.send(new UpdateServiceCommand({ cluster, service: "roll", taskDefinition: "svc-roll" }));
    let done;
    try {
      done = await untilStable(scope, "roll", (s, tasks) => s.taskDefinition === v2 && onRevision(v2)(tasks), 120_000);
    } finally {
      await sampler.stop();
    }
    report("rolling deployment 100/200 of 3 tasks: completed", started);
    const samples = sampler.values;
    console.log(`rolling deployment: ${samples.length} samples, lowest running ${Math.min(...samples.map((x) => x.running))}, lowest healthy ${Math.min(...samples.map((x) => x.healthy))}, highest running ${Math.max(...samples.map((x) => x.running))}`);
    expect(sampler.errors).toEqual([]);
    expect(samples.length).toBeGreaterThan(10);
    expect(Math.min(...samples.map((x) => x.healthy))).toBeGreaterThanOrEqual(3);
    // maximumPercent 200: never more than 6 at once
    expect(Math.max(...samples.map((x) => x.running))).toBeLessThanOrEqual(6);
    expect(done.service.deployments![0]).toMatchObject({ status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: v2 });
    expect(done.tasks).toHaveLength(3);
  });

  it("the circuit breaker trips on a revision that cannot start and rolls back, ending stable on the old one", async () => {
    const good = await registerFamily(scope, "svc-breaker", sleeper());
    await createService({
      serviceName: "breaker", taskDefinition: "svc-breaker", desiredCount: 2,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    await untilStable(scope, "breaker");
    // A registry on a closed port of the host's own loopback refuses at once. (Docker Hub's
    // name would do on a host with DNS; the namespace hosts have none that answers, and the
    // agent has no pull timeout, so that pull would hang and nothing would ever fail.)
    await registerFamily(scope, "svc-breaker", sleeper({ image: "127.0.0.1:1/berth-test/no-such-image:1" }));
    const started = Date.now();
    await c.cp.ecs.send(new UpdateServiceCommand({ cluster, service: "breaker", taskDefinition: "svc-breaker" }));
    const sampler = new Sampler(async () => (await runningTasks(scope, "breaker")).filter((t) => t.taskDefinitionArn === good).length);
    let rolledBack;
    try {
      rolledBack = await eventually("the breaker to roll back", async () => {
        const s = await describeService(scope, "breaker");
        return s.events?.some((e) => e.message?.includes("rolling back to deployment")) ? s : undefined;
      }, 120_000, 300);
      report("circuit breaker: rolled back", started);
    } finally {
      await sampler.stop();
    }
    expect(rolledBack.events?.some((e) => e.message?.includes("deployment failed: tasks failed to start"))).toBe(true);
    const settled = await untilStable(scope, "breaker", (s, tasks) => s.taskDefinition === good && onRevision(good)(tasks), 90_000);
    report("circuit breaker: stable on the previous revision", started);
    expect(settled.service.deployments![0]).toMatchObject({ status: "PRIMARY", taskDefinition: good });
    // the good tasks were kept all along
    expect(Math.min(...sampler.values)).toBeGreaterThanOrEqual(2);
    // A task the record shows stopped may still be leaving its engine (its stop timeout).
    await eventually("the engines to run just the 2 tasks", async () =>
      ((await runningInEngines(c.hosts, cluster, "svc-breaker")).reduce((a, b) => a + b, 0) === 2 ? true : undefined), 30_000);
  });

  it("draining a host moves its service tasks to the others without dropping below desired; ACTIVE again takes tasks", async () => {
    await registerFamily(scope, "svc-drain", sleeper());
    await createService({
      serviceName: "drain", taskDefinition: "svc-drain", desiredCount: 6,
      placementStrategy: [{ type: "spread", field: "instanceId" }],
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    });
    const before = await untilStable(scope, "drain");
    expect(perInstance(c.arns, before.tasks)).toEqual([2, 2, 2]);

    const drained = c.arns[0];
    const sampler = new Sampler(async () => (await runningTasks(scope, "drain")).length);
    const started = Date.now();
    await c.cp.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [drained], status: "DRAINING" }));
    let after;
    try {
      after = await untilStable(scope, "drain", (_, tasks) => perInstance(c.arns, tasks)[0] === 0, 60_000);
    } finally {
      await sampler.stop();
    }
    report("drain: host 1 emptied", started);
    expect(sampler.errors).toEqual([]);
    expect(Math.min(...sampler.values)).toBeGreaterThanOrEqual(6);
    expect(perInstance(c.arns, after.tasks)).toEqual([0, 3, 3]);
    await eventually("host 1's engine to run none of the service's containers", async () =>
      ((await runningInEngines(c.hosts, cluster, "svc-drain"))[0] === 0 ? true : undefined), 30_000);
    expect(await runningInEngines(c.hosts, cluster, "svc-drain")).toEqual([0, 3, 3]);

    await c.cp.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [drained], status: "ACTIVE" }));
    expect((await describeInstances(c.cp, cluster)).find((i) => i.containerInstanceArn === drained)?.status).toBe("ACTIVE");
    // a placement target again: scaling out puts the new tasks there (spread on instanceId)
    await c.cp.ecs.send(new UpdateServiceCommand({ cluster, service: "drain", desiredCount: 9 }));
    const scaled = await untilStable(scope, "drain", (s) => s.desiredCount === 9);
    expect(perInstance(c.arns, scaled.tasks)).toEqual([3, 3, 3]);
  });
  it("availabilityZoneRebalancing: a service left uneven by a drain spreads back across zones when the host returns", async () => {
    // Each host is its own zone (zone-1..3). Two services of 4: one rebalancing, one not.
    await registerFamily(scope, "svc-zones", sleeper());
    for (const [name, rebalancing] of [["zones-on", "ENABLED"], ["zones-off", "DISABLED"]] as const) {
      await createService({
        serviceName: name, taskDefinition: "svc-zones", desiredCount: 4,
        placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }],
        availabilityZoneRebalancing: rebalancing,
      });
    }
    const drained = c.arns[0];
    await c.cp.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [drained], status: "DRAINING" }));
    for (const name of ["zones-on", "zones-off"]) {
      const moved = await untilStable(scope, name, (_, tasks) => perInstance(c.arns, tasks)[0] === 0, 60_000);
      expect(perInstance(c.arns, moved.tasks)).toEqual([0, 2, 2]);
    }

    const sampler = new Sampler(async () => (await runningTasks(scope, "zones-on")).length);
    const started = Date.now();
    await c.cp.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [drained], status: "ACTIVE" }));
    let balanced;
    try {
      balanced = await untilStable(scope, "zones-on", (_, tasks) => {
        const n = perInstance(c.arns, tasks);
        return Math.max(...n) - Math.min(...n) <= 1;
      }, 90_000);
    } finally {
      await sampler.stop();
    }
    report("zones: rebalanced after the host returned", started);
    // Moved within the limits (100/200): never fewer than 4 running, never more than 8.
    expect(sampler.errors).toEqual([]);
    expect(Math.min(...sampler.values)).toBeGreaterThanOrEqual(4);
    expect(Math.max(...sampler.values)).toBeLessThanOrEqual(8);
    expect(perInstance(c.arns, balanced.tasks).reduce((a, b) => a + b, 0)).toBe(4);
    expect(Math.min(...perInstance(c.arns, balanced.tasks))).toBeGreaterThanOrEqual(1);
    // The service that does not rebalance stays where the drain left it.
    const off = await untilStable(scope, "zones-off");
    expect(perInstance(c.arns, off.tasks)).toEqual([0, 2, 2]);
    expect(off.service.availabilityZoneRebalancing).toBe("DISABLED");
  });
});

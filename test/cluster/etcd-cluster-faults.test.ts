import { CreateServiceCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/berth.js";
import {
  describeTasks, registerFamily, report, runningArnsInEngine, runningTasks, serviceTaskArns, Sampler, sleeper,
  untilStable, type ServiceScope,
} from "../support/cluster-services.js";
import { startEtcdCluster, type EtcdCluster } from "../support/etcd-cluster.js";
import { startReplicaCluster, type ReplicaCluster } from "../support/hosts.js";

// berth beyond one machine's etcd: a 3-member etcd cluster (each member its own process and
// data folder) under 3 control-plane replicas given all three endpoints, and one rolling
// deployment through three faults in a row: the etcd leader killed, then the control-plane
// leader killed, then an etcd member partitioned (its peer and client links cut, see
// test/support/etcd-peer-proxy.ts). The deployment must complete, no task record may be lost,
// no task may run twice, and the running count must end exactly at desired.
const desired = 6;
// one new task at a time (6 × 117 % rounds down to 7), each held by one health check (5 s), so
// the rollout has six steps and each fault lands at a step of its own, mid-deployment
const maximumPercent = 117;
const healthCheck = { command: ["CMD-SHELL", "true"], interval: 5, timeout: 2, retries: 1, startPeriod: 0 };

describe("3 etcd members, 3 control-plane replicas: etcd leader, control-plane leader and an etcd partition mid-deployment", () => {
  let etcd: EtcdCluster;
  let c: ReplicaCluster;
  let scope: ServiceScope;
  const cluster = `etcdfault-${process.pid}`;
  const family = "svc-etcdfault";
  const service = "roll";

  beforeAll(async () => {
    etcd = await startEtcdCluster();
    c = await startReplicaCluster(3, { cluster, replicas: 3, etcd });
    scope = { ecs: () => c.ecs(), cluster };
    await registerFamily(scope, family, sleeper({ healthCheck }));
    await c.ecs().send(new CreateServiceCommand({
      cluster, serviceName: service, taskDefinition: family, desiredCount: desired,
      placementStrategy: [{ type: "spread", field: "instanceId" }],
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent },
    }));
    // healthy before the rollout: old tasks that never turned healthy are stopped at once, by design
    await untilStable(scope, service, (_, tasks) => tasks.every((t) => t.healthStatus === "HEALTHY"), 90_000);
  });
  afterAll(async () => {
    await c?.stop();
    await etcd?.stop();
  });

  it("the deployment completes, every task record stays describable, none runs twice, the count ends at desired", async () => {
    const next = await registerFamily(scope, family, sleeper({ healthCheck, environment: [{ name: "ROLL", value: "etcd-faults" }] }));
    // every task ARN the API ever lists for the service; a sample failing during a fault is fine
    const seen = new Set<string>();
    const watcher = new Sampler(async () => {
      for (const a of [...await serviceTaskArns(scope, service, "RUNNING"), ...await serviceTaskArns(scope, service, "STOPPED")]) seen.add(a);
    }, 300);
    /** Waits until `n` tasks of the new revision run while old ones still do: the rollout is mid-way. */
    const untilStep = async (n: number) => {
      const tasks = await eventually(`${n} task(s) of the new revision to run`, async () => {
        const running = await runningTasks(scope, service).catch(() => []);
        return running.filter((t) => t.taskDefinitionArn === next).length >= n ? running : undefined;
      }, 90_000, 200);
      expect(tasks.some((t) => t.taskDefinitionArn !== next), `the rollout finished before fault ${n}`).toBe(true);
    };
    try {
      const started = Date.now();
      await c.ecs().send(new UpdateServiceCommand({ cluster, service, taskDefinition: family }));

      // 1. the etcd leader dies; it comes back once the others chose a new one, so the
      // partition later still leaves a majority
      await untilStep(1);
      const etcdLeader = await etcd.leader();
      const killedAt = Date.now();
      await etcd.kill(etcdLeader);
      const nextEtcdLeader = await etcd.leader(10_000);
      report(`etcd leader ${etcdLeader.name} killed: ${nextEtcdLeader.name} leads after`, killedAt);
      await etcd.restart(etcdLeader);

      // 2. the control-plane leader dies (kill -9); another replica takes over, the dead one restarts
      await untilStep(2);
      const cpLeader = await eventually("a control-plane leader", () => c.cps.leader(), 20_000);
      const cpKilledAt = Date.now();
      await cpLeader.kill();
      const nextCpLeader = await eventually("another replica to lead", async () => {
        const l = await c.cps.leader();
        return l && l !== cpLeader ? l : undefined;
      }, 30_000, 100);
      report(`control-plane replica ${cpLeader.index} killed: replica ${nextCpLeader.index} leads after`, cpKilledAt);
      await cpLeader.start();

      // 3. the etcd member that leads now is cut off; the deployment completes on the other two
      await untilStep(3);
      const cutOff = await etcd.leader();
      const cutAt = Date.now();
      etcd.partition(cutOff);
      const done = await untilStable(scope, service, (s, tasks) => s.taskDefinition === next && tasks.every((t) => t.taskDefinitionArn === next && t.healthStatus === "HEALTHY"), 120_000);
      report(`etcd member ${cutOff.name} partitioned: rollout completed after`, cutAt);
      report("whole rollout", started);
      expect(done.service.deployments![0]).toMatchObject({ status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: next });
      etcd.heal();
    } finally {
      etcd.heal();
      await watcher.stop();
    }
    // one last look, so tasks started at the very end are counted too
    for (const a of [...await serviceTaskArns(scope, service, "RUNNING"), ...await serviceTaskArns(scope, service, "STOPPED")]) seen.add(a);
    const described = await describeTasks(scope, [...seen]);
    expect(described.map((t) => t.taskArn).sort()).toEqual([...seen].sort());
    const running = await runningTasks(scope, service);
    expect(running).toHaveLength(desired);
    // each running task is one container in one engine, and no engine runs a task twice or one the API does not know
    const inEngines = await eventually("exactly the desired containers in the engines", async () => {
      const arns = (await Promise.all(c.hosts.map((h) => runningArnsInEngine(h, cluster, family)))).flat();
      return arns.length === desired ? arns : undefined;
    }, 30_000);
    expect(new Set(inEngines).size).toBe(inEngines.length);
    expect([...inEngines].sort()).toEqual(running.map((t) => t.taskArn).sort());
  });
});

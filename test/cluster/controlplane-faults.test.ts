import { CreateServiceCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/berth.js";
import type { Replica } from "../support/cluster-controlplane.js";
import {
  describeTasks, registerFamily, report, runningInEngines, runningTasks, serviceTaskArns, Sampler, sleeper,
  untilStable, type ServiceScope,
} from "../support/cluster-services.js";
import { agentTakesAddressList, describeInstances, startReplicaCluster, type ReplicaCluster } from "../support/hosts.js";

// The control plane fails in the middle of a rolling deployment: one replica restarted
// (SIGTERM, then kill -9), and the leader of two killed. State lives in etcd only, so the
// deployment must complete, no task record may be lost, and the count must end at desired.
// Replicas are processes of the built CLI, so kill -9 is a real crash.
const desired = 6;
// a health check holds every rollout open for at least one check interval (5 s), so a fault
// injected once the first new task runs lands in the middle of it
const healthCheck = { command: ["CMD-SHELL", "true"], interval: 5, timeout: 2, retries: 1, startPeriod: 0 };

/** What one cluster's rollouts need: where the service lives and the ARNs seen so far. */
interface Rollouts {
  c: ReplicaCluster;
  scope: ServiceScope;
  family: string;
  service: string;
  /** Every task ARN the API ever listed for the service: none may become undescribable. */
  seen: Set<string>;
}

async function startService(c: ReplicaCluster, cluster: string): Promise<Rollouts> {
  const r: Rollouts = { c, scope: { ecs: () => c.ecs(), cluster }, family: "svc-cpfault", service: "roll", seen: new Set() };
  await registerFamily(r.scope, r.family, sleeper({ healthCheck }));
  await c.ecs().send(new CreateServiceCommand({
    cluster, serviceName: r.service, taskDefinition: r.family, desiredCount: desired,
    placementStrategy: [{ type: "spread", field: "instanceId" }],
    deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
  }));
  // healthy before any rollout: old tasks that never turned healthy are stopped at once, by design
  await untilStable(r.scope, r.service, (_, tasks) => tasks.every((t) => t.healthStatus === "HEALTHY"), 90_000);
  return r;
}

/** Records every task ARN the service lists, running or stopped; a sample failing while the control plane is down is fine. */
function watchArns(r: Rollouts): Sampler<void> {
  return new Sampler(async () => {
    const arns = [...await serviceTaskArns(r.scope, r.service, "RUNNING"), ...await serviceTaskArns(r.scope, r.service, "STOPPED")];
    for (const a of arns) r.seen.add(a);
  }, 300);
}

/**
 * Registers a new revision, starts the rollout, waits until the first new task runs (the
 * deployment is now half-way), then runs `fault`. Resolves when the rollout has completed, with
 * every seen task still describable and exactly `desired` tasks running in the engines.
 */
async function rolloutThrough(r: Rollouts, label: string, fault: () => Promise<void>): Promise<void> {
  const next = await registerFamily(r.scope, r.family, sleeper({ healthCheck, environment: [{ name: "ROLL", value: label }] }));
  const watcher = watchArns(r);
  try {
    const started = Date.now();
    await r.c.ecs().send(new UpdateServiceCommand({ cluster: r.scope.cluster, service: r.service, taskDefinition: r.family }));
    await eventually("the first task of the new revision to run", async () =>
      ((await runningTasks(r.scope, r.service)).some((t) => t.taskDefinitionArn === next) ? true : undefined), 60_000, 100);
    const before = await runningTasks(r.scope, r.service);
    // mid-rollout: both revisions live
    expect(before.some((t) => t.taskDefinitionArn !== next), `the rollout already finished before the fault: ${JSON.stringify(before.map((t) => [t.taskDefinitionArn, t.healthStatus, t.lastStatus]))}`).toBe(true);
    const faultAt = Date.now();
    await fault();
    report(`${label}: control plane back after`, faultAt);
    const done = await untilStable(r.scope, r.service, (s, tasks) => s.taskDefinition === next && tasks.every((t) => t.taskDefinitionArn === next && t.healthStatus === "HEALTHY"), 120_000);
    report(`${label}: rollout completed after the fault, after`, faultAt);
    report(`${label}: whole rollout`, started);
    expect(done.service.deployments![0]).toMatchObject({ status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: next });
  } finally {
    await watcher.stop();
  }
  // one last look, so tasks started at the very end are counted too
  for (const a of [...await serviceTaskArns(r.scope, r.service, "RUNNING"), ...await serviceTaskArns(r.scope, r.service, "STOPPED")]) r.seen.add(a);
  const described = await describeTasks(r.scope, [...r.seen]);
  expect(described.map((t) => t.taskArn).sort()).toEqual([...r.seen].sort());
  expect(await runningTasks(r.scope, r.service)).toHaveLength(desired);
  await eventually("exactly the desired containers in the engines", async () =>
    ((await runningInEngines(r.c.hosts, r.scope.cluster, r.family)).reduce((a, b) => a + b, 0) === desired ? true : undefined), 30_000);
}

/** `berth_agent_sessions_open` as a replica's /metrics says. */
async function sessionsOpen(replica: Replica): Promise<number | undefined> {
  const text = await (await fetch(`${replica.endpoint}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
  const m = /^berth_agent_sessions_open(?:\{[^}]*\})? (\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

describe("one control-plane replica restarted mid-deployment", () => {
  let c: ReplicaCluster;
  let r: Rollouts;
  const cluster = `cpfault1-${process.pid}`;
  beforeAll(async () => {
    c = await startReplicaCluster(3, { cluster, replicas: 1 });
    r = await startService(c, cluster);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("SIGTERM then start: the deployment completes, no task record is lost, the count ends at desired", async () => {
    const [cp] = c.cps.replicas;
    await rolloutThrough(r, "SIGTERM + start", async () => {
      await cp.stop();
      await cp.start();
    });
  });

  it("kill -9 then start: the deployment completes, no task record is lost, the count ends at desired", async () => {
    const [cp] = c.cps.replicas;
    await rolloutThrough(r, "kill -9 + start", async () => {
      await cp.kill();
      await cp.start();
    });
  });
});

describe("two control-plane replicas, the leader killed mid-deployment", () => {
  let c: ReplicaCluster;
  let r: Rollouts;
  const cluster = `cpfault2-${process.pid}`;
  beforeAll(async () => {
    c = await startReplicaCluster(3, { cluster, replicas: 2 });
    r = await startService(c, cluster);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("the other replica leads within seconds, the deployment completes, agents reconnect to it", async () => {
    expect(agentTakesAddressList(), "blocked: the agent takes one BERTH_CONTROL_PLANE address, so it cannot move to the other replica").toBe(true);
    const [first, second] = c.cps.replicas;
    // agents connect to the first address they are given; make the replica they use the leader
    if (!(await first.isLeader())) {
      await second.stop();
      await eventually("replica 1 to lead", async () => ((await first.isLeader()) ? true : undefined), 15_000);
      await second.start();
    }
    expect(await sessionsOpen(first)).toBe(3);

    let newLeaderAfter = 0;
    await rolloutThrough(r, "kill -9 leader", async () => {
      const killedAt = Date.now();
      await first.kill();
      await eventually("replica 2 to lead", async () => ((await second.isLeader()) ? true : undefined), 20_000, 100);
      newLeaderAfter = report("kill -9 leader: the other replica leads after", killedAt);
      await eventually("every agent to have a session on replica 2", async () => ((await sessionsOpen(second)) === 3 ? true : undefined), 30_000, 200);
      report("kill -9 leader: every agent reconnected to replica 2 after", killedAt);
    });
    // the election lease TTL (5 s by default) plus the new leader's proof of its lease
    expect(newLeaderAfter).toBeLessThan(8);
    const cis = await describeInstances({ ecs: second.ecs }, cluster);
    expect(cis.map((i) => i.agentConnected)).toEqual([true, true, true]);
    // the dead replica's sessions expired without taking the instances' tasks with them
    expect(await runningTasks({ ecs: () => second.ecs, cluster }, r.service)).toHaveLength(desired);
  });
});

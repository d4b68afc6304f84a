import { CreateServiceCommand, type Task } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/berth.js";
import {
  describeService, describeTasks, perInstance, registerFamily, report, runningArnsInEngine, runningInEngines, runningTasks,
  Sampler, serviceTaskArns, sleeper, untilStable, type ServiceScope,
} from "../support/cluster-services.js";
import { describeInstances, startReplicaCluster, type ReplicaCluster, type TestHost } from "../support/hosts.js";

// A service across three hosts while hosts fail: a killed agent, a cut link, a stopped engine.
// The control plane is a real process run with the documented defaults (heartbeat 2 s,
// 3 missed, lost-instance grace 5 s), so the times printed are what users get. Each fault is
// followed to the end: replacements on the live hosts, then no duplicates once the host is back.
let c: ReplicaCluster;
const cluster = `svcfaults-${process.pid}`;
const scope: ServiceScope = { ecs: () => c.ecs(), cluster };
const family = "svc-faults";
const service = "web";
const desired = 6;

beforeAll(async () => {
  c = await startReplicaCluster(3, { cluster, replicas: 1, controlPlaneEnv: { BERTH_HEARTBEAT_INTERVAL_MS: "2000" } });
  await registerFamily(scope, family, sleeper());
  await c.ecs().send(new CreateServiceCommand({
    cluster, serviceName: service, taskDefinition: family, desiredCount: desired,
    // spread by zone (one host per zone), then by instance, as the replacements must too
    placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "spread", field: "instanceId" }],
    deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    // A host that comes back would otherwise be refilled by Availability Zone rebalancing,
    // briefly above desired; here the point is that nothing but the replacements runs
    // (services.test.ts follows a rebalancing).
    availabilityZoneRebalancing: "DISABLED",
  }));
  const { tasks } = await untilStable(scope, service, () => true, 90_000);
  expect(perInstance(c.arns, tasks)).toEqual([2, 2, 2]);
});
afterAll(async () => {
  await c?.stop();
});

/** RUNNING tasks of the service not on `host`'s instance. */
const runningElsewhere = (tasks: Task[], h: TestHost) => tasks.filter((t) => t.containerInstanceArn !== c.arns[h.index - 1]);

/**
 * Waits until `desired` tasks run on hosts other than `h`; returns them and prints the time from
 * `since`. This is the user's view of recovery: the service is whole again without the host.
 */
async function untilWholeWithout(h: TestHost, since: number, label: string, timeoutMs: number): Promise<{ tasks: Task[]; seconds: number }> {
  const tasks = await eventually(`${desired} tasks running off ${h.netns}`, async () => {
    const all = await runningTasks(scope, service);
    const off = runningElsewhere(all, h);
    return off.length === desired ? off : undefined;
  }, timeoutMs, 100).catch(async (err: Error) => {
    throw new Error(`${err.message}\n${await serviceState()}\nagent log of ${h.netns}:\n${h.agentOutput(40)}`);
  });
  return { tasks, seconds: report(label, since) };
}

/** The service's live and recently stopped tasks and its newest events, for failure messages. */
async function serviceState(): Promise<string> {
  const arns = [...await serviceTaskArns(scope, service, "RUNNING"), ...(await serviceTaskArns(scope, service, "STOPPED")).slice(0, 30)];
  const tasks = arns.length ? await describeTasks(scope, arns) : [];
  const rows = tasks.map((t) => `  h${c.arns.indexOf(t.containerInstanceArn!) + 1} ${t.taskArn!.split("/").pop()} last=${t.lastStatus} desired=${t.desiredStatus} stop=${t.stopCode ?? ""} ${t.stoppedReason ?? ""} container=${t.containers?.[0]?.lastStatus}/${t.containers?.[0]?.reason ?? ""}`);
  const events = (await describeService(scope, service)).events?.slice(0, 8).map((e) => `  ${e.message}`) ?? [];
  const cis = (await describeInstances({ ecs: c.ecs() }, cluster)).map((i) => `  h${c.arns.indexOf(i.containerInstanceArn!) + 1} connected=${i.agentConnected} ${i.status} running=${i.runningTasksCount} pending=${i.pendingTasksCount}`);
  return `tasks:\n${rows.join("\n")}\nevents:\n${events.join("\n")}\ninstances:\n${cis.join("\n")}`;
}

/** After a host came back: exactly `desired` RUNNING, and every engine runs exactly the containers of those tasks. */
async function untilNoDuplicates(label: string, since: number): Promise<Task[]> {
  const tasks = await eventually("exactly the desired tasks running, in the store and in the engines", async () => {
    const running = await runningTasks(scope, service);
    if (running.length !== desired) return undefined;
    const inEngines = (await Promise.all(c.hosts.map((h) => runningArnsInEngine(h, cluster, family)))).flat();
    const want = running.map((t) => t.taskArn!).sort();
    return JSON.stringify([...inEngines].sort()) === JSON.stringify(want) ? running : undefined;
  }, 60_000, 300);
  report(label, since);
  // and it stays that way: nothing restarts the stale copies, nothing scales past desired
  const sampler = new Sampler(async () => ({
    store: (await runningTasks(scope, service)).length,
    engines: (await runningInEngines(c.hosts, cluster, family)).reduce((a, b) => a + b, 0),
  }), 250);
  await new Promise((r) => setTimeout(r, 3_000));
  const samples = await sampler.stop();
  expect(samples.every((x) => x.store === desired && x.engines === desired), JSON.stringify(samples)).toBe(true);
  return tasks;
}

describe("a service while hosts fail", () => {
  it("kill -9 of an agent: its tasks are replaced on the other hosts in under 10 s; restarted, it runs no duplicates", async () => {
    const h = c.hosts[0];
    const stale = await runningArnsInEngine(h, cluster, family);
    expect(stale).toHaveLength(2);

    const killedAt = Date.now();
    await h.killAgent();
    const { tasks, seconds } = await untilWholeWithout(h, killedAt, "kill -9 agent (defaults): service whole on the other hosts after", 30_000);
    expect(seconds).toBeLessThan(10);
    // spread by zone over the two live zones
    expect(perInstance(c.arns, tasks)).toEqual([0, 3, 3]);
    const lost = await describeTasks(scope, stale);
    for (const t of lost) expect(t).toMatchObject({ lastStatus: "STOPPED", stopCode: "TerminationNotice" });
    // the host's engine still runs the stale copies while its agent is away
    expect((await runningArnsInEngine(h, cluster, family)).sort()).toEqual([...stale].sort());

    const restartedAt = Date.now();
    h.startAgent();
    await untilNoDuplicates("agent restart: stale copies stopped, no duplicates after", restartedAt);
    expect(await runningArnsInEngine(h, cluster, family)).toEqual([]);
    // the lost tasks stayed STOPPED: a late report never brought them back
    for (const t of await describeTasks(scope, stale)) expect(t.lastStatus).toBe("STOPPED");
  });

  it("a cut link: the host's tasks are replaced on the others meanwhile; healed, its stale copies are stopped", async () => {
    const h = c.hosts[1];
    const stale = await runningArnsInEngine(h, cluster, family);
    expect(stale.length).toBeGreaterThan(0);

    const cutAt = Date.now();
    h.cutLink();
    let tasks: Task[];
    try {
      // the documented timeline: 6-6.5 s to miss 3 heartbeats of 2 s (the 5 s grace, counted from
      // the last heartbeat, is over by then), then a start
      ({ tasks } = await untilWholeWithout(h, cutAt, "cut link (defaults): service whole on the other hosts after", 45_000));
      // the partitioned engine runs its copies on: nobody can tell it otherwise
      expect((await runningArnsInEngine(h, cluster, family)).sort()).toEqual([...stale].sort());
    } finally {
      h.healLink();
    }
    expect(perInstance(c.arns, tasks)[1]).toBe(0);
    const healedAt = Date.now();
    await untilNoDuplicates("heal link: stale copies stopped, no duplicates after", healedAt);
    expect(await runningArnsInEngine(h, cluster, family)).toEqual([]);
    const arn = c.arns[1];
    expect((await describeInstances({ ecs: c.ecs() }, cluster)).find((i) => i.containerInstanceArn === arn)?.agentConnected).toBe(true);
  });

  it("a stopped dockerd: its tasks end STOPPED and are replaced on the other hosts", async () => {
    // the host that holds tasks now
    const before = await runningTasks(scope, service);
    const counts = perInstance(c.arns, before);
    const h = c.hosts[counts.indexOf(Math.max(...counts))];
    const victims = before.filter((t) => t.containerInstanceArn === c.arns[h.index - 1]).map((t) => t.taskArn!);
    expect(victims.length).toBeGreaterThan(0);

    const stoppedAt = Date.now();
    await h.stopDocker();
    try {
      const stopped = await eventually("the engine's tasks to be STOPPED", async () => {
        const found = await describeTasks(scope, victims);
        return found.every((t) => t.lastStatus === "STOPPED") ? found : undefined;
      }, 30_000, 200).catch(async (err: Error) => {
        // what berth shows instead, for the report: the tasks, the instance, the agent's view
        const found = await describeTasks(scope, victims);
        const ci = (await describeInstances({ ecs: c.ecs() }, cluster)).find((i) => i.containerInstanceArn === c.arns[h.index - 1]);
        throw new Error(`${err.message}\nthe engine's tasks: ${JSON.stringify(found.map((t) => ({ last: t.lastStatus, desired: t.desiredStatus, containers: t.containers?.map((x) => [x.lastStatus, x.reason, x.exitCode]) })))}\n` +
          `instance: agentConnected=${ci?.agentConnected} status=${ci?.status}\n${await serviceState()}\nagent log:\n${h.agentOutput(60)}`);
      });
      report("stop dockerd: its tasks STOPPED after", stoppedAt);
      console.log(`stop dockerd: stop reasons ${JSON.stringify(stopped.map((t) => [t.stopCode, t.stoppedReason]))}`);
      await untilWholeWithout(h, stoppedAt, "stop dockerd: service whole on the other hosts after", 45_000);
    } finally {
      await h.startDocker();
    }
    await untilStable(scope, service, () => true, 60_000);
    await untilNoDuplicates("dockerd back: stable, no duplicates after", stoppedAt);
  });
});

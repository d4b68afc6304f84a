// Instance liveness against a real etcd and control plane: an instance whose session ends is
// disconnected at once and its tasks are marked lost after the grace period; an instance whose
// session key vanishes (its replica died) is marked disconnected by the loop; connected
// instances are never touched; a silent agent's session ends at the heartbeat limit; a
// replica's sessions share one lease. Sessions are held by the test over the real protocol.
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys, startLivenessLoop, type LivenessLoop } from "@berth/controlplane";
import { eventually, startTestControlPlane, testLogger, type TestControlPlane } from "../support/berth.js";
import { holdSession, registerInstanceOverGrpc, type HeldSession } from "../support/grpc-agent.js";

// longer than the test control plane's silence limit (3 heartbeats of 500 ms), so a silent
// agent's grace can be seen counting from its last heartbeat rather than from its session's end
const graceMs = 3000;
const silenceLimitMs = 1500;
const lostReason = /^Task stopped because its container instance was lost \(agent disconnected for \d+ s\)$/;
let t: TestControlPlane;
let loop: LivenessLoop | undefined;
const sessions: HeldSession[] = [];

beforeAll(async () => {
  // The replica's own leader loop waits 10 minutes, so what is seen here is the test's loop.
  t = await startTestControlPlane({ BERTH_LOST_INSTANCE_GRACE_MS: "600000" });
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "sleeper", containerDefinitions: [{ name: "main", image: "berth-test/busybox:latest", memory: 256 }] }));
  loop = startLivenessLoop({ ctx: t.cp.ctx, intervalMs: 500, graceMs, log: testLogger() });
});
afterAll(async () => {
  for (const s of sessions) s.close();
  await loop?.stop();
  await t?.stop();
});

const idOf = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

/** A cluster with one registered instance whose session the test holds, and one task placed on it. */
async function instanceWithTask(cluster: string) {
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const instanceArn = await registerInstanceOverGrpc(t.grpcAddress, { cluster });
  const session = await holdSession(t.grpcAddress, cluster, instanceArn);
  sessions.push(session);
  const run = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "sleeper" }));
  expect(run.failures).toEqual([]);
  const taskArn = run.tasks![0].taskArn!;
  return { instanceArn, session, taskArn };
}

const describeInstance = async (cluster: string, arn: string) =>
  (await t.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }))).containerInstances![0];
const describeTask = async (cluster: string, arn: string) => (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
const memoryLeft = (i: Awaited<ReturnType<typeof describeInstance>>) => i.remainingResources!.find((r) => r.name === "MEMORY")!.integerValue;

describe("instance liveness", () => {
  it("liveness: a closed session disconnects the instance at once and its task is lost after the grace", async () => {
    const lost = await instanceWithTask("live-closed");
    const bystander = await instanceWithTask("live-bystander");
    expect(memoryLeft(await describeInstance("live-closed", lost.instanceArn))).toBe(4096 - 256);

    const closedAt = Date.now();
    lost.session.close();
    await eventually("agentConnected false", async () => ((await describeInstance("live-closed", lost.instanceArn)).agentConnected ? undefined : true), 5_000, 50);
    const disconnectedAfter = Date.now() - closedAt;
    expect(disconnectedAfter).toBeLessThan(1_000);
    // within the grace the task is left alone
    expect((await describeTask("live-closed", lost.taskArn)).lastStatus).not.toBe("STOPPED");

    const task = await eventually(
      "the task to be marked lost",
      async () => {
        const tk = await describeTask("live-closed", lost.taskArn);
        return tk.lastStatus === "STOPPED" ? tk : undefined;
      },
      10_000,
      50,
    );
    const stoppedAfter = Date.now() - closedAt;
    expect(stoppedAfter).toBeGreaterThanOrEqual(graceMs);
    expect(stoppedAfter).toBeLessThan(graceMs + 1_500);
    expect(task).toMatchObject({ desiredStatus: "STOPPED", lastStatus: "STOPPED", stopCode: "TerminationNotice" });
    expect(task.stoppedReason).toMatch(lostReason);
    expect(task.containers!.every((c) => c.lastStatus === "STOPPED")).toBe(true);
    // the reservation went back to the instance
    expect(memoryLeft(await describeInstance("live-closed", lost.instanceArn))).toBe(4096);

    // the connected instance and its task were never touched
    const other = await describeInstance("live-bystander", bystander.instanceArn);
    expect(other.agentConnected).toBe(true);
    expect((await describeTask("live-bystander", bystander.taskArn)).desiredStatus).toBe("RUNNING");
  });

  it("liveness: a silent agent's grace counts from its last heartbeat, so its task is lost as its session ends", async () => {
    const quiet = await instanceWithTask("live-silent-grace");
    const silentAt = Date.now();
    quiet.session.silence();
    const task = await eventually(
      "the silent instance's task to be marked lost",
      async () => {
        const tk = await describeTask("live-silent-grace", quiet.taskArn);
        return tk.lastStatus === "STOPPED" ? tk : undefined;
      },
      15_000,
      50,
    );
    const stoppedAfter = Date.now() - silentAt;
    // the session ends after 3 missed heartbeats (1.5 s, its last one up to 0.3 s before the
    // silence began); the grace (3 s) counts from that last heartbeat, so the task is lost about
    // 3 s after the silence, not 1.5 s + 3 s after it as when the grace began at the session's end
    expect(stoppedAfter).toBeGreaterThanOrEqual(graceMs - 300);
    expect(stoppedAfter).toBeLessThan(silenceLimitMs + graceMs - 300);
    expect(task.stoppedReason).toMatch(lostReason);
    expect((await describeInstance("live-silent-grace", quiet.instanceArn)).agentConnected).toBe(false);
  });

  it("liveness: a silent agent's session ends once it missed 3 heartbeats (3 × the replica's 500 ms), not before", async () => {
    const cluster = "live-silent";
    await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const instanceArn = await registerInstanceOverGrpc(t.grpcAddress, { cluster });
    const session = await holdSession(t.grpcAddress, cluster, instanceArn, 100);
    sessions.push(session);
    // heartbeats for a while: the session's timer is moved on, never fires early
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await describeInstance(cluster, instanceArn)).agentConnected).toBe(true);
    const silentAt = Date.now();
    session.silence();
    await eventually("agentConnected false", async () => ((await describeInstance(cluster, instanceArn)).agentConnected ? undefined : true), 10_000, 25);
    const after = Date.now() - silentAt;
    // the last heartbeat was at most 100 ms before the silence
    expect(after).toBeGreaterThanOrEqual(1_500 - 100);
    expect(after).toBeLessThan(1_500 + 1_000);
  });

  it("liveness: a replica's sessions share one lease; one ending deletes only its own key", async () => {
    const cluster = "live-lease";
    await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const arns = [await registerInstanceOverGrpc(t.grpcAddress, { cluster }), await registerInstanceOverGrpc(t.grpcAddress, { cluster })];
    const [first, second] = [await holdSession(t.grpcAddress, cluster, arns[0]), await holdSession(t.grpcAddress, cluster, arns[1])];
    sessions.push(first, second);
    const keyOf = async (arn: string) => (await t.cp.ctx.store.kv.client.get(keys.session(cluster, idOf(arn))).exec()).kvs[0];
    const [a, b] = [await keyOf(arns[0]), await keyOf(arns[1])];
    expect(a.lease).not.toBe("0");
    expect(b.lease).toBe(a.lease);
    first.close();
    await eventually("the first session's key gone", async () => ((await keyOf(arns[0])) ? undefined : true), 5_000, 50);
    // the lease was not revoked with it: the second key is still there, still on it
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await keyOf(arns[1]))?.lease).toBe(a.lease);
    expect((await describeInstance(cluster, arns[1])).agentConnected).toBe(true);
  });

  it("liveness: a vanished session key (its replica died) is marked disconnected, and the agent hears its task stopped", async () => {
    const cluster = "live-vanished";
    const { instanceArn, session, taskArn } = await instanceWithTask(cluster);
    const id = idOf(instanceArn);
    await eventually("the task pushed to the agent", async () => (session.payloads.some((p) => p.tasks.some((s) => s.taskArn === taskArn)) ? true : undefined), 5_000, 50);

    // The session is still open on the replica, but its key is gone as after a lease expiry.
    const deletedAt = Date.now();
    await t.cp.ctx.store.kv.client.delete().key(keys.session(cluster, id)).exec();
    const rec = await eventually(
      "the loop to mark the instance disconnected",
      async () => {
        const got = await t.cp.ctx.store.instances.get(cluster, id);
        return got && !got.value.agentConnected ? got.value : undefined;
      },
      5_000,
      50,
    );
    expect(Date.now() - deletedAt).toBeLessThan(1_500);
    expect(rec.disconnectedAtMs).toBeGreaterThanOrEqual(deletedAt - 50);
    expect((await describeInstance(cluster, instanceArn)).agentConnected).toBe(false);

    const task = await eventually("the task to be marked lost", async () => {
      const tk = await describeTask(cluster, taskArn);
      return tk.lastStatus === "STOPPED" ? tk : undefined;
    }, 10_000, 50);
    expect(task.stoppedReason).toMatch(lostReason);
    // The replica still serving the session tells the agent to stop it.
    await eventually(
      "a STOPPED payload for the task",
      async () => (session.payloads.some((p) => p.tasks.some((s) => s.taskArn === taskArn && s.desiredStatus === "STOPPED")) ? true : undefined),
      5_000,
      50,
    );
  });
});

describe("instance liveness with the defaults, run by the elected leader", () => {
  it("liveness: the control plane's own leader marks a closed session's task lost about 5 s later", async () => {
    const cp = await startTestControlPlane();
    try {
      await eventually("the replica to lead", async () => (cp.cp.isLeader() ? true : undefined), 15_000, 50);
      const cluster = "live-defaults";
      await cp.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
      await cp.ecs.send(new RegisterTaskDefinitionCommand({ family: "sleeper", containerDefinitions: [{ name: "main", image: "berth-test/busybox:latest", memory: 256 }] }));
      const instanceArn = await registerInstanceOverGrpc(cp.grpcAddress, { cluster });
      const session = await holdSession(cp.grpcAddress, cluster, instanceArn);
      const run = await cp.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "sleeper" }));
      const taskArn = run.tasks![0].taskArn!;
      const closedAt = Date.now();
      session.close();
      const task = await eventually("the task to be marked lost", async () => {
        const tk = (await cp.ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0];
        return tk.lastStatus === "STOPPED" ? tk : undefined;
      }, 15_000, 100);
      const after = Date.now() - closedAt;
      expect(after).toBeGreaterThanOrEqual(5_000);
      expect(after).toBeLessThan(6_500);
      expect(task.stoppedReason).toMatch(lostReason);
    } finally {
      await cp.stop();
    }
  });
});

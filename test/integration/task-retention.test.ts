import {
  CreateClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { holdSession, registerInstanceOverGrpc, type HeldSession } from "../support/grpc-agent.js";

// STOPPED tasks stay describable for the retention period, then the leader forgets them; the
// same round audits each instance's held-task list against the task records.
let t: TestControlPlane;
let session: HeldSession;
const cluster = "retention";

beforeAll(async () => {
  t = await startTestControlPlane({ BERTH_STOPPED_TASK_RETENTION_MS: "1500", BERTH_RECONCILE_INTERVAL_MS: "200" });
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
});
afterAll(async () => {
  session?.close();
  await t?.stop();
});

describe("stopped task retention", () => {
  it("keeps a stopped task describable for the retention, then answers MISSING", async () => {
    const arn = await registerInstanceOverGrpc(t.grpcAddress, { cluster });
    session = await holdSession(t.grpcAddress, cluster, arn);
    await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "r", containerDefinitions: [{ name: "a", image: "x", memory: 8 }] }));
    const task = (await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "r" }))).tasks![0];
    await t.ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: arn, force: true }));
    const stopped = (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [task.taskArn!] }))).tasks![0];
    expect(stopped.lastStatus).toBe("STOPPED");
    const gone = await eventually("the stopped task to be forgotten", async () => {
      const res = await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [task.taskArn!] }));
      return res.failures?.length ? res.failures : undefined;
    }, 20_000);
    expect(gone).toEqual([{ arn: task.taskArn, reason: "MISSING" }]);
  });

  it("fills in an instance record written without heldTasks and repairs one that drifted", async () => {
    const arn = await registerInstanceOverGrpc(t.grpcAddress, { cluster });
    const held = await holdSession(t.grpcAddress, cluster, arn);
    try {
      const id = arn.split("/").pop()!;
      const run = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "r", count: 2 }));
      const taskIds = run.tasks!.map((x) => x.taskArn!.split("/").pop()!).sort();
      const heldIds = async () => (await t.cp.ctx.store.instances.get(cluster, id))!.value.heldTasks?.map((h) => h.id).sort();
      expect(await heldIds()).toEqual(taskIds);

      // as written by a version before the field
      await t.cp.ctx.store.instances.mutate([cluster, id], (cur) => ({ ...cur, heldTasks: undefined }));
      expect(await eventually("the list to be filled in", async () => (await heldIds())?.length ? await heldIds() : undefined, 20_000)).toEqual(taskIds);

      // a phantom entry and a missing one, as a writer that broke the invariant would leave
      await t.cp.ctx.store.instances.mutate([cluster, id], (cur) => ({ ...cur, heldTasks: [{ ...cur.heldTasks![0], id: "phantom" }] }));
      expect(await eventually("the drift to be repaired", async () => ((await heldIds())?.includes("phantom") ? undefined : await heldIds()), 20_000)).toEqual(taskIds);
    } finally {
      held.close();
    }
  });
});

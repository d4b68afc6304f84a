import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileControlPlaneConfig, Kv, startControlPlane, Txn } from "@berth/controlplane";
import { ecsClient, startTestControlPlane, testCaKeyFile, testLogger, type TestControlPlane } from "../support/berth.js";

// ECS sorts ListTaskDefinitions by family name, then revision: `app` before `app-worker`.
let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(async () => {
  await t?.stop();
});

const arnsOf = async (sort: "ASC" | "DESC") =>
  ((await t.ecs.send(new ListTaskDefinitionsCommand({ sort }))).taskDefinitionArns ?? []).map((a) => a.split("/").pop());

describe("task definition keys", () => {
  it("list by family name then revision, a family that extends another's name after it", async () => {
    for (const family of ["app-worker", "app", "app_x", "app", "ap"]) {
      await t.ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: "c", image: "berth-test/busybox:latest", memory: 16 }] }));
    }
    expect(await arnsOf("ASC")).toEqual(["ap:1", "app:1", "app:2", "app-worker:1", "app_x:1"]);
    expect(await arnsOf("DESC")).toEqual(["app_x:1", "app-worker:1", "app:2", "app:1", "ap:1"]);
    // familyPrefix is the whole family name: app's revisions, not app-worker's.
    const app = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "app" }));
    expect(app.taskDefinitionArns?.map((a) => a.split("/").pop())).toEqual(["app:1", "app:2"]);
  });

  it("records of the first layout are moved at start, each once, and read as before", async () => {
    const kv = Kv.connect(t.etcd.endpoint);
    try {
      // Put every record back where a berth of the first layout kept it.
      const current = await kv.list<{ family: string; revision: number }>("/berth/v1/task-definitions/");
      expect(current.items).toHaveLength(5);
      const back = new Txn();
      for (const item of current.items) {
        back.delete(item.key).put(`/berth/v1/taskdefs/${item.value.family}/${String(item.value.revision).padStart(10, "0")}`, item.value);
      }
      await kv.commit(back);
      expect((await kv.list("/berth/v1/task-definitions/")).items).toHaveLength(0);

      // Two replicas starting at once both run the move; every record lands once.
      const config = compileControlPlaneConfig(
        { etcdEndpoints: t.etcd.endpoint, apiAddress: "127.0.0.1:0", grpcAddress: "127.0.0.1:0", caKeyFile: testCaKeyFile },
        {},
      );
      const [a, b] = await Promise.all([startControlPlane(config, testLogger()), startControlPlane(config, testLogger())]);
      try {
        expect((await kv.list("/berth/v1/taskdefs/")).items).toHaveLength(0);
        expect((await kv.list("/berth/v1/task-definitions/")).items).toHaveLength(5);
        const ecs = ecsClient(`http://127.0.0.1:${a.apiPort}`);
        const listed = await ecs.send(new ListTaskDefinitionsCommand({}));
        expect(listed.taskDefinitionArns?.map((x) => x.split("/").pop())).toEqual(["ap:1", "app:1", "app:2", "app-worker:1", "app_x:1"]);
        expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "app" }))).taskDefinition?.revision).toBe(2);
        // New revisions continue the family's count.
        const next = await ecs.send(new RegisterTaskDefinitionCommand({ family: "app", containerDefinitions: [{ name: "c", image: "x", memory: 16 }] }));
        expect(next.taskDefinition?.revision).toBe(3);
        ecs.destroy();
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      kv.close();
    }
  });
});

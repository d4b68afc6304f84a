import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { Txn, keys } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { TEST_IMAGE } from "../support/image.js";

// ECS's per-cluster service quota, checked against a store that really holds 5,000 services
// (written straight into etcd: creating them through the API would take minutes).
let t: TestControlPlane;
const cluster = `quota-${process.pid}`;
beforeAll(async () => {
  t = await startTestControlPlane();
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "q", containerDefinitions: [{ name: "a", image: TEST_IMAGE, memory: 16 }] }));
});
afterAll(async () => {
  await t?.stop();
});

describe("quotas", () => {
  it("refuses the 5,001st service of a cluster with ClientException and creates nothing", async () => {
    const kv = t.cp.ctx.store.kv;
    for (let i = 0; i < 4_999; i += 120) {
      const txn = new Txn();
      for (let j = i; j < Math.min(i + 120, 4_999); j++) txn.put(keys.service(cluster, `filler-${j}`), { name: `filler-${j}`, cluster, status: "INACTIVE" });
      await kv.commit(txn);
    }
    // the 5,000th is still allowed
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "last", taskDefinition: "q", desiredCount: 0 }));
    await expect(t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "one-too-many", taskDefinition: "q", desiredCount: 0 }))).rejects.toMatchObject({
      name: "ClientException",
      message: expect.stringMatching(/already has 5000 services/),
    });
    expect(await t.cp.ctx.store.services.get(cluster, "one-too-many")).toBeUndefined();
  });
});

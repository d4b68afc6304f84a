import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ListClustersCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  paginateListTaskDefinitions,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kv, Txn } from "@berth/controlplane";
import { eventually, startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";

// Cleanup (which finishes DELETE_IN_PROGRESS deletions) runs every retention/10, at least every
// reconcile interval: a short retention makes it run every second here.
let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane({ BERTH_STOPPED_TASK_RETENTION_MS: "10000", BERTH_RECONCILE_INTERVAL_MS: "500" });
});
afterAll(async () => {
  await t?.stop();
});

/** A task definition of about `bytes` bytes of JSON (ECS allows up to 64 KiB). */
function bigDefinition(family: string, bytes: number): RegisterTaskDefinitionCommandInput {
  const environment = [];
  for (let i = 0; JSON.stringify(environment).length < bytes - 400; i++) environment.push({ name: `VAR_${i}`, value: "x".repeat(900) });
  return { family, containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", memory: 16, environment }] };
}

const health = async () => {
  const res = await fetch(`${t.endpoint}/healthz`);
  return { status: res.status, body: await res.text() };
};

describe("listings stay bounded as the store grows", () => {
  it("lists 68 revisions of a 63 KB definition (past 4 MiB in all), and unrelated calls right after succeed", async () => {
    const input = bigDefinition("big", 63_500);
    expect(JSON.stringify(input).length).toBeGreaterThan(63_000);
    for (let i = 0; i < 68; i++) await t.ecs.send(new RegisterTaskDefinitionCommand(input));

    // One range read of every revision would be past gRPC's 4 MiB answer limit.
    const arns: string[] = [];
    for await (const page of paginateListTaskDefinitions({ client: t.ecs, pageSize: 100 }, { familyPrefix: "big" })) arns.push(...(page.taskDefinitionArns ?? []));
    expect(arns).toHaveLength(68);
    expect(arns[67]).toMatch(/task-definition\/big:68$/);
    const desc = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "big", sort: "DESC", maxResults: 3 }));
    expect(desc.taskDefinitionArns?.map((a) => a.split(":").pop())).toEqual(["68", "67", "66"]);
    expect((await t.ecs.send(new ListTaskDefinitionFamiliesCommand({}))).families).toEqual(["big"]);
    expect((await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "big" }))).taskDefinition?.revision).toBe(68);

    // Unrelated calls made right after: no client-wide breaker tripped, nothing to wait out.
    expect((await t.ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
    expect((await t.ecs.send(new DescribeClustersCommand({ clusters: ["default"] }))).failures?.[0]?.reason).toBe("MISSING");
    expect(await health()).toEqual({ status: 200, body: "ok\n" });
  });

  it("pages through with nextToken without repeats or gaps", async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const res = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "big", maxResults: 7, nextToken }));
      expect(res.taskDefinitionArns!.length).toBeLessThanOrEqual(7);
      seen.push(...res.taskDefinitionArns!);
      nextToken = res.nextToken;
    } while (nextToken);
    expect(seen).toHaveLength(68);
    expect(new Set(seen).size).toBe(68);
  });

  it("pages the same way for boto3's paginators", async () => {
    const script = `arns = []
for page in ecs.get_paginator("list_task_definitions").paginate(familyPrefix="big", PaginationConfig={"PageSize": 9}):
    arns += page["taskDefinitionArns"]
fams = ecs.list_task_definition_families(status="ACTIVE")["families"]
print(json.dumps({"arns": arns, "fams": fams}))`;
    const out = await boto3Json<{ arns: string[]; fams: string[] }>(t.endpoint, script);
    expect(out.arns).toHaveLength(68);
    expect(new Set(out.arns).size).toBe(68);
    expect(out.fams).toEqual(["big"]);
  });

  it("refuses a nextToken it did not hand out", async () => {
    await expect(t.ecs.send(new ListTaskDefinitionsCommand({ nextToken: "bogus" }))).rejects.toMatchObject({ name: "InvalidParameterException" });
  });
});

describe("DeleteTaskDefinitions", () => {
  it("deletes INACTIVE revisions only, and the family keeps its revision counter", async () => {
    const input = bigDefinition("gone", 1_000);
    for (let i = 0; i < 2; i++) await t.ecs.send(new RegisterTaskDefinitionCommand(input));
    await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "gone:1" }));

    const res = await t.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["gone:1", "gone:2", "gone:9"] }));
    expect(res.taskDefinitions?.map((d) => [d.revision, d.status])).toEqual([[1, "DELETE_IN_PROGRESS"]]);
    expect(res.taskDefinitions?.[0].deleteRequestedAt).toBeInstanceOf(Date);
    expect(res.failures?.map((f) => [f.arn?.split("/").pop(), f.reason])).toEqual([
      ["gone:2", "The specified task definition is still in ACTIVE status. Please deregister the target and try again."],
      ["gone:9", "The specified task definition does not exist."],
    ]);
    // Nothing uses it, so the cleanup loop deletes it for good.
    await eventually("gone:1 to be deleted", async () =>
      (await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "gone:1" })).catch((e: Error) => e)) instanceof Error ? true : undefined,
    );
    await expect(t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "gone:1" }))).rejects.toMatchObject({ name: "ClientException" });

    // Deregister and delete the last one: the family leaves every listing, but the name's
    // revisions go on from 3.
    await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "gone:2" }));
    expect((await t.ecs.send(new ListTaskDefinitionFamiliesCommand({ status: "INACTIVE" }))).families).toEqual(["gone"]);
    await t.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["gone:2"] }));
    expect((await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "gone", status: "DELETE_IN_PROGRESS" }))).taskDefinitionArns).toHaveLength(1);
    await eventually("the family to leave the listing", async () =>
      (await t.ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: "gone" }))).families?.length === 0 ? true : undefined,
    );
    expect((await t.ecs.send(new RegisterTaskDefinitionCommand(input))).taskDefinition?.revision).toBe(3);
  });

  it("answers boto3's delete_task_definitions (boto3 >= 1.33 knows it)", async () => {
    await t.ecs.send(new RegisterTaskDefinitionCommand(bigDefinition("viaboto", 1_000)));
    await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "viaboto:1" }));
    const out = await boto3Json<{ taskDefinitions: { status: string }[]; failures: unknown[] }>(
      t.endpoint,
      `r = ecs.delete_task_definitions(taskDefinitions=["viaboto:1"])
print(json.dumps({"taskDefinitions": [{"status": d["status"]} for d in r["taskDefinitions"]], "failures": r["failures"]}))`,
      "1.33.0",
    );
    expect(out).toEqual({ taskDefinitions: [{ status: "DELETE_IN_PROGRESS" }], failures: [] });
  });

  it("refuses a reference without a revision, and more than 10", async () => {
    await expect(t.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["gone"] }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    const eleven = Array.from({ length: 11 }, (_, i) => `gone:${i + 1}`);
    await expect(t.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: eleven }))).rejects.toMatchObject({ name: "InvalidParameterException" });
  });
});

describe("the etcd client", () => {
  it("reads a listing too large for one answer in smaller pages", async () => {
    // A client whose receive limit (1 MiB) is below one page of the 63 KB revisions above.
    const kv = Kv.connect(t.etcd.endpoint, { grpcOptions: { "grpc.max_receive_message_length": 1 << 20 } });
    try {
      expect((await kv.list("/berth/v1/task-definitions/big!")).items).toHaveLength(68);
    } finally {
      kv.close();
    }
  });

  it("keeps serving other calls after answers too large for it, instead of tripping a breaker for all", async () => {
    const key = "/berth/v1/test/huge";
    const writer = Kv.connect(t.etcd.endpoint);
    await writer.commit(new Txn().put(key, "x".repeat(1_200_000)));
    writer.close();
    const kv = Kv.connect(t.etcd.endpoint, { grpcOptions: { "grpc.max_receive_message_length": 1 << 20 } });
    try {
      for (let i = 0; i < 5; i++) await expect(kv.get(key)).rejects.toThrow(/larger than max|RESOURCE_EXHAUSTED|exceeds/i);
      expect(await kv.get("/berth/v1/clusters/none")).toBeUndefined();
      expect((await kv.list("/berth/v1/families/")).items.length).toBeGreaterThan(0);
    } finally {
      kv.close();
    }
  });
});

describe("/healthz", () => {
  it("says 503 with the reason while etcd is unreachable", async () => {
    await t.etcd.stop();
    const res = await health();
    expect(res.status).toBe(503);
    expect(res.body).toMatch(/^etcd unreachable: /);
  });
});

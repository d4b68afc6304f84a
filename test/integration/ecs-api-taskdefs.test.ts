import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { example, exampleNames } from "../support/examples.js";

let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(async () => {
  await t?.stop();
});

describe("task definitions through @aws-sdk/client-ecs", () => {
  it("registers the guide's three examples verbatim, revisions 1, 2, 3 on re-registration", async () => {
    for (const name of exampleNames) {
      const input = example(name) as unknown as RegisterTaskDefinitionCommandInput;
      for (const want of [1, 2, 3]) {
        const res = await t.ecs.send(new RegisterTaskDefinitionCommand(input));
        expect(res.taskDefinition?.family).toBe(name);
        expect(res.taskDefinition?.revision).toBe(want);
        expect(res.taskDefinition?.status).toBe("ACTIVE");
        expect(res.taskDefinition?.taskDefinitionArn).toBe(`arn:aws:ecs:us-east-1:000000000000:task-definition/${name}:${want}`);
        expect(res.taskDefinition?.registeredAt).toBeInstanceOf(Date);
      }
    }
  });

  it("keeps what was registered: microservice's two containers with hostPort 0 and env", async () => {
    const res = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "microservice:1" }));
    const td = res.taskDefinition!;
    expect(td.networkMode).toBe("awsvpc");
    expect(td.requiresCompatibilities).toEqual(["EC2"]);
    expect(td.containerDefinitions?.map((c) => c.name)).toEqual(["api-service", "redis-cache"]);
    expect(td.containerDefinitions?.[0].cpu).toBe(256);
    expect(td.containerDefinitions?.[0].memory).toBe(512);
    expect(td.containerDefinitions?.[0].environment).toEqual([{ name: "NODE_ENV", value: "production" }]);
    expect(td.containerDefinitions?.[0].portMappings?.[0].containerPort).toBe(3000);
    const web = (await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web-app" }))).taskDefinition!;
    expect(web.cpu).toBe("256");
    expect(web.memory).toBe("512");
    expect(web.containerDefinitions?.[0].logConfiguration?.options?.["awslogs-group"]).toBe("/ecs/web-app");
  });

  it.each([
    // bare family: the newest ACTIVE revision
    ["batch-processor", 3],
    // family:revision
    ["batch-processor:2", 2],
    // full ARN
    ["arn:aws:ecs:us-east-1:000000000000:task-definition/batch-processor:1", 1],
  ])("describes %s as revision %i", async (ref, revision) => {
    const res = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }));
    expect(res.taskDefinition?.revision).toBe(revision);
  });

  it("lists families and definitions", async () => {
    const fams = await t.ecs.send(new ListTaskDefinitionFamiliesCommand({}));
    expect(fams.families?.sort()).toEqual(["batch-processor", "microservice", "web-app"]);
    // familyPrefix is "the full family name" (ECS's documentation): "web" names no family here.
    expect((await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "web" }))).taskDefinitionArns).toEqual([]);
    const defs = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "web-app" }));
    expect(defs.taskDefinitionArns).toHaveLength(3);
    const desc = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "web-app", sort: "DESC" }));
    expect(desc.taskDefinitionArns?.[0]).toMatch(/web-app:3$/);
    const page = await t.ecs.send(new ListTaskDefinitionsCommand({ maxResults: 4 }));
    expect(page.taskDefinitionArns).toHaveLength(4);
    const next = await t.ecs.send(new ListTaskDefinitionsCommand({ maxResults: 100, nextToken: page.nextToken }));
    expect(next.taskDefinitionArns).toHaveLength(5);
    expect(new Set([...page.taskDefinitionArns!, ...next.taskDefinitionArns!]).size).toBe(9);
  });

  it("deregisters a revision: INACTIVE, still describable, no longer the family's latest", async () => {
    const res = await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web-app:3" }));
    expect(res.taskDefinition?.status).toBe("INACTIVE");
    expect(res.taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
    expect((await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web-app:3" }))).taskDefinition?.status).toBe("INACTIVE");
    expect((await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web-app" }))).taskDefinition?.revision).toBe(2);
    const inactive = await t.ecs.send(new ListTaskDefinitionsCommand({ status: "INACTIVE" }));
    expect(inactive.taskDefinitionArns).toEqual(["arn:aws:ecs:us-east-1:000000000000:task-definition/web-app:3"]);
  });

  it("refuses an unknown revision with ClientException", async () => {
    await expect(t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web-app:99" }))).rejects.toMatchObject({ name: "ClientException" });
  });
});

import { ListTaskDefinitionFamiliesCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { example } from "../support/examples.js";

let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(async () => {
  await t?.stop();
});

/** A raw JSON 1.1 call, as a hand-rolled client would make it. */
async function call(target: string | undefined, body: string): Promise<{ status: number; json: { __type?: string; message?: string } }> {
  const headers: Record<string, string> = { "content-type": "application/x-amz-json-1.1" };
  if (target) headers["x-amz-target"] = target;
  const res = await fetch(t.endpoint, { method: "POST", headers, body });
  return { status: res.status, json: (await res.json()) as { __type?: string; message?: string } };
}

const ecs = (action: string) => `AmazonEC2ContainerServiceV20141113.${action}`;
const good = JSON.stringify(example("batch-processor"));

describe("malformed requests get ECS error shapes and write nothing", () => {
  it.each([
    // no X-Amz-Target at all
    [undefined, good, 400, "UnknownOperationException", /X-Amz-Target/],
    // a target of another service
    ["DynamoDB_20120810.ListTables", good, 400, "UnknownOperationException", /not an ECS operation/],
    // an ECS-looking action that does not exist
    [ecs("LaunchRocket"), good, 400, "UnknownOperationException", /LaunchRocket/],
    // not JSON
    [ecs("RegisterTaskDefinition"), "{family:", 400, "SerializationException", /not valid JSON/],
    // missing the required family
    [ecs("RegisterTaskDefinition"), JSON.stringify({ containerDefinitions: [{ name: "a", image: "x", memory: 8 }] }), 400, "InvalidParameterException", /family/],
    // wrong type deep inside: the message names the field path
    [ecs("RegisterTaskDefinition"), JSON.stringify({ family: "bad", containerDefinitions: [{ name: "a", image: "x", memory: "lots" }] }), 400, "InvalidParameterException", /containerDefinitions\[0\]\.memory/],
    // an enum value ECS does not have
    [ecs("RegisterTaskDefinition"), JSON.stringify({ family: "bad", networkMode: "mesh", containerDefinitions: [{ name: "a", image: "x", memory: 8 }] }), 400, "InvalidParameterException", /networkMode/],
    // semantic rule beyond the schema: EC2 containers need memory when the task has none (ECS: ClientException)
    [ecs("RegisterTaskDefinition"), JSON.stringify({ family: "bad", containerDefinitions: [{ name: "a", image: "x" }] }), 400, "ClientException", /At least one of 'memory' or 'memoryReservation'/],
    // duplicate container names
    [ecs("RegisterTaskDefinition"), JSON.stringify({ family: "bad", memory: "64", containerDefinitions: [{ name: "a", image: "x" }, { name: "a", image: "y" }] }), 400, "ClientException", /duplicate container name/],
    // RunTask count beyond ECS's 10
    [ecs("RunTask"), JSON.stringify({ taskDefinition: "batch-processor", count: 11 }), 400, "InvalidParameterException", /count/],
    // a cluster that does not exist
    [ecs("RunTask"), JSON.stringify({ cluster: "nope", taskDefinition: "batch-processor" }), 400, "ClusterNotFoundException", /nope/],
    // an action in the ECS model that berth does not serve yet
    [ecs("CreateTaskSet"), JSON.stringify({ cluster: "default", service: "web", taskDefinition: "web:1" }), 400, "UnsupportedFeatureException", /CreateTaskSet/],
  ])("%s %s -> %i %s", async (target, body, status, type, message) => {
    const res = await call(target, body);
    expect(res.status).toBe(status);
    expect(res.json.__type).toBe(type);
    expect(res.json.message).toMatch(message);
  });

  it("nothing was written by the refused registrations", async () => {
    const fams = await t.ecs.send(new ListTaskDefinitionFamiliesCommand({ status: "ALL" }));
    expect(fams.families).toEqual([]);
  });

  it("refuses a body over the cap with 413", async () => {
    const big = JSON.stringify({ family: "big", containerDefinitions: [{ name: "a", image: "x".repeat(2 * 1024 * 1024), memory: 8 }] });
    const res = await call(ecs("RegisterTaskDefinition"), big);
    expect(res.status).toBe(413);
    expect(res.json.__type).toBe("RequestEntityTooLargeException");
  });

  it("answers /healthz", async () => {
    const res = await fetch(`${t.endpoint}/healthz`);
    expect(res.status).toBe(200);
  });
});

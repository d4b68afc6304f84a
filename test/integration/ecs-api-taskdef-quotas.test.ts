import {
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";

// ECS's quotas and conversions on RegisterTaskDefinition, through @aws-sdk/client-ecs: what is
// refused writes nothing, what is accepted reads back as ECS stores it.
let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(async () => {
  await t?.stop();
});

const KiB = 1024;

/** A definition of `family` whose JSON (the request without tags) is exactly `bytes` long. */
function sized(family: string, bytes: number): RegisterTaskDefinitionCommandInput {
  const make = (pad: string): RegisterTaskDefinitionCommandInput => ({
    family,
    containerDefinitions: [{ name: "main", image: "busybox", memory: 32, environment: [{ name: "PAD", value: pad }] }],
  });
  const base = Buffer.byteLength(JSON.stringify(make("")));
  return make("x".repeat(bytes - base));
}

async function refusal(input: RegisterTaskDefinitionCommandInput): Promise<{ name: string; message: string }> {
  try {
    await t.ecs.send(new RegisterTaskDefinitionCommand(input));
  } catch (err) {
    return { name: (err as Error).name, message: (err as Error).message };
  }
  throw new Error(`registration of ${input.family} was accepted`);
}

const allArns = async () => (await t.ecs.send(new ListTaskDefinitionsCommand({ status: "ACTIVE" }))).taskDefinitionArns ?? [];

describe("RegisterTaskDefinition quotas through @aws-sdk/client-ecs", () => {
  it("refuses a 70 KiB definition with ECS's ClientException and writes nothing", async () => {
    const before = await allArns();
    const input = sized("too-big", 70 * KiB);
    const got = await refusal(input);
    expect(got).toEqual({ name: "ClientException", message: `Actual length: '${70 * KiB}'. Max allowed length is '65536' bytes.` });
    expect(await allArns()).toEqual(before);
    await expect(t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "too-big" }))).rejects.toThrow();
  });

  it("accepts a definition just under 64 KiB", async () => {
    const res = await t.ecs.send(new RegisterTaskDefinitionCommand(sized("just-fits", 64 * KiB - 1)));
    expect(res.taskDefinition?.revision).toBe(1);
    const env = res.taskDefinition?.containerDefinitions?.[0].environment?.[0].value ?? "";
    expect(env.length).toBeGreaterThan(60 * KiB);
  });

  it.each<[string, Partial<RegisterTaskDefinitionCommandInput>, string, RegExp]>([
    // the reserved prefix on a tag key
    ["aws: tag key", { tags: [{ key: "aws:owner", value: "me" }] }, "InvalidParameterException", /^tags\[0\]\.key: the aws: prefix is reserved/],
    // two values for one key
    ["duplicate tag key", { tags: [{ key: "a", value: "1" }, { key: "a", value: "2" }] }, "InvalidParameterException", /^tags\[1\]\.key: 'a' appears more than once/],
    // below ECS's 128 CPU units
    ["task cpu 64", { cpu: "64" }, "ClientException", /^Invalid 'cpu' setting for task\./],
    // a family name with a dot
    ["family with a dot", { family: "my.app" }, "InvalidParameterException", /^family: must be 1 to 255 letters, numbers, hyphens and underscores/],
  ])("refuses %s and writes nothing", async (_name, extra, type, message) => {
    const before = await allArns();
    const got = await refusal({ family: "refused", containerDefinitions: [{ name: "main", image: "busybox", memory: 32 }], ...extra });
    expect(got.name).toBe(type);
    expect(got.message).toMatch(message);
    expect(await allArns()).toEqual(before);
  });

  it("stores task cpu and memory as ECS converts them: '1 vCPU' -> '1024', '2 GB' -> '2048', '0.5GB' -> '512'", async () => {
    const base = { containerDefinitions: [{ name: "main", image: "busybox" }] };
    const a = await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "units-a", cpu: "1 vCPU", memory: "2 GB", ...base }));
    expect([a.taskDefinition?.cpu, a.taskDefinition?.memory]).toEqual(["1024", "2048"]);
    await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "units-b", cpu: "0.5 vcpu", memory: "0.5GB", ...base }));
    const b = (await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "units-b" }))).taskDefinition!;
    expect([b.cpu, b.memory]).toEqual(["512", "512"]);
  });

  it("keeps valid tags and gives them back", async () => {
    const tags = [{ key: "team", value: "core" }, { key: "Cost Center", value: "" }];
    const res = await t.ecs.send(new RegisterTaskDefinitionCommand({ family: "tagged", containerDefinitions: [{ name: "main", image: "busybox", memory: 32 }], tags }));
    expect(res.tags).toEqual(tags);
    const described = await t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "tagged", include: ["TAGS"] }));
    expect(described.tags).toEqual(tags);
  });
});

import { describe, expect, it } from "vitest";
import type { TaskSpec } from "@berth/proto";
import type { ManagedTask } from "../engine/index.js";
import { answerMetadata, type MetadataSource } from "./answer.js";
import { HeldCredentials } from "./held-credentials.js";
import { EndpointTokens } from "./tokens.js";

const tokens = new EndpointTokens(Buffer.alloc(32, 7));
const other = new EndpointTokens(Buffer.alloc(32, 8));
const arn = (id: string) => `arn:aws:ecs:us-east-1:000000000000:task/c/${id}`;
const task = (id: string, role = false): ManagedTask => ({
  arn: arn(id),
  clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/c",
  family: "f",
  revision: 1,
  spec: { taskDefinitionJson: JSON.stringify({ containerDefinitions: [{ name: "app", image: "i" }], ...(role && { taskRoleArn: "arn:aws:iam::000000000000:role/r" }) }) } as TaskSpec,
  desiredStatus: "RUNNING",
  knownStatus: "RUNNING",
  containers: [
    { name: "app", image: "i", essential: true, dependsOn: [], hasHealthCheck: false, knownStatus: "RUNNING", desiredStatus: "RUNNING", networkBindings: [], runtimeId: `docker-${id}` },
    { name: "side", image: "i", essential: false, dependsOn: [], hasHealthCheck: false, knownStatus: "NONE", desiredStatus: "RUNNING", networkBindings: [] },
  ],
});

const now = 1_000_000;
const credentials = new HeldCredentials();
credentials.put({ taskArn: arn("a"), roleArn: "arn:aws:iam::000000000000:role/r", accessKeyId: "ASIA1", secretAccessKey: "s", sessionToken: "t", expirationMs: now + 60_000 });
credentials.put({ taskArn: arn("old"), roleArn: "r", accessKeyId: "ASIA2", secretAccessKey: "s", sessionToken: "t", expirationMs: now - 1 });
// Data in, documents out: the stats a container's runtime id stands for are that id.
const source: MetadataSource = {
  tasks: () => [task("a", true), task("b"), task("old", true), task("none", true)],
  inspect: async () => undefined,
  stats: async (id) => ({ id, read: "2026-12-01T00:00:00Z" }),
  credentials,
  context: { availabilityZone: "z", launchType: "EC2" },
  now: () => now,
};

describe("answerMetadata", () => {
  it.each<[string, string, number, (body: unknown) => unknown, unknown]>([
    // A container's own id: its document.
    ["container", `/v4/${tokens.container(arn("a"), "app")}`, 200, (b) => (b as { Name: string }).Name, "app"],
    // The task of the container whose id it is, not another task.
    ["task", `/v4/${tokens.container(arn("b"), "app")}/task`, 200, (b) => (b as { TaskARN: string }).TaskARN, arn("b")],
    // The container's stats: Docker's document.
    ["stats", `/v4/${tokens.container(arn("a"), "app")}/stats`, 200, (b) => (b as { id: string }).id, "docker-a"],
    // The task's stats keyed by Docker id; a container not made yet has none.
    ["task stats", `/v4/${tokens.container(arn("a"), "side")}/task/stats`, 200, (b) => Object.keys(b as object), ["docker-a"]],
    // The same under v3.
    ["v3", `/v3/${tokens.container(arn("a"), "app")}/task`, 200, (b) => (b as { Family: string }).Family, "f"],
    // Another agent's key: an id this agent never gave out.
    ["foreign id", `/v4/${other.container(arn("a"), "app")}/task`, 404, (b) => typeof b, "string"],
    // An id of the right route with a made-up mac.
    ["made-up id", `/v4/${tokens.route}-${"0".repeat(32)}/task`, 404, (b) => typeof b, "string"],
    // The role credentials in ECS's shape.
    ["credentials", `/v2/credentials/${tokens.credentials(arn("a"))}`, 200, (b) => (b as { AccessKeyId: string }).AccessKeyId, "ASIA1"],
    // A container id is not a credentials id.
    ["container id as credentials", `/v2/credentials/${tokens.container(arn("a"), "app")}`, 400, (b) => (b as { code: string }).code, "InvalidIdInRequest"],
    // Expired credentials are not served.
    ["expired credentials", `/v2/credentials/${tokens.credentials(arn("old"))}`, 500, (b) => (b as { code: string }).code, "InternalServerError"],
    // None arrived yet.
    ["no credentials yet", `/v2/credentials/${tokens.credentials(arn("none"))}`, 500, (b) => (b as { code: string }).code, "InternalServerError"],
  ])("%s", async (_name, path, status, pick, want) => {
    const reply = await answerMetadata(source, tokens, path);
    expect(reply.status).toBe(status);
    expect(pick(reply.body)).toEqual(want);
  });
});

describe("HeldCredentials", () => {
  it("HeldCredentials: an older issue arriving late does not replace a newer one, and forgotten tasks go", () => {
    const held = new HeldCredentials();
    const c = { taskArn: "t", roleArn: "r", accessKeyId: "NEW", secretAccessKey: "s", sessionToken: "x", expirationMs: 10 };
    held.put(c);
    held.put({ ...c, accessKeyId: "OLD", expirationMs: 5 });
    expect(held.get("t", 0)?.accessKeyId).toBe("NEW");
    held.retain(new Set(["t"]), 0);
    held.retain(new Set(["other"]), 0);
    expect(held.get("t", 0)).toBeUndefined();
  });
});

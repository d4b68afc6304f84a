import { describe, expect, it } from "vitest";
import { metadataEnvironment, parseMetadataPath, type MetadataRequest } from "./paths.js";
import { EndpointTokens, routeOfId } from "./tokens.js";

const id = "0123abcd-0123456789abcdef0123456789abcdef";

describe("parseMetadataPath", () => {
  it.each<[string, string, MetadataRequest]>([
    // The container's own document.
    ["v4 container", `/v4/${id}`, { kind: "container", version: "v4", id, route: "0123abcd" }],
    // A trailing slash is the same path.
    ["trailing slash", `/v4/${id}/`, { kind: "container", version: "v4", id, route: "0123abcd" }],
    // The task.
    ["v4 task", `/v4/${id}/task`, { kind: "task", version: "v4", id, route: "0123abcd" }],
    // The container's stats.
    ["v4 stats", `/v4/${id}/stats`, { kind: "container-stats", version: "v4", id, route: "0123abcd" }],
    // The task's stats.
    ["v4 task stats", `/v4/${id}/task/stats`, { kind: "task-stats", version: "v4", id, route: "0123abcd" }],
    // v3 has the same paths.
    ["v3 task", `/v3/${id}/task`, { kind: "task", version: "v3", id, route: "0123abcd" }],
    // The role credentials.
    ["credentials", `/v2/credentials/${id}`, { kind: "credentials", id, route: "0123abcd" }],
    // An id not of the agent's shape.
    ["bad id", "/v4/xyz/task", { kind: "not-found", why: "V4 metadata: no valid endpoint ID in the request" }],
    // No credentials id.
    ["no credentials id", "/v2/credentials/", { kind: "not-found", why: "CredentialsV2Request: no valid credentials ID in the request" }],
    // A path the endpoint does not have.
    ["other path", `/v4/${id}/tasks`, { kind: "not-found", why: `no such path: /v4/${id}/tasks` }],
    // The root.
    ["root", "/", { kind: "not-found", why: "no such path: /" }],
  ])("%s", (_name, path, want) => {
    expect(parseMetadataPath(path)).toEqual(want);
  });
});

describe("metadataEnvironment", () => {
  it.each<[string, Parameters<typeof metadataEnvironment>[0], ReturnType<typeof metadataEnvironment>]>([
    // A task without a role: the endpoint URIs only.
    [
      "no role",
      { containerId: id, region: "us-east-1" },
      {
        fixed: { ECS_CONTAINER_METADATA_URI_V4: `http://169.254.170.2/v4/${id}`, ECS_CONTAINER_METADATA_URI: `http://169.254.170.2/v3/${id}` },
        defaults: { AWS_EXECUTION_ENV: "AWS_ECS_EC2", AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "us-east-1" },
      },
    ],
    // With a role: the credentials' relative URI too.
    [
      "role",
      { containerId: id, credentialsId: "c-1" },
      {
        fixed: {
          ECS_CONTAINER_METADATA_URI_V4: `http://169.254.170.2/v4/${id}`,
          ECS_CONTAINER_METADATA_URI: `http://169.254.170.2/v3/${id}`,
          AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/c-1",
        },
        defaults: { AWS_EXECUTION_ENV: "AWS_ECS_EC2" },
      },
    ],
    // On a Fargate agent: the execution environment says Fargate, as ECS's does.
    [
      "fargate",
      { containerId: id, launchType: "FARGATE" },
      {
        fixed: { ECS_CONTAINER_METADATA_URI_V4: `http://169.254.170.2/v4/${id}`, ECS_CONTAINER_METADATA_URI: `http://169.254.170.2/v3/${id}` },
        defaults: { AWS_EXECUTION_ENV: "AWS_ECS_FARGATE" },
      },
    ],
  ])("%s", (_name, input, want) => {
    expect(metadataEnvironment(input)).toEqual(want);
  });
});

describe("EndpointTokens", () => {
  const a = new EndpointTokens(Buffer.alloc(32, 1));
  const b = new EndpointTokens(Buffer.alloc(32, 2));
  const task = "arn:aws:ecs:us-east-1:000000000000:task/c/1";

  it.each<[string, () => boolean]>([
    // The same key, task and container give the same id (a restarted agent's re-adopted containers).
    ["stable", () => a.container(task, "app") === new EndpointTokens(Buffer.alloc(32, 1)).container(task, "app")],
    // Another container of the task has another id.
    ["per container", () => a.container(task, "app") !== a.container(task, "side")],
    // Another task has another id.
    ["per task", () => a.container(task, "app") !== a.container(`${task}x`, "app")],
    // Another agent's key gives other ids and another route.
    ["per agent", () => a.container(task, "app") !== b.container(task, "app") && a.route !== b.route],
    // Credentials ids are not container ids.
    ["credentials apart", () => a.credentials(task) !== a.container(task, "app")],
    // Every id carries its agent's route.
    ["route inside", () => routeOfId(a.container(task, "app")) === a.route && routeOfId(a.credentials(task)) === a.route],
  ])("%s", (_name, holds) => {
    expect(holds()).toBe(true);
  });

  it("EndpointTokens: a key of another size is refused", () => {
    expect(() => new EndpointTokens(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

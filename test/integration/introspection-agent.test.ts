// The agent's introspection server against a real container on the host's dockerd: the task
// view points at it, and /v1/metadata, /v1/tasks and /healthz answer in ECS's shapes.
import type Docker from "dockerode";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  agentVersionString, createAgentMetrics, dockerStatsSource, startIntrospectionServer,
  type AgentTaskView, type IntrospectionServer,
} from "@berth/agent";
import { docker, ensureTestImage, removeContainersByLabel } from "../support/docker.js";
import { LOOPBACK } from "../support/ports.js";

const LABEL = "berth-test.introspection";
const runId = randomUUID();
const cluster = "itest";
const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/${cluster}/${runId.replaceAll("-", "")}`;
const instanceArn = `arn:aws:ecs:us-east-1:000000000000:container-instance/${cluster}/abc123`;

describe("introspection server", () => {
  const client: Docker = docker();
  let server: IntrospectionServer;
  let container: { id: string; name: string };
  let base: string;
  let tasks: AgentTaskView[] = [];

  beforeAll(async () => {
    const image = await ensureTestImage();
    const created = await client.createContainer({
      Image: image,
      name: `berth-itest-introspection-${runId.slice(0, 8)}`,
      Cmd: ["sleep", "300"],
      Labels: { [LABEL]: runId, "com.amazonaws.ecs.task-arn": taskArn, "com.amazonaws.ecs.container-name": "app" },
    });
    await created.start();
    const info = await created.inspect();
    container = { id: info.Id, name: info.Name.replace(/^\//, "") };
    tasks = [{
      arn: taskArn, cluster, family: "introspect", revision: 2, desiredStatus: "RUNNING", knownStatus: "RUNNING",
      containers: [
        {
          name: "app", runtimeId: container.id, dockerName: container.name, image, knownStatus: "RUNNING", desiredStatus: "RUNNING",
          networkBindings: [{ bindIp: "0.0.0.0", containerPort: 8080, hostPort: 32801, protocol: "tcp" }],
        },
      ],
    }];
    const metrics = createAgentMetrics({ tasks: () => tasks, stats: dockerStatsSource(client), version: "0.1.0", cluster });
    server = await startIntrospectionServer({
      host: LOOPBACK,
      port: 0,
      provider: {
        metadata: () => ({ cluster, containerInstanceArn: instanceArn, version: agentVersionString() }),
        tasks: () => tasks,
        registry: metrics.registry,
      },
    });
    base = `http://${LOOPBACK}:${server.address.port}`;
  });

  afterAll(async () => {
    await server?.close();
    await removeContainersByLabel(`${LABEL}=${runId}`, client);
  });

  const get = async (path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as any };
  };

  it("/v1/metadata: cluster, instance ARN and version in ECS field names", async () => {
    const r = await get("/v1/metadata");
    expect(r.status).toBe(200);
    expect(r.type).toBe("application/json");
    expect(r.body).toEqual({ Cluster: cluster, ContainerInstanceArn: instanceArn, Version: expect.stringMatching(/^berth Agent - v\d+\.\d+\.\d+/) });
  });

  it("/v1/tasks: the running task with its real container", async () => {
    const r = await get("/v1/tasks");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      Tasks: [{
        Arn: taskArn, DesiredStatus: "RUNNING", KnownStatus: "RUNNING", Family: "introspect", Version: "2",
        Containers: [{
          DockerId: container.id, DockerName: container.name, Name: "app", Image: "berth-test/busybox:latest", KnownStatus: "RUNNING",
          Ports: [{ ContainerPort: 8080, Protocol: "tcp", HostPort: 32801, HostIp: "0.0.0.0" }],
        }],
      }],
    });
    // The id the server reports is the engine's own.
    expect((await client.getContainer(r.body.Tasks[0].Containers[0].DockerId).inspect()).State.Running).toBe(true);
  });

  it.each([
    // by task ARN
    ["taskarn", () => `taskarn=${encodeURIComponent(taskArn)}`],
    // by full Docker id
    ["dockerid", () => `dockerid=${container.id}`],
    // by the short id docker ps prints
    ["short dockerid", () => `dockerid=${container.id.slice(0, 12)}`],
  ])("/v1/tasks?%s: the one task, unwrapped", async (_name, query) => {
    const r = await get(`/v1/tasks?${query()}`);
    expect(r.status).toBe(200);
    expect(r.body.Arn).toBe(taskArn);
    expect(r.body.Containers[0].DockerId).toBe(container.id);
  });

  it.each([
    // an ARN the agent does not know
    ["unknown taskarn", "taskarn=arn:aws:ecs:us-east-1:000000000000:task/itest/nope", 404],
    // an id no container has
    ["unknown dockerid", "dockerid=0123456789ab", 404],
    // both at once
    ["both", () => `taskarn=x&dockerid=${container.id}`, 400],
  ])("/v1/tasks?%s: JSON error", async (_name, query, status) => {
    const r = await get(`/v1/tasks?${typeof query === "function" ? query() : query}`);
    expect(r.status).toBe(status);
    expect(r.body.error).toEqual(expect.any(String));
  });

  it("/healthz, unknown paths and methods", async () => {
    expect(await get("/healthz")).toMatchObject({ status: 200, body: { status: "ok" } });
    expect((await get("/v2/nothing")).status).toBe(404);
    const post = await fetch(`${base}/v1/tasks`, { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("/metrics: Prometheus text with the container's series", async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain(`berth_container_memory_usage_bytes{cluster="${cluster}",task_id="${runId.replaceAll("-", "")}",family="introspect",container="app"}`);
  });
});

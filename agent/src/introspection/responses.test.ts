import { describe, expect, it } from "vitest";
import type { AgentTaskView } from "../engine/types.js";
import { findTask, metadataResponse, taskResponse } from "./responses.js";

const id1 = "a".repeat(64);
const id2 = "b".repeat(64);
const task = (arn: string, runtimeId: string): AgentTaskView => ({
  arn,
  cluster: "prod",
  family: "web",
  revision: 7,
  desiredStatus: "RUNNING",
  knownStatus: "RUNNING",
  containers: [
    {
      name: "app", runtimeId, dockerName: "ecs-web-7-app-1", image: "nginx", knownStatus: "RUNNING", desiredStatus: "RUNNING",
      networkBindings: [{ bindIp: "0.0.0.0", containerPort: 80, hostPort: 32768, protocol: "tcp" }],
    },
    { name: "later", image: "busybox", knownStatus: "NONE", desiredStatus: "RUNNING", networkBindings: [] },
  ],
});
const tasks = [task("arn:t1", id1), task("arn:t2", id2)];

describe("introspection responses", () => {
  it("metadataResponse: ECS field names, null ARN before registration", () => {
    expect(metadataResponse({ cluster: "prod", version: "berth Agent - v1.0.0" })).toEqual({
      Cluster: "prod", ContainerInstanceArn: null, Version: "berth Agent - v1.0.0",
    });
  });

  it("taskResponse: ECS shape, containers without a Docker id left out", () => {
    expect(taskResponse(tasks[0])).toEqual({
      Arn: "arn:t1", DesiredStatus: "RUNNING", KnownStatus: "RUNNING", Family: "web", Version: "7",
      Containers: [{
        DockerId: id1, DockerName: "ecs-web-7-app-1", Name: "app", Image: "nginx", KnownStatus: "RUNNING",
        Ports: [{ ContainerPort: 80, Protocol: "tcp", HostPort: 32768, HostIp: "0.0.0.0" }],
      }],
    });
  });

  it.each<[string, { taskarn?: string; dockerid?: string }, string]>([
    // by ARN
    ["taskarn", { taskarn: "arn:t2" }, "task:arn:t2"],
    // unknown ARN
    ["unknown taskarn", { taskarn: "arn:nope" }, "notFound"],
    // full Docker id
    ["dockerid", { dockerid: id1 }, "task:arn:t1"],
    // short id as docker ps prints it
    ["short dockerid", { dockerid: id2.slice(0, 12) }, "task:arn:t2"],
    // too short to be safe
    ["tiny dockerid", { dockerid: "bbb" }, "badRequest"],
    // unknown id
    ["unknown dockerid", { dockerid: "c".repeat(12) }, "notFound"],
    // both given
    ["both", { taskarn: "arn:t1", dockerid: id1 }, "badRequest"],
  ])("findTask: %s", (_name, query, want) => {
    const r = findTask(tasks, query);
    const got = "task" in r ? `task:${r.task.arn}` : "notFound" in r ? "notFound" : "badRequest";
    expect(got).toBe(want);
  });
});

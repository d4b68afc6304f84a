import { describe, expect, it } from "vitest";
import type { TaskSpec } from "@berth/proto";
import type { ManagedContainer, ManagedTask } from "../engine/index.js";
import type { ContainerInspect } from "../runtime/index.js";
import { containerDocument, credentialsDocument, taskDocument } from "./documents.js";

const container = (over: Partial<ManagedContainer> = {}): ManagedContainer => ({
  name: "app",
  image: "berth-test/busybox:latest",
  essential: true,
  dependsOn: [],
  hasHealthCheck: false,
  knownStatus: "RUNNING",
  desiredStatus: "RUNNING",
  networkBindings: [],
  runtimeId: "d0c",
  dockerName: "ecs-web-3-app-abc",
  cpu: 128,
  memory: 64,
  createdAtMs: Date.UTC(2026, 11, 1, 10, 0, 0),
  startedAtMs: Date.UTC(2026, 11, 1, 10, 0, 1),
  ...over,
});

const td = (over: object = {}) =>
  JSON.stringify({ family: "web", containerDefinitions: [{ name: "app", image: "i", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "g" } } }], ...over });

const task = (over: Partial<ManagedTask> = {}, def = td()): ManagedTask => ({
  arn: "arn:aws:ecs:us-east-1:000000000000:task/c/t1",
  clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/c",
  family: "web",
  revision: 3,
  spec: { taskDefinitionJson: def, group: "service:front" } as TaskSpec,
  desiredStatus: "RUNNING",
  knownStatus: "RUNNING",
  containers: [container()],
  pullStartedAtMs: Date.UTC(2026, 11, 1, 9, 59, 58),
  pullStoppedAtMs: Date.UTC(2026, 11, 1, 9, 59, 59),
  ...over,
});

const inspect: ContainerInspect = {
  id: "d0c",
  name: "ecs-web-3-app-abc",
  image: "berth-test/busybox:latest",
  labels: { "com.amazonaws.ecs.container-name": "app" },
  status: "running",
  running: true,
  oomKilled: false,
  networkBindings: [],
  imageId: "sha256:feed",
  networks: [{ name: "bridge", ipv4Address: "172.17.0.5", macAddress: "02:42:ac:11:00:05" }],
};

describe("containerDocument", () => {
  it.each<[string, ManagedTask, ManagedContainer, ContainerInspect | undefined, object]>([
    // A running bridge container: ECS's members, Docker's addresses and image id.
    [
      "bridge",
      task(),
      container(),
      inspect,
      {
        DockerId: "d0c",
        Name: "app",
        DockerName: "ecs-web-3-app-abc",
        Image: "berth-test/busybox:latest",
        ImageID: "sha256:feed",
        Labels: { "com.amazonaws.ecs.container-name": "app" },
        DesiredStatus: "RUNNING",
        KnownStatus: "RUNNING",
        Limits: { CPU: 128, Memory: 64 },
        CreatedAt: "2026-12-01T10:00:00.000Z",
        StartedAt: "2026-12-01T10:00:01.000Z",
        Type: "NORMAL",
        ContainerARN: "arn:aws:ecs:us-east-1:000000000000:container/c/t1/app",
        LogDriver: "awslogs",
        LogOptions: { "awslogs-group": "g" },
        Networks: [{ NetworkMode: "bridge", IPv4Addresses: ["172.17.0.5"], MACAddress: "02:42:ac:11:00:05" }],
      },
    ],
    // An awsvpc task: the address and block of its interface, the block's first address as gateway.
    [
      "awsvpc",
      task({ network: { attachmentId: "a", blockCidr: "172.31.0.64/26", privateIpv4Address: "172.31.0.66", pauseName: "p", macAddress: "0a:58:ac:1f:00:42" } }, td({ networkMode: "awsvpc" })),
      container(),
      undefined,
      {
        Networks: [
          { NetworkMode: "awsvpc", IPv4Addresses: ["172.31.0.66"], AttachmentIndex: 0, MACAddress: "0a:58:ac:1f:00:42", IPv4SubnetCIDRBlock: "172.31.0.64/26", SubnetGatewayIpv4Address: "172.31.0.65/26" },
        ],
      },
    ],
    // Host mode: the mode alone.
    ["host", task({}, td({ networkMode: "host" })), container(), inspect, { Networks: [{ NetworkMode: "host" }] }],
    // Bridge with published ports: ECS's Ports member.
    [
      "ports",
      task(),
      container({ networkBindings: [{ bindIp: "0.0.0.0", containerPort: 80, hostPort: 32768, protocol: "tcp" }] }),
      inspect,
      { Ports: [{ ContainerPort: 80, Protocol: "tcp", HostPort: 32768, HostIp: "0.0.0.0" }] },
    ],
    // Stopped: its exit code and finish time.
    [
      "stopped",
      task(),
      container({ knownStatus: "STOPPED", desiredStatus: "STOPPED", exitCode: 3, finishedAtMs: Date.UTC(2026, 11, 1, 10, 1, 0) }),
      undefined,
      { KnownStatus: "STOPPED", ExitCode: 3, FinishedAt: "2026-12-01T10:01:00.000Z" },
    ],
  ])("%s", (_name, t, c, i, want) => {
    expect(containerDocument(t, c, i)).toMatchObject(want);
  });

  it("containerDocument: what is not known is left out, not null", () => {
    const doc = containerDocument(task(), container({ runtimeId: undefined, createdAtMs: undefined, startedAtMs: undefined, knownStatus: "NONE" }), undefined);
    expect(Object.keys(doc)).not.toContain("DockerId");
    expect(Object.keys(doc)).not.toContain("ImageID");
    expect(Object.keys(doc)).not.toContain("StartedAt");
    expect(Object.keys(doc)).not.toContain("ExitCode");
  });
});

describe("taskDocument", () => {
  it.each<[string, ManagedTask, object]>([
    // The task's members in ECS's shape; Revision is a string there.
    [
      "task",
      task(),
      {
        Cluster: "arn:aws:ecs:us-east-1:000000000000:cluster/c",
        TaskARN: "arn:aws:ecs:us-east-1:000000000000:task/c/t1",
        Family: "web",
        Revision: "3",
        ServiceName: "front",
        DesiredStatus: "RUNNING",
        KnownStatus: "RUNNING",
        PullStartedAt: "2026-12-01T09:59:58.000Z",
        PullStoppedAt: "2026-12-01T09:59:59.000Z",
        AvailabilityZone: "zone-a",
        LaunchType: "EC2",
        Containers: [{ Name: "app", DockerId: "d0c", ImageID: "sha256:feed" }],
      },
    ],
    // Task-level cpu and memory: vCPU and MiB.
    ["task limits", task({}, td({ cpu: "512", memory: "1024" })), { Limits: { CPU: 0.5, Memory: 1024 } }],
  ])("%s", (_name, t, want) => {
    expect(taskDocument(t, new Map([["d0c", inspect]]), { availabilityZone: "zone-a", launchType: "EC2" })).toMatchObject(want);
  });
});

describe("credentialsDocument", () => {
  it("credentialsDocument: ECS's members, the expiration in whole seconds", () => {
    expect(
      credentialsDocument({ roleArn: "arn:aws:iam::000000000000:role/app", accessKeyId: "ASIA1", secretAccessKey: "s", sessionToken: "t", expirationMs: Date.UTC(2026, 11, 1, 16, 0, 0, 250) }),
    ).toEqual({ RoleArn: "arn:aws:iam::000000000000:role/app", AccessKeyId: "ASIA1", SecretAccessKey: "s", Token: "t", Expiration: "2026-12-01T16:00:00Z" });
  });
});

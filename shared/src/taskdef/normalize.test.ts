import { describe, expect, it } from "vitest";
import type { TaskDefinitionRecord } from "../model/records.js";
import batchProcessor from "../../../docs/examples/batch-processor.json" with { type: "json" };
import microservice from "../../../docs/examples/microservice.json" with { type: "json" };
import webApp from "../../../docs/examples/web-app.json" with { type: "json" };
import { compatibilitiesOf, normalizeTaskDefinition } from "./normalize.js";
import type { RegisterTaskDefinitionInput } from "./validate.js";

const opts = { arn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web-app:3", revision: 3, registeredAtMs: 1_700_000_000_000 };

describe("normalizeTaskDefinition", () => {
  it("web-app: fills ECS's defaults and keeps the user's values as sent", () => {
    const rec: TaskDefinitionRecord = normalizeTaskDefinition(webApp as RegisterTaskDefinitionInput, opts);
    expect(rec).toEqual({
      family: "web-app",
      taskDefinitionArn: opts.arn,
      revision: 3,
      status: "ACTIVE",
      registeredAtMs: opts.registeredAtMs,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      compatibilities: ["EC2", "FARGATE"],
      cpu: "256",
      memory: "512",
      volumes: [],
      placementConstraints: [],
      containerDefinitions: [
        {
          name: "web-server",
          image: "nginx:latest",
          cpu: 0,
          essential: true,
          portMappings: [{ containerPort: 80, hostPort: 80, protocol: "tcp" }],
          environment: [],
          mountPoints: [],
          volumesFrom: [],
          systemControls: [],
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/web-app", "awslogs-region": "us-east-1" } },
        },
      ],
    });
  });

  it("microservice: awsvpc hostPort 0 or absent shows as the container port; EC2-only compatibilities", () => {
    const rec = normalizeTaskDefinition(microservice as RegisterTaskDefinitionInput, opts);
    expect(rec.containerDefinitions.map((c) => c.portMappings)).toEqual([
      [{ containerPort: 3000, hostPort: 3000, protocol: "tcp" }],
      [{ containerPort: 6379, hostPort: 6379, protocol: "tcp" }],
    ]);
    expect(rec.containerDefinitions.map((c) => [c.cpu, c.memory, c.essential])).toEqual([
      [256, 512, true],
      [128, 256, true],
    ]);
    // awsvpc without task-level cpu/memory cannot run on Fargate, nor on ECS Anywhere
    expect(rec.compatibilities).toEqual(["EC2"]);
  });

  it("batch-processor: keeps what was sent, adds no memory or ports of its own", () => {
    const rec = normalizeTaskDefinition(batchProcessor as RegisterTaskDefinitionInput, opts);
    const c = rec.containerDefinitions[0]!;
    expect(c.memory).toBeUndefined();
    expect(c.memoryReservation).toBeUndefined();
    expect(c.portMappings).toEqual([]);
    expect(c.environment).toEqual([{ name: "S3_BUCKET", value: "my-data-bucket" }]);
    expect(c.logConfiguration).toEqual({ logDriver: "awslogs" });
    expect(rec.cpu).toBe("1024");
    expect(rec.memory).toBe("2048");
    expect(rec).not.toHaveProperty("requiresAttributes");
    expect(rec).not.toHaveProperty("tags");
  });

  it("does not modify its input and shares no objects with it", () => {
    const input = structuredClone(webApp) as RegisterTaskDefinitionInput;
    const before = structuredClone(input);
    const rec = normalizeTaskDefinition(input, opts);
    expect(input).toEqual(before);
    rec.containerDefinitions[0]!.logConfiguration!.options!["awslogs-group"] = "changed";
    expect(input.containerDefinitions[0]!.logConfiguration!.options!["awslogs-group"]).toBe("/ecs/web-app");
  });

  it.each<[string, Partial<RegisterTaskDefinitionInput>, object]>([
    // bridge keeps hostPort absent (the agent picks one) and an explicit one as is
    ["bridge ports", { networkMode: "bridge" }, { portMappings: [{ containerPort: 80, protocol: "tcp" }, { containerPort: 81, hostPort: 8081, protocol: "udp" }] }],
    // host mode shows the container port as host port
    ["host ports", { networkMode: "host" }, { portMappings: [{ containerPort: 80, hostPort: 80, protocol: "tcp" }, { containerPort: 81, hostPort: 81, protocol: "udp" }] }],
  ])("%s", (_name, task, expected) => {
    const input: RegisterTaskDefinitionInput = {
      family: "p",
      ...task,
      containerDefinitions: [
        { name: "a", image: "busybox", memory: 64, portMappings: [{ containerPort: 80 }, { containerPort: 81, hostPort: task.networkMode === "host" ? 81 : 8081, protocol: "udp" }] },
      ],
    };
    expect(normalizeTaskDefinition(input, opts).containerDefinitions[0]).toMatchObject(expected);
  });

  it.each<[string, Pick<RegisterTaskDefinitionInput, "cpu" | "memory">, { cpu?: string; memory?: string }]>([
    // vCPUs become CPU units, GB becomes MiB, both as strings
    ["vCPU and GB with a space", { cpu: "1 vCPU", memory: "2 GB" }, { cpu: "1024", memory: "2048" }],
    // fractions, lower case, no space
    ["fractions", { cpu: "0.25 vcpu", memory: "0.5GB" }, { cpu: "256", memory: "512" }],
    // already in units and MiB: unchanged
    ["plain numbers", { cpu: "256", memory: "512" }, { cpu: "256", memory: "512" }],
    // padded numbers lose their padding, as ECS stores an integer
    ["padded", { cpu: " 512 ", memory: "1024 MiB" }, { cpu: "512", memory: "1024" }],
    // absent stays absent
    ["absent", {}, {}],
  ])("task cpu/memory as ECS converts them: %s", (_name, task, want) => {
    const rec = normalizeTaskDefinition({ family: "u", containerDefinitions: [{ name: "a", image: "busybox", memory: 64 }], ...task }, opts);
    expect({ cpu: rec.cpu, memory: rec.memory }).toEqual({ cpu: want.cpu, memory: want.memory });
  });

  it("keeps requiresCompatibilities exactly as sent", () => {
    const rec = normalizeTaskDefinition({ family: "u", requiresCompatibilities: ["EXTERNAL", "EC2"], containerDefinitions: [{ name: "a", image: "busybox", memory: 64 }] }, opts);
    expect(rec.requiresCompatibilities).toEqual(["EXTERNAL", "EC2"]);
  });

  it("keeps explicit values over defaults and carries tags and unknown members through", () => {
    const input = {
      family: "p",
      tags: [{ key: "team", value: "core" }],
      containerDefinitions: [{ name: "a", image: "busybox", memory: 64, cpu: 10, essential: false, restartPolicy: { enabled: true } }],
    } as RegisterTaskDefinitionInput;
    const rec = normalizeTaskDefinition(input, opts);
    expect(rec.tags).toEqual([{ key: "team", value: "core" }]);
    expect(rec.containerDefinitions[0]).toMatchObject({ cpu: 10, essential: false, restartPolicy: { enabled: true } });
    expect(rec.compatibilities).toEqual(["EXTERNAL", "EC2"]);
  });
});

describe("compatibilitiesOf", () => {
  it.each<[string, Parameters<typeof compatibilitiesOf>[0], string[]]>([
    // no network mode means bridge: EC2 and ECS Anywhere
    ["default bridge", {}, ["EXTERNAL", "EC2"]],
    // none mode
    ["none", { networkMode: "none" }, ["EXTERNAL", "EC2"]],
    // awsvpc with a Fargate size
    ["awsvpc Fargate size", { networkMode: "awsvpc", cpu: "512", memory: "2048" }, ["EC2", "FARGATE"]],
    // awsvpc with a size Fargate lacks
    ["awsvpc odd size", { networkMode: "awsvpc", cpu: "512", memory: "512" }, ["EC2"]],
    // garbled cpu is simply not Fargate
    ["garbled cpu", { networkMode: "awsvpc", cpu: "lots", memory: "512" }, ["EC2"]],
  ])("%s", (_name, input, expected) => {
    expect(compatibilitiesOf(input)).toEqual(expected);
  });
});

import { describe, expect, it } from "vitest";
import type { ContainerDefinition } from "@berth/shared";
import { buildCreateSpec, dockerContainerName, dynamicPortMappings, HeldSecrets, withoutSecrets, withSecretLogOptions, type CreateSpecInput } from "./container-config.js";

const base = (def: ContainerDefinition, over: Partial<CreateSpecInput> = {}): CreateSpecInput => ({
  def,
  taskArn: "arn:t",
  family: "fam",
  revision: 3,
  cluster: "c1",
  dockerName: "ecs-fam-3-app-x",
  hostPorts: {},
  ...over,
});

describe("buildCreateSpec", () => {
  it.each<[string, CreateSpecInput, object]>([
    // cpu units become CpuShares; memory MiB become bytes.
    ["cpu and memory", base({ name: "app", image: "i", cpu: 256, memory: 64, memoryReservation: 32 }), { cpuShares: 256, memoryBytes: 64 << 20, memoryReservationBytes: 32 << 20 }],
    // cpu 0 or absent: ECS's floor of 2 shares.
    ["cpu floor", base({ name: "app", image: "i" }), { cpuShares: 2, memoryBytes: undefined }],
    // Docker's 6 MiB minimum hard limit.
    ["memory floor", base({ name: "app", image: "i", memory: 4 }), { memoryBytes: 6 << 20 }],
    // Overrides replace command and merge environment by name.
    [
      "overrides",
      base(
        { name: "app", image: "i", command: ["a"], environment: [{ name: "X", value: "1" }, { name: "Y", value: "2" }] },
        { overrides: { containerOverrides: [{ name: "app", command: ["b"], environment: [{ name: "Y", value: "3" }] }] } },
      ),
      { command: ["b"], env: ["X=1", "Y=3"] },
    ],
    // The agent's metadata URIs win over the definition's; its region yields to the definition's.
    [
      "agent environment",
      base(
        { name: "app", image: "i", environment: [{ name: "AWS_REGION", value: "eu-west-1" }, { name: "ECS_CONTAINER_METADATA_URI_V4", value: "mine" }] },
        { agentEnvironment: { fixed: { ECS_CONTAINER_METADATA_URI_V4: "http://169.254.170.2/v4/x" }, defaults: { AWS_REGION: "us-east-1", AWS_EXECUTION_ENV: "AWS_ECS_EC2" } } },
      ),
      { env: ["AWS_REGION=eu-west-1", "AWS_EXECUTION_ENV=AWS_ECS_EC2", "ECS_CONTAINER_METADATA_URI_V4=http://169.254.170.2/v4/x"] },
    ],
    // Resolved secrets[] join the environment under their names, over a plain variable of the same name.
    [
      "secrets",
      base(
        { name: "app", image: "i", environment: [{ name: "X", value: "1" }, { name: "PW", value: "plain" }], secrets: [{ name: "PW", valueFrom: "db:pw::" }] },
        { secrets: { containerName: "app", environment: { PW: "s3cret" }, logOptions: {} } },
      ),
      { env: ["X=1", "PW=s3cret"] },
    ],
    // Static ports as given, dynamic ones from the agent's choice.
    [
      "ports",
      base({ name: "app", image: "i", portMappings: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, protocol: "udp" }] }, { hostPorts: { "53/udp": 40001 } }),
      { networkMode: "bridge", ports: [{ containerPort: 80, protocol: "tcp", hostPort: 8080 }, { containerPort: 53, protocol: "udp", hostPort: 40001 }] },
    ],
    // awsvpc alone gets no network of Docker's: the task's containers join its pause container's namespace.
    ["awsvpc without its namespace", base({ name: "app", image: "i" }, { networkMode: "awsvpc" }), { networkMode: "none" }],
    // joining the pause container (what the network gate hands a create)
    ["awsvpc joining", base({ name: "app", image: "i" }, { networkMode: "container:abc" }), { networkMode: "container:abc" }],
    // Mounts resolved by volumes.ts pass through as Docker Binds and VolumesFrom.
    [
      "mounts",
      base({ name: "app", image: "i" }, { mounts: { binds: ["/srv:/data:ro"], volumesFrom: ["ecs-fam-3-db-x"] } }),
      { binds: ["/srv:/data:ro"], volumesFrom: ["ecs-fam-3-db-x"] },
    ],
    // No mounts: neither field is sent.
    ["no mounts", base({ name: "app", image: "i" }, { mounts: { binds: [], volumesFrom: [] } }), { binds: undefined, volumesFrom: undefined }],
    // Health check seconds become nanoseconds, with ECS defaults.
    [
      "healthcheck",
      base({ name: "app", image: "i", healthCheck: { command: ["CMD-SHELL", "true"], interval: 5 } }),
      { healthcheck: { test: ["CMD-SHELL", "true"], intervalNs: 5e9, timeoutNs: 5e9, retries: 3, startPeriodNs: 0 } },
    ],
  ])("%s", (_n, input, expected) => {
    expect(buildCreateSpec(input)).toMatchObject(expected);
  });

  it("puts ECS's labels over the user's docker labels", () => {
    const spec = buildCreateSpec(base({ name: "app", image: "i", dockerLabels: { a: "b", "com.amazonaws.ecs.cluster": "fake" } }));
    expect(spec.labels).toEqual({
      a: "b",
      "com.amazonaws.ecs.task-arn": "arn:t",
      "com.amazonaws.ecs.container-name": "app",
      "com.amazonaws.ecs.task-definition-family": "fam",
      "com.amazonaws.ecs.task-definition-version": "3",
      "com.amazonaws.ecs.cluster": "c1",
    });
  });
});

describe("dockerContainerName / dynamicPortMappings", () => {
  it("names containers as ECS does", () => {
    expect(dockerContainerName("my fam!", 2, "web", "ab12")).toBe("ecs-myfam-2-web-ab12");
  });
  it.each<[string, string, number]>([
    // bridge: hostPort 0/absent is dynamic.
    ["bridge", "bridge", 1],
    // host mode publishes container ports directly.
    ["host", "host", 0],
    ["none", "none", 0],
  ])("%s", (_n, mode, count) => {
    expect(dynamicPortMappings({ name: "a", portMappings: [{ containerPort: 80 }, { containerPort: 81, hostPort: 81 }] }, mode)).toHaveLength(count);
  });
});

describe("secrets in the agent", () => {
  const held = { containerName: "app", environment: { PW: "s3cret" }, logOptions: { "splunk-token": "tok" } };

  it("merges resolved secretOptions into the log options", () => {
    const def: ContainerDefinition = { name: "app", image: "i", logConfiguration: { logDriver: "splunk", options: { "splunk-url": "u" }, secretOptions: [{ name: "splunk-token", valueFrom: "p" }] } };
    expect(withSecretLogOptions(def, held).logConfiguration?.options).toEqual({ "splunk-url": "u", "splunk-token": "tok" });
    expect(withSecretLogOptions(def, undefined)).toBe(def);
  });

  it("holds a payload's secrets, keeps them when a payload brings none, and strips them from what is persisted", () => {
    const secrets = new HeldSecrets();
    expect(secrets.take([held])).toBe(true);
    expect(secrets.take([])).toBe(false);
    expect(secrets.all.get("app")?.environment).toEqual({ PW: "s3cret" });
    const spec = { taskArn: "t", clusterArn: "", family: "f", revision: 1, desiredStatus: "RUNNING", taskDefinitionJson: "{}", overridesJson: "", stoppedReason: "", startedBy: "", group: "", secrets: [held] };
    expect(JSON.stringify(withoutSecrets(spec))).not.toContain("s3cret");
    expect(spec.secrets).toHaveLength(1);
  });
});

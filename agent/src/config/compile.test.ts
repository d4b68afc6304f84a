import { describe, expect, it } from "vitest";
import { compileAgentConfig, resolveAgentConfig } from "./compile.js";
import { ConfigError } from "./errors.js";
import { optionsFromEnv } from "./env.js";
import { optionsFromDocument } from "./file.js";
import type { AgentConfig, AgentOptions, HostDefaults } from "./options.js";
import { redactAgentConfig } from "./redact.js";
import { pickHostIp, portRangeFromProc } from "./host-defaults.js";

const host: HostDefaults = { dynamicPortRange: () => "40000-50000", hostIp: () => "10.0.0.5" };
const compile = (env: NodeJS.ProcessEnv, flags?: Partial<AgentOptions>) => compileAgentConfig({ env, flags }, host);
const errorOf = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
};

describe("compileAgentConfig", () => {
  it("compileAgentConfig: defaults", () => {
    const c = compile({});
    expect(c).toMatchObject({
      cluster: "default",
      controlPlanes: [{ host: "127.0.0.1", port: 7071 }],
      dataDir: "/var/lib/berth/agent",
      dockerSocketPath: "/var/run/docker.sock",
      reservedMemoryMiB: 0,
      reservedPorts: [22, 2375, 2376, 51678, 51679],
      reservedPortsUdp: [],
      pullPolicy: "default",
      imagePullInactivityTimeoutMs: 60_000,
      imagePullTimeoutMs: 2 * 3_600_000,
      taskCleanupWaitMs: 3 * 3_600_000,
      containerStopTimeoutMs: 30_000,
      statsReportIntervalMs: 10_000,
      introspection: { host: "0.0.0.0", port: 51678 },
      attributes: {},
      availabilityZone: "local",
      dynamicPortRange: { first: 40000, last: 50000 },
      hostIp: "10.0.0.5",
      logLevel: "info",
    });
    expect(c.joinToken).toBeUndefined();
    expect(c.sources.hostIp).toBe("host");
    expect(c.sources.cluster).toBe("default");
  });

  it.each<[string, Partial<AgentOptions> | undefined, NodeJS.ProcessEnv, Partial<AgentOptions> | undefined, string, AgentConfig["sources"][keyof AgentOptions]]>([
    // flag beats env and file
    ["cluster", { cluster: "from-flag" }, { ECS_CLUSTER: "from-env" }, { cluster: "from-file" }, "from-flag", "flag"],
    // env beats file
    ["cluster", undefined, { ECS_CLUSTER: "from-env" }, { cluster: "from-file" }, "from-env", "env"],
    // file beats default
    ["cluster", undefined, {}, { cluster: "from-file" }, "from-file", "file"],
    // an empty env variable counts as unset
    ["cluster", undefined, { ECS_CLUSTER: "" }, { cluster: "from-file" }, "from-file", "file"],
    // ECS_DATADIR is read before BERTH_DATA_DIR
    ["dataDir", undefined, { ECS_DATADIR: "/ecs", BERTH_DATA_DIR: "/berth" }, undefined, "/ecs", "env"],
    // BERTH_DATA_DIR alone
    ["dataDir", undefined, { BERTH_DATA_DIR: "/berth" }, undefined, "/berth", "env"],
  ])("precedence: %s from %j / %j / %j is %j", (key, flags, env, file, want, source) => {
    const c = resolveAgentConfig({ flags, env: optionsFromEnv(env), file }, host);
    expect(c[key as "cluster" | "dataDir"]).toBe(want);
    expect(c.sources[key as keyof AgentOptions]).toBe(source);
  });

  it.each<[string, NodeJS.ProcessEnv, Partial<AgentConfig>]>([
    // DOCKER_HOST as a unix URL
    ["DOCKER_HOST unix://", { DOCKER_HOST: "unix:///run/other.sock" }, { dockerSocketPath: "/run/other.sock" }],
    // DOCKER_HOST as a bare path
    ["DOCKER_HOST path", { DOCKER_HOST: "/run/d.sock" }, { dockerSocketPath: "/run/d.sock" }],
    // JSON port lists, sorted and de-duplicated
    ["ECS_RESERVED_PORTS", { ECS_RESERVED_PORTS: "[8080, 22, 22]" }, { reservedPorts: [22, 8080] }],
    // UDP ports
    ["ECS_RESERVED_PORTS_UDP", { ECS_RESERVED_PORTS_UDP: "[53]" }, { reservedPortsUdp: [53] }],
    // Go durations
    ["durations", { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "10m", ECS_CONTAINER_STOP_TIMEOUT: "2s" }, { taskCleanupWaitMs: 600_000, containerStopTimeoutMs: 2000 }],
    // pull timeouts as Go durations
    ["pull timeouts", { ECS_IMAGE_PULL_INACTIVITY_TIMEOUT: "30s", ECS_IMAGE_PULL_TIMEOUT: "1h30m" }, { imagePullInactivityTimeoutMs: 30_000, imagePullTimeoutMs: 5_400_000 }],
    // custom attributes
    ["ECS_INSTANCE_ATTRIBUTES", { ECS_INSTANCE_ATTRIBUTES: '{"stack":"prod","gpu":"none"}' }, { attributes: { stack: "prod", gpu: "none" } }],
    // ECS's crit level maps to error
    ["ECS_LOGLEVEL crit", { ECS_LOGLEVEL: "crit" }, { logLevel: "error" }],
    // the dynamic port range overrides the kernel's
    ["ECS_DYNAMIC_HOST_PORT_RANGE", { ECS_DYNAMIC_HOST_PORT_RANGE: "20000-20100" }, { dynamicPortRange: { first: 20000, last: 20100 } }],
    // IPv6 control plane address
    ["BERTH_CONTROL_PLANE v6", { BERTH_CONTROL_PLANE: "[::1]:9000" }, { controlPlanes: [{ host: "::1", port: 9000 }] }],
    // several replicas, tried in order
    ["BERTH_CONTROL_PLANE list", { BERTH_CONTROL_PLANE: "10.0.0.1:7071, 10.0.0.2:7071" }, { controlPlanes: [{ host: "10.0.0.1", port: 7071 }, { host: "10.0.0.2", port: 7071 }] }],
    // introspection port 0 asks for any free port
    ["BERTH_INTROSPECTION_PORT 0", { BERTH_INTROSPECTION_PORT: "0" }, { introspection: { host: "0.0.0.0", port: 0 } }],
    // pull policy
    ["ECS_IMAGE_PULL_BEHAVIOR", { ECS_IMAGE_PULL_BEHAVIOR: "prefer-cached" }, { pullPolicy: "prefer-cached" }],
    // Fargate capacity: off by default, on with 1 or true
    ["no BERTH_AGENT_FARGATE", {}, { fargate: false }],
    ["BERTH_AGENT_FARGATE=1", { BERTH_AGENT_FARGATE: "1" }, { fargate: true }],
    ["BERTH_AGENT_FARGATE=true", { BERTH_AGENT_FARGATE: "true" }, { fargate: true }],
    ["BERTH_AGENT_FARGATE=0", { BERTH_AGENT_FARGATE: "0" }, { fargate: false }],
  ])("env: %s", (_name, env, want) => {
    expect(compile(env)).toMatchObject(want);
  });

  it.each<[string, NodeJS.ProcessEnv, Partial<AgentOptions>, string, RegExp]>([
    // negative reservation
    ["reserved memory < 0", { ECS_RESERVED_MEMORY: "-1" }, {}, "reservedMemoryMiB", /from env ECS_RESERVED_MEMORY/],
    // port out of range, the index named
    ["reserved port 70000", { ECS_RESERVED_PORTS: "[22, 70000]" }, {}, "reservedPorts[1]", /1 to 65535/],
    // cleanup wait under a second
    ["cleanup wait 10ms", { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "10ms" }, {}, "taskCleanupWait", /from 1s to 720h/],
    // a bare number is not a duration
    ["stop timeout 30", { ECS_CONTAINER_STOP_TIMEOUT: "30" }, {}, "containerStopTimeout", /duration/],
    // stop timeout over an hour, from a flag
    ["stop timeout 2h", {}, { containerStopTimeout: "2h" }, "containerStopTimeout", /from flag containerStopTimeout/],
    // pull inactivity timeout under a second
    ["pull inactivity 500ms", { ECS_IMAGE_PULL_INACTIVITY_TIMEOUT: "500ms" }, {}, "imagePullInactivityTimeout", /from 1s to 1h, got "500ms" \(from env ECS_IMAGE_PULL_INACTIVITY_TIMEOUT\)/],
    // pull inactivity timeout that is not a duration
    ["pull inactivity 60", { ECS_IMAGE_PULL_INACTIVITY_TIMEOUT: "60" }, {}, "imagePullInactivityTimeout", /duration/],
    // overall pull timeout over a day, from a flag
    ["pull timeout 25h", {}, { imagePullTimeout: "25h" }, "imagePullTimeout", /from 1s to 24h, got "25h" \(from flag imagePullTimeout\)/],
    // unknown pull policy
    ["pull policy", { ECS_IMAGE_PULL_BEHAVIOR: "sometimes" }, {}, "pullPolicy", /one of default, always, once, prefer-cached/],
    // control plane without a port
    ["control plane", { BERTH_CONTROL_PLANE: "cp.local" }, {}, "controlPlane", /host:port/],
    // port 0 is not dialable
    ["control plane port 0", { BERTH_CONTROL_PLANE: "cp:0" }, {}, "controlPlane", /1 to 65535/],
    // introspection port out of range
    ["introspection port", { BERTH_INTROSPECTION_PORT: "65536" }, {}, "introspectionPort", /0 to 65535/],
    // tcp Docker hosts are refused
    ["DOCKER_HOST tcp", { DOCKER_HOST: "tcp://1.2.3.4:2375" }, {}, "dockerSocket", /unix socket/],
    // relative data dir
    ["data dir", { ECS_DATADIR: "data" }, {}, "dataDir", /absolute path/],
    // reversed range
    ["port range", { ECS_DYNAMIC_HOST_PORT_RANGE: "500-100" }, {}, "dynamicPortRange", /first <= last/],
    // not an IP
    ["host ip", { BERTH_HOST_IP: "my-host" }, {}, "hostIp", /IP address/],
    // cluster name with a slash
    ["cluster", { ECS_CLUSTER: "a/b" }, {}, "cluster", /cluster name/],
    // reserved attribute prefix
    ["attribute prefix", { ECS_INSTANCE_ATTRIBUTES: '{"ecs.os-type":"windows"}' }, {}, "attributes.ecs.os-type", /agent's own/],
    // attribute value with a leading space
    ["attribute value", { ECS_INSTANCE_ATTRIBUTES: '{"stack":" prod"}' }, {}, "attributes.stack", /value must be/],
    // wrong type from a flag
    ["flag type", {}, { reservedMemoryMiB: "512" as unknown as number }, "reservedMemoryMiB", /integer/],
  ])("bounds: %s names %s", (_name, env, flags, key, message) => {
    const err = errorOf(() => compile(env, flags));
    expect(err.key).toBe(key);
    expect(err.message.startsWith(`${key}: `)).toBe(true);
    expect(err.message).toMatch(message);
    expect(err.ecsType).toBe("InvalidParameterException");
  });

  it.each<[string, NodeJS.ProcessEnv, string, RegExp]>([
    // broken JSON
    ["ports not JSON", { ECS_RESERVED_PORTS: "[22," }, "ECS_RESERVED_PORTS", /not valid JSON/],
    // JSON, but not an array
    ["ports an object", { ECS_RESERVED_PORTS: '{"a":1}' }, "ECS_RESERVED_PORTS", /JSON array/],
    // attributes must be an object
    ["attributes an array", { ECS_INSTANCE_ATTRIBUTES: '["a"]' }, "ECS_INSTANCE_ATTRIBUTES", /JSON object/],
    // attributes JSON null
    ["attributes null", { ECS_INSTANCE_ATTRIBUTES: "null" }, "ECS_INSTANCE_ATTRIBUTES", /JSON object/],
    // integers only
    ["memory not a number", { ECS_RESERVED_MEMORY: "lots" }, "ECS_RESERVED_MEMORY", /not an integer/],
  ])("env parsing: %s names %s", (_name, env, key, message) => {
    const err = errorOf(() => compile(env));
    expect(err.key).toBe(key);
    expect(err.message).toMatch(message);
  });

  it("file: unknown keys are refused by name", () => {
    const err = errorOf(() => optionsFromDocument({ clustr: "x" }, "/etc/berth/agent.yaml"));
    expect(err.key).toBe("clustr");
  });

  it("redactAgentConfig: hides the join token and keeps the rest", () => {
    const c = compile({ BERTH_JOIN_TOKEN: "s3cret-token", ECS_CLUSTER: "prod" });
    expect(c.joinToken).toBe("s3cret-token");
    const shown = JSON.stringify(redactAgentConfig(c));
    expect(shown).not.toContain("s3cret-token");
    expect(shown).toContain("<redacted>");
    expect(redactAgentConfig(c).cluster).toBe("prod");
    expect(redactAgentConfig(compile({})).joinToken).toBeUndefined();
  });
});

describe("host defaults", () => {
  it.each([
    // the kernel's format
    ["32768\t60999\n", "32768-60999"],
    // spaces
    [" 1024 2048 ", "1024-2048"],
    // malformed
    ["32768", undefined],
  ])("portRangeFromProc: %j", (text, want) => {
    expect(portRangeFromProc(text)).toBe(want);
  });

  const v4 = (address: string, internal = false) => ({ address, family: "IPv4" as const, internal, netmask: "", mac: "", cidr: null });
  it.each([
    // loopback skipped
    [{ lo: [v4("127.0.0.1", true)], eth0: [v4("192.168.1.10")] }, "192.168.1.10"],
    // Docker's bridge skipped
    [{ docker0: [v4("172.17.0.1")], ens3: [v4("10.1.2.3")] }, "10.1.2.3"],
    // nothing but loopback
    [{ lo: [v4("127.0.0.1", true)] }, "127.0.0.1"],
  ])("pickHostIp: %#", (ifaces, want) => {
    expect(pickHostIp(ifaces)).toBe(want);
  });
});

import { describe, expect, it } from "vitest";
import { agentUsage, parseAgentArgs } from "./cli-args.js";

describe("parseAgentArgs", () => {
  it.each([
    // nothing given: no flags, so env and the config file decide
    [[], { flags: {}, help: false }],
    // each string flag becomes its option
    [["--cluster", "prod", "--control-plane", "10.0.0.1:7443", "--data-dir", "/var/lib/berth"], { flags: { cluster: "prod", controlPlane: "10.0.0.1:7443", dataDir: "/var/lib/berth" }, help: false }],
    // the = form and the port as a number (its bounds are compileAgentConfig's to check)
    [["--docker-socket=/run/docker.sock", "--introspection-port=51678"], { flags: { dockerSocket: "/run/docker.sock", introspectionPort: 51678 }, help: false }],
    // a boolean flag and the log level
    [["--fargate", "--log-level", "debug"], { flags: { fargate: true, logLevel: "debug" }, help: false }],
    // the config file is not an option: compile reads it beneath the flags
    [["--config", "/etc/berth/agent.yaml"], { flags: {}, configFile: "/etc/berth/agent.yaml", help: false }],
    // help, long and short
    [["--help"], { flags: {}, help: true }],
    [["-h"], { flags: {}, help: true }],
  ])("parseAgentArgs: %j", (argv, want) => {
    expect(parseAgentArgs(argv)).toEqual(want);
  });

  it.each([
    // an unknown flag is named
    [["--clustr", "x"], "Unknown option '--clustr'"],
    // a flag without its value
    [["--cluster"], "argument missing"],
    // a stray argument
    [["prod"], "Unexpected argument 'prod'"],
    // a value given to a boolean flag
    [["--fargate=yes"], "does not take an argument"],
  ])("parseAgentArgs: %j is refused", (argv, message) => {
    expect(() => parseAgentArgs(argv)).toThrow(message);
  });
});

describe("agentUsage", () => {
  it("agentUsage: names every flag with its environment variable", () => {
    const text = agentUsage();
    for (const flag of ["--cluster <name>", "--control-plane <host:port>", "--data-dir <dir>", "--docker-socket <path>", "--introspection-port <port>", "--config <file>", "--log-level <level>", "--fargate", "-h, --help"]) expect(text).toContain(flag);
    expect(text).toContain("(BERTH_INTROSPECTION_PORT)");
  });
});

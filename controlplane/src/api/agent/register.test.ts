import { describe, expect, it } from "vitest";
import type { RegisterContainerInstanceRequest } from "@berth/proto";
import { checkRegistration } from "./register.js";

const base: RegisterContainerInstanceRequest = {
  cluster: "prod",
  containerInstanceArn: "",
  total: { cpu: 2048, memory: 4096, ports: [], portsUdp: [] },
  registered: { cpu: 2048, memory: 4096, ports: [22], portsUdp: [] },
  attributes: [],
  agentVersion: "1.0.0",
  dockerVersion: "20.10.24",
  hostname: "h",
  hostIp: "10.0.0.1",
  introspectionPort: 51678,
  introspectionHost: "",
};

describe("checkRegistration", () => {
  it.each<[string, Partial<RegisterContainerInstanceRequest>, RegExp | undefined]>([
    // a current agent: port sent, bound to every address
    ["introspection port sent", {}, undefined],
    // an agent from before the field sends proto3's 0
    ["introspection port absent", { introspectionPort: 0 }, undefined],
    // bound to one address
    ["introspection host sent", { introspectionHost: "127.0.0.1" }, undefined],
    // out of range
    ["introspection port too big", { introspectionPort: 70000 }, /introspectionPort: 70000 is not a port/],
    // negative
    ["introspection port negative", { introspectionPort: -1 }, /introspectionPort: -1 is not a port/],
    // a name, not an address
    ["introspection host a name", { introspectionHost: "agent.local" }, /introspectionHost: 'agent.local' is not an IP address/],
    // bad cluster name
    ["cluster name", { cluster: "a b" }, /cluster: 'a b'/],
  ])("%s", (_, change, error) => {
    const check = () => checkRegistration({ ...base, ...change });
    if (error) expect(check).toThrow(error);
    else expect(check).not.toThrow();
  });
});

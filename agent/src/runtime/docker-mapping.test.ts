import { describe, expect, it } from "vitest";
import { toCreateOptions } from "./docker-mapping.js";
import type { CreateContainerSpec } from "./types.js";

const spec = (over: Partial<CreateContainerSpec>): CreateContainerSpec => ({
  name: "c",
  image: "i",
  env: [],
  labels: {},
  networkMode: "bridge",
  ports: [{ containerPort: 80, protocol: "tcp", hostPort: 8080 }],
  cpuShares: 2,
  hostname: "h",
  dns: ["10.0.0.2"],
  ...over,
});

describe("toCreateOptions", () => {
  it.each([
    // bridge: the port is exposed and bound, the hostname and DNS set
    ["bridge", spec({}), { exposed: ["80/tcp"], bound: ["80/tcp"], hostname: "h", dns: ["10.0.0.2"] }],
    // joining a pause container: Docker refuses ports, hostname and DNS there, so none are sent
    ["container:", spec({ networkMode: "container:abc" }), { exposed: [], bound: [], hostname: undefined, dns: undefined }],
    // host networking: exposed only, never bound
    ["host", spec({ networkMode: "host" }), { exposed: ["80/tcp"], bound: [], hostname: "h", dns: ["10.0.0.2"] }],
  ])("%s", (_name, s, want) => {
    const o = toCreateOptions(s);
    expect({
      exposed: Object.keys(o.ExposedPorts ?? {}),
      bound: Object.keys(o.HostConfig?.PortBindings ?? {}),
      hostname: o.Hostname,
      dns: o.HostConfig?.Dns,
    }).toEqual(want);
    expect(o.HostConfig?.NetworkMode).toBe(s.networkMode);
  });
});

import { describe, expect, it } from "vitest";
import { dockerApiVersions, ecsArchitecture, hostAttributes } from "./attributes.js";
import { registeredResources, type HostCapacity } from "./registered.js";

const base: HostCapacity = { cpus: 2, memoryMiB: 4096, reservedMemoryMiB: 0, reservedPorts: [], reservedPortsUdp: [] };

describe("registeredResources", () => {
  it.each<[string, Partial<HostCapacity>, { cpu: number; memory: number; ports: number[]; portsUdp: number[] }]>([
    // cores x 1024, all memory
    ["plain host", {}, { cpu: 2048, memory: 4096, ports: [], portsUdp: [] }],
    // reserved memory comes off
    ["reserved memory", { reservedMemoryMiB: 256 }, { cpu: 2048, memory: 3840, ports: [], portsUdp: [] }],
    // reserved ports registered as taken, sorted and unique
    ["reserved ports", { reservedPorts: [51678, 22, 22], reservedPortsUdp: [53] }, { cpu: 2048, memory: 4096, ports: [22, 51678], portsUdp: [53] }],
    // fractional MiB from /proc rounds down
    ["fractional memory", { memoryMiB: 1000.7, cpus: 1 }, { cpu: 1024, memory: 1000, ports: [], portsUdp: [] }],
  ])("registeredResources: %s", (_name, over, registered) => {
    const r = registeredResources({ ...base, ...over });
    expect(r.registered).toEqual(registered);
    expect(r.total.ports).toEqual([]);
    expect(r.total.memory).toBe(Math.floor(over.memoryMiB ?? base.memoryMiB));
  });

  it("registeredResources: a reservation of all memory names the key", () => {
    expect(() => registeredResources({ ...base, reservedMemoryMiB: 4096 })).toThrow(/^reservedMemoryMiB: /);
  });
});

describe("hostAttributes", () => {
  it.each([
    // Intel/AMD
    ["x64", "x86_64"],
    // ARM
    ["arm64", "arm64"],
    // unknown spellings pass through
    ["riscv64", "riscv64"],
  ])("ecsArchitecture: %s is %s", (arch, want) => {
    expect(ecsArchitecture(arch)).toBe(want);
  });

  it.each([
    // Debian's dockerd 20.10
    ["1.12", "1.41", 25],
    // a narrow engine
    ["1.40", "1.41", 2],
    // not a version
    ["x", "1.41", 0],
  ])("dockerApiVersions: %s..%s has %d", (min, max, count) => {
    const v = dockerApiVersions(min, max);
    expect(v).toHaveLength(count);
    if (count > 0) expect(v[v.length - 1]).toBe(max);
  });

  it("hostAttributes: built-ins first, then capabilities, then custom", () => {
    const attrs = hostAttributes({
      arch: "x64", platform: "linux", az: "rack-1", custom: { stack: "prod", gpu: "none" },
      dockerApi: { min: "1.12", max: "1.41" }, logDrivers: ["json-file", "syslog"],
    });
    expect(attrs.slice(0, 3)).toEqual([
      { name: "ecs.os-type", value: "linux" },
      { name: "ecs.cpu-architecture", value: "x86_64" },
      { name: "ecs.availability-zone", value: "rack-1" },
    ]);
    const names = attrs.map((a) => a.name);
    expect(names).toContain("com.amazonaws.ecs.capability.docker-remote-api.1.41");
    expect(names).toContain("com.amazonaws.ecs.capability.docker-remote-api.1.17");
    expect(names).not.toContain("com.amazonaws.ecs.capability.docker-remote-api.1.16");
    expect(names).toContain("com.amazonaws.ecs.capability.logging-driver.json-file");
    expect(names).toContain("ecs.capability.container-health-check");
    expect(attrs.slice(-2)).toEqual([{ name: "gpu", value: "none" }, { name: "stack", value: "prod" }]);
  });
});

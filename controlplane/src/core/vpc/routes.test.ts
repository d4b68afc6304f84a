import { describe, expect, it } from "vitest";
import { planClusterRoutes, planHostRoutes, routeInputsChanged, routesFor } from "./routes.js";

const inst = (id: string, hostIp: string, blocks: string[], status = "ACTIVE") =>
  ({ id, status, hostIp, ipBlocks: blocks.map((cidr) => ({ subnetId: "s", cidr })) }) as const;

describe("planHostRoutes", () => {
  it.each([
    // the other hosts' blocks via their addresses, not our own
    ["two peers", [inst("a", "10.0.0.1", ["172.31.0.0/26"]), inst("b", "10.0.0.2", ["172.31.0.64/26", "172.31.16.0/26"])], "a", [
      { cidr: "172.31.0.64/26", via: "10.0.0.2" },
      { cidr: "172.31.16.0/26", via: "10.0.0.2" },
    ]],
    // a deregistered host's blocks are routed no more
    ["inactive peer", [inst("a", "10.0.0.1", []), inst("b", "10.0.0.2", ["172.31.0.64/26"], "INACTIVE")], "a", []],
    // a host without an address cannot be routed to
    ["no address", [inst("a", "10.0.0.1", []), inst("b", "", ["172.31.0.64/26"])], "a", []],
    // a draining host still runs tasks: still routed
    // an agent on the same host (berth up's Fargate agent): its blocks are on a local bridge
    ["same host", [inst("a", "10.0.0.1", ["172.31.0.0/26"]), inst("f", "10.0.0.1", ["172.31.0.64/26"]), inst("b", "10.0.0.2", ["172.31.16.0/26"])], "a", [
      { cidr: "172.31.16.0/26", via: "10.0.0.2" },
    ]],
    ["draining peer", [inst("b", "10.0.0.2", ["172.31.0.64/26"], "DRAINING")], "a", [{ cidr: "172.31.0.64/26", via: "10.0.0.2" }]],
  ] as const)("%s", (_name, instances, self, want) => {
    expect(planHostRoutes(instances as never, self)).toEqual(want);
  });
});

describe("planClusterRoutes and routesFor", () => {
  const cluster = [
    inst("a", "10.0.0.1", ["172.31.0.0/26"]),
    inst("f", "10.0.0.1", ["172.31.0.64/26"]),
    inst("b", "10.0.0.2", ["172.31.16.0/26", "172.31.0.128/26"]),
    inst("gone", "10.0.0.3", ["172.31.32.0/26"], "INACTIVE"),
    inst("nowhere", "", ["172.31.48.0/26"]),
  ];

  it("holds every live, addressed instance's blocks once, sorted, with their holder", () => {
    expect(planClusterRoutes(cluster)).toEqual([
      { cidr: "172.31.0.0/26", via: "10.0.0.1", owner: "a" },
      { cidr: "172.31.0.128/26", via: "10.0.0.2", owner: "b" },
      { cidr: "172.31.0.64/26", via: "10.0.0.1", owner: "f" },
      { cidr: "172.31.16.0/26", via: "10.0.0.2", owner: "b" },
    ]);
  });

  // Each instance's filter of the cluster's routes is the plan made for it alone.
  it.each(["a", "f", "b", "gone", "nowhere", "not-listed"])("routesFor(%s) is planHostRoutes' plan", (self) => {
    const hostIp = cluster.find((i) => i.id === self)?.hostIp;
    expect(routesFor(planClusterRoutes(cluster), { id: self, hostIp })).toEqual(planHostRoutes(cluster, self));
  });
});

describe("routeInputsChanged", () => {
  const a = inst("a", "10.0.0.1", ["172.31.0.0/26"]);
  it.each([
    // a new instance: its address is routed to, or it is the one asking
    ["created", undefined, a, true],
    // a deleted one's blocks are routed no more
    ["deleted", a, undefined, true],
    // a placement or a heartbeat's mark: tasks and resources change, blocks do not
    ["same inputs", a, { ...a, agentConnected: false, remainingCpu: 1 }, false],
    // a block handed out
    ["block added", a, inst("a", "10.0.0.1", ["172.31.0.0/26", "172.31.0.64/26"]), true],
    // a new address (re-registration from another host)
    ["address changed", a, inst("a", "10.0.0.9", ["172.31.0.0/26"]), true],
    // deregistered: its blocks are routed no more
    ["went INACTIVE", a, inst("a", "10.0.0.1", ["172.31.0.0/26"], "INACTIVE"), true],
    // draining still runs tasks: still routed
    ["went DRAINING", a, inst("a", "10.0.0.1", ["172.31.0.0/26"], "DRAINING"), false],
    // nothing before or after
    ["neither", undefined, undefined, false],
  ] as const)("%s", (_name, before, after, want) => {
    expect(routeInputsChanged(before as never, after as never)).toBe(want);
  });
});

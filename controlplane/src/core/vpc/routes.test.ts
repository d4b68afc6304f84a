import { describe, expect, it } from "vitest";
import { planHostRoutes } from "./routes.js";

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

import { describe, expect, it } from "vitest";
import { defaultSecurityGroup, defaultSubnets } from "./defaults.js";
import { checkAwsvpc } from "./resolve.js";

// The default network is derived from the region alone; created ones come from etcd (integration).
const subnets = defaultSubnets("us-east-1");
const [a, b] = subnets;
const sg = defaultSecurityGroup("us-east-1");

describe("checkAwsvpc", () => {
  it("resolves subnets and defaults the group", () => {
    const r = checkAwsvpc({ subnets: [a.subnetId, b.subnetId, a.subnetId] }, subnets, [sg]);
    expect(r.subnets.map((s) => s.availabilityZone)).toEqual(["us-east-1a", "us-east-1b"]);
    expect(r.securityGroups.map((g) => g.groupId)).toEqual([sg.groupId]);
    expect(r.assignPublicIp).toBe("DISABLED");
  });

  it.each([
    // subnets are required
    [{ subnets: [] }, /subnets can not be empty/],
    // at most 16 subnets
    [{ subnets: Array.from({ length: 17 }, () => a.subnetId) }, /at most 16/],
    // at most 5 groups
    [{ subnets: [a.subnetId], securityGroups: Array.from({ length: 6 }, () => sg.groupId) }, /at most 5/],
    // an unknown subnet, in ECS's words
    [{ subnets: ["subnet-0000000000000000a"] }, /Error retrieving subnet information for \[subnet-0000000000000000a\]/],
    // an unknown group
    [{ subnets: [a.subnetId], securityGroups: ["sg-nope"] }, /security group 'sg-nope' does not exist/],
    // assignPublicIp outside its enum
    [{ subnets: [a.subnetId], assignPublicIp: "MAYBE" }, /assignPublicIp/],
  ])("refuses %j", (cfg, message) => {
    expect(() => checkAwsvpc(cfg, subnets, [sg])).toThrow(expect.objectContaining({ name: expect.any(String), message: expect.stringMatching(message) }));
  });
});

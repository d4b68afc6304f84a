import { describe, expect, it } from "vitest";
import type { CoreContext } from "../context.js";
import { defaultSecurityGroup, defaultSubnets } from "./defaults.js";
import { resolveAwsvpc } from "./resolve.js";

// The default network is derived from the region alone, so no store is needed here.
const ctx = { scope: { region: "us-east-1", accountId: "000000000000" } } as unknown as CoreContext;
const [a, b] = defaultSubnets("us-east-1");
const sg = defaultSecurityGroup("us-east-1");

describe("resolveAwsvpc", () => {
  it("resolves subnets and defaults the group", async () => {
    const r = await resolveAwsvpc(ctx, { subnets: [a.subnetId, b.subnetId, a.subnetId] });
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
  ])("refuses %j", async (cfg, message) => {
    await expect(resolveAwsvpc(ctx, cfg)).rejects.toMatchObject({ name: expect.any(String), message: expect.stringMatching(message) });
  });
});

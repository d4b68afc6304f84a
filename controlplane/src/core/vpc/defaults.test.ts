import { describe, expect, it } from "vitest";
import { defaultSecurityGroup, defaultSubnets, defaultVpc, stableId } from "./defaults.js";

describe("default network", () => {
  it("is AWS's default VPC shape, a /20 per zone", () => {
    const subnets = defaultSubnets("us-east-1");
    expect(defaultVpc("us-east-1").cidrBlock).toBe("172.31.0.0/16");
    expect(subnets.map((s) => [s.availabilityZone, s.cidrBlock])).toEqual([
      ["us-east-1a", "172.31.0.0/20"],
      ["us-east-1b", "172.31.16.0/20"],
      ["us-east-1c", "172.31.32.0/20"],
      ["us-east-1d", "172.31.48.0/20"],
      ["us-east-1e", "172.31.64.0/20"],
      ["us-east-1f", "172.31.80.0/20"],
    ]);
    expect(subnets.every((s) => s.vpcId === defaultVpc("us-east-1").vpcId && s.defaultForAz)).toBe(true);
  });

  it.each([
    // same seed, same id: every replica names the default network alike
    ["subnet", "x", "subnet", "x", true],
    // another seed, another id
    ["subnet", "x", "subnet", "y", false],
  ])("stableId(%s, %s) vs (%s, %s) equal=%s", (p1, s1, p2, s2, equal) => {
    expect(stableId(p1, s1) === stableId(p2, s2)).toBe(equal);
    expect(stableId(p1, s1)).toMatch(/^[a-z]+-[0-9a-f]{17}$/);
  });

  it("default group admits its own members only", () => {
    const sg = defaultSecurityGroup("eu-west-1");
    expect(sg.groupName).toBe("default");
    expect(sg.ingress).toEqual([{ ipProtocol: "-1", cidrs: [], sourceGroupIds: [sg.groupId] }]);
    expect(sg.groupId).not.toBe(defaultSecurityGroup("us-east-1").groupId);
  });
});

import { describe, expect, it } from "vitest";
import { defaultSecurityGroup } from "./defaults.js";
import { addPermissions, normaliseProtocol, permissionsOf, readPermissions, removePermissions, ruleIdOf, type IngressRequest } from "./rules.js";
import type { SecurityGroup } from "./types.js";

const dflt = defaultSecurityGroup("us-east-1");
const web: SecurityGroup = { groupId: "sg-0000000000000web", groupName: "web", description: "web", vpcId: dflt.vpcId, ingress: [] };
const groups = [dflt, web];

describe("normaliseProtocol", () => {
  it.each([
    // names in any case
    ["TCP", "tcp"],
    // numbers for the named ones
    ["6", "tcp"],
    ["17", "udp"],
    ["1", "icmp"],
    // all protocols
    ["-1", "-1"],
    ["all", "-1"],
    // another IP protocol by number
    ["50", "50"],
  ])("%s -> %s", (raw, want) => {
    expect(normaliseProtocol(raw)).toBe(want);
  });

  it.each(["tcpx", "256", "-2", ""])("refuses %j", (raw) => {
    expect(() => normaliseProtocol(raw)).toThrow(/Unknown protocol/);
  });
});

describe("readPermissions", () => {
  it.each<[string, IngressRequest, object[]]>([
    // the AWS CLI's --protocol/--port/--cidr form
    ["top-level cidr", { IpProtocol: "tcp", FromPort: 80, ToPort: 80, CidrIp: "10.0.0.0/24" }, [{ ipProtocol: "tcp", fromPort: 80, toPort: 80, cidr: "10.0.0.0/24" }]],
    // a CIDR with host bits is normalised, as EC2 does
    ["normalised cidr", { IpProtocol: "udp", FromPort: 53, ToPort: 53, CidrIp: "10.0.0.9/24" }, [{ ipProtocol: "udp", fromPort: 53, toPort: 53, cidr: "10.0.0.0/24" }]],
    // --source-group by name: all protocols from that group
    ["source group by name", { SourceSecurityGroupName: "web" }, [{ ipProtocol: "-1", sourceGroupId: web.groupId }]],
    // IpPermissions with both kinds of source; ports dropped for -1
    [
      "ip permissions",
      { IpPermissions: [{ IpProtocol: "-1", FromPort: 1, ToPort: 2, IpRanges: [{ CidrIp: "0.0.0.0/0" }], UserIdGroupPairs: [{ GroupId: web.groupId }] }] },
      [{ ipProtocol: "-1", cidr: "0.0.0.0/0" }, { ipProtocol: "-1", sourceGroupId: web.groupId }],
    ],
    // ICMP all types and codes by default
    ["icmp", { IpPermissions: [{ IpProtocol: "icmp", IpRanges: [{ CidrIp: "10.1.0.0/16" }] }] }, [{ ipProtocol: "icmp", fromPort: -1, toPort: -1, cidr: "10.1.0.0/16" }]],
  ])("%s", (_name, req, want) => {
    expect(readPermissions(req, dflt, groups)).toEqual(want);
  });

  it.each<[string, IngressRequest, string, RegExp]>([
    // nothing named
    ["empty", {}, "MissingParameter", /ipPermissions/],
    // tcp without ports
    ["tcp without ports", { IpProtocol: "tcp", CidrIp: "10.0.0.0/8" }, "InvalidParameterValue", /both from and to ports/],
    // reversed range
    ["reversed ports", { IpProtocol: "tcp", FromPort: 90, ToPort: 80, CidrIp: "10.0.0.0/8" }, "InvalidParameterValue", /must not be greater/],
    // port out of range
    ["port too big", { IpProtocol: "tcp", FromPort: 80, ToPort: 70000, CidrIp: "10.0.0.0/8" }, "InvalidParameterValue", /0-65535/],
    // a CIDR that is not one
    ["bad cidr", { IpProtocol: "tcp", FromPort: 80, ToPort: 80, CidrIp: "10.0.0.300/8" }, "InvalidParameterValue", /not a valid CIDR block/],
    // an unknown protocol
    ["bad protocol", { IpProtocol: "tcpx", FromPort: 80, ToPort: 80, CidrIp: "10.0.0.0/8" }, "InvalidParameterValue", /Unknown protocol/],
    // icmp: all types needs all codes
    ["icmp type -1 code 3", { IpPermissions: [{ IpProtocol: "icmp", FromPort: -1, ToPort: 3, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }] }, "InvalidParameterValue", /all ICMP codes/],
    // IPv6 is not enforced
    ["ipv6", { IpPermissions: [{ IpProtocol: "-1", Ipv6Ranges: [{ CidrIpv6: "::/0" }] }] }, "InvalidParameterValue", /IPv4 only/],
    // a permission with no source
    ["no source", { IpPermissions: [{ IpProtocol: "-1" }] }, "MissingParameter", /IpRanges or UserIdGroupPairs/],
    // an unknown source group
    ["unknown group", { IpPermissions: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: "sg-nope" }] }] }, "InvalidGroup.NotFound", /sg-nope/],
  ])("refuses %s", (_name, req, code, message) => {
    expect(() => readPermissions(req, dflt, groups)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });
});

describe("adding and removing permissions", () => {
  const http = { ipProtocol: "tcp", fromPort: 80, toPort: 80, cidr: "10.0.0.0/24" };
  const http2 = { ipProtocol: "tcp", fromPort: 80, toPort: 80, cidr: "10.0.1.0/24" };
  const fromWeb = { ipProtocol: "tcp", fromPort: 80, toPort: 80, sourceGroupId: web.groupId };

  it("groups permissions by protocol and ports", () => {
    expect(addPermissions([], [http, http2, fromWeb])).toEqual([
      { ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrs: ["10.0.0.0/24", "10.0.1.0/24"], sourceGroupIds: [web.groupId] },
    ]);
  });

  it.each([
    // the same CIDR twice
    [[http], [http], "InvalidPermission.Duplicate"],
    // the same group twice in one request
    [[], [fromWeb, fromWeb], "InvalidPermission.Duplicate"],
  ])("add refuses a duplicate (%#)", (existing, perms, code) => {
    expect(() => addPermissions(addPermissions([], existing), perms)).toThrow(expect.objectContaining({ code }));
  });

  it.each([
    // removing one source leaves the range with the other
    [[http, http2], [http], [{ ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrs: ["10.0.1.0/24"], sourceGroupIds: [] }]],
    // removing the last source drops the range
    [[http], [http], []],
  ])("remove (%#)", (existing, perms, want) => {
    expect(removePermissions(addPermissions([], existing), perms)).toEqual(want);
  });

  it("remove refuses a rule that is not there", () => {
    expect(() => removePermissions(addPermissions([], [http]), [http2])).toThrow(expect.objectContaining({ code: "InvalidPermission.NotFound" }));
  });
});

describe("rule ids", () => {
  const rules = addPermissions([], [
    { ipProtocol: "tcp", fromPort: 80, toPort: 80, cidr: "10.0.0.0/24" },
    { ipProtocol: "tcp", fromPort: 80, toPort: 80, sourceGroupId: dflt.groupId },
  ]);
  const withRules: SecurityGroup = { ...web, ingress: rules };

  it("expands rules into single permissions, each with a stable sgr- id", () => {
    const perms = permissionsOf(rules);
    expect(perms).toEqual([
      { ipProtocol: "tcp", fromPort: 80, toPort: 80, cidr: "10.0.0.0/24" },
      { ipProtocol: "tcp", fromPort: 80, toPort: 80, sourceGroupId: dflt.groupId },
    ]);
    const ids = perms.map((p) => ruleIdOf(web.groupId, p));
    expect(new Set(ids).size).toBe(2);
    expect(ids[0]).toMatch(/^sgr-[0-9a-f]{17}$/);
    expect(ruleIdOf(web.groupId, perms[0])).toBe(ids[0]);
    expect(ruleIdOf(dflt.groupId, perms[0])).not.toBe(ids[0]);
  });

  it.each([
    // a known id names its permission
    [[0], [0]],
    // both, in the order asked
    [[1, 0], [1, 0]],
  ])("reads rule ids %j", (ask, want) => {
    const perms = permissionsOf(rules);
    const ids = ask.map((i) => ruleIdOf(web.groupId, perms[i]));
    expect(readPermissions({ SecurityGroupRuleIds: ids }, withRules, groups)).toEqual(want.map((i) => perms[i]));
  });

  it("refuses an id the group does not have", () => {
    expect(() => readPermissions({ SecurityGroupRuleIds: ["sgr-00000000000000000"] }, withRules, groups)).toThrow(
      expect.objectContaining({ code: "InvalidSecurityGroupRuleId.NotFound" }),
    );
  });
});

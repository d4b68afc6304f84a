import { describe, expect, it } from "vitest";
import { ingressPermissions } from "./ingress.js";
import type { SecurityGroup } from "./types.js";

const group = (id: string, ingress: SecurityGroup["ingress"]): SecurityGroup => ({ groupId: id, groupName: id, description: "", vpcId: "vpc", ingress });

describe("ingressPermissions", () => {
  it.each([
    // the default group: all traffic from its members only
    ["self group", [group("sg-d", [{ ipProtocol: "-1", cidrs: [], sourceGroupIds: ["sg-d"] }])], { "sg-d": ["172.31.0.2", "172.31.0.3"] }, [
      { protocol: "-1", fromPort: 0, toPort: 0, cidr: "172.31.0.2/32" },
      { protocol: "-1", fromPort: 0, toPort: 0, cidr: "172.31.0.3/32" },
    ]],
    // a web group: tcp 80 from anywhere
    ["cidr rule", [group("sg-w", [{ ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrs: ["0.0.0.0/0"], sourceGroupIds: [] }])], {}, [
      { protocol: "tcp", fromPort: 80, toPort: 80, cidr: "0.0.0.0/0" },
    ]],
    // a group whose source group has no members admits nothing
    ["empty source", [group("sg-a", [{ ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrs: [], sourceGroupIds: ["sg-b"] }])], {}, []],
    // the same permission from two groups appears once
    ["dedupe", [
      group("sg-1", [{ ipProtocol: "udp", fromPort: 53, toPort: 53, cidrs: ["10.0.0.0/8"], sourceGroupIds: [] }]),
      group("sg-2", [{ ipProtocol: "udp", fromPort: 53, toPort: 53, cidrs: ["10.0.0.0/8"], sourceGroupIds: [] }]),
    ], {}, [{ protocol: "udp", fromPort: 53, toPort: 53, cidr: "10.0.0.0/8" }]],
  ] as const)("%s", (_name, groups, members, want) => {
    expect(ingressPermissions(groups as unknown as SecurityGroup[], new Map(Object.entries(members)))).toEqual(want);
  });
});

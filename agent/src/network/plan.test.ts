import { describe, expect, it } from "vitest";
import { bridgeConfig, bridgeFor, gatewayOf, ingressRuleset, planRouteChanges } from "./plan.js";
import { writeTar } from "./tar.js";

describe("network plans", () => {
  it("bridgeConfig: the chosen address on the task bridge, the block's gateway, a default route", () => {
    expect(bridgeConfig({ attachmentId: "a", blockCidr: "172.31.0.64/26", privateIpv4Address: "172.31.0.70" })).toEqual({
      cniVersion: "1.0.0",
      name: "berth-172-31-0-64-26",
      type: "bridge",
      bridge: "bt-ac1f0040-26",
      isGateway: true,
      ipMasq: false,
      hairpinMode: true,
      ipam: { type: "static", addresses: [{ address: "172.31.0.70/26", gateway: "172.31.0.65" }], routes: [{ dst: "0.0.0.0/0", gw: "172.31.0.65" }] },
    });
    expect(gatewayOf("10.0.0.0/24")).toBe("10.0.0.1");
  });

  it.each([
    // a block's bridge: bt-, its network address in hex, its length; within Linux's 15 characters
    ["172.31.0.64/26", "bt-ac1f0040-26"],
    ["172.31.240.0/24", "bt-ac1ff000-24"],
    ["10.0.0.0/8", "bt-0a000000-8"],
  ])("bridgeFor(%s) = %s", (cidr, name) => {
    expect(bridgeFor(cidr)).toBe(name);
    expect(bridgeFor(cidr).length).toBeLessThanOrEqual(15);
  });

  const r = (cidr: string, via: string) => ({ cidr, via });
  it.each([
    // nothing installed yet: everything is added
    ["fresh", [], [r("172.31.0.64/26", "10.0.0.2")], { add: [r("172.31.0.64/26", "10.0.0.2")], remove: [] }],
    // already as wanted: nothing to do
    ["steady", [r("172.31.0.64/26", "10.0.0.2")], [r("172.31.0.64/26", "10.0.0.2")], { add: [], remove: [] }],
    // a host went away: its block's route goes
    ["peer gone", [r("172.31.0.64/26", "10.0.0.2"), r("172.31.0.128/26", "10.0.0.3")], [r("172.31.0.64/26", "10.0.0.2")], { add: [], remove: [r("172.31.0.128/26", "10.0.0.3")] }],
    // a block handed to another host: replaced in place, not deleted
    ["block moved", [r("172.31.0.64/26", "10.0.0.2")], [r("172.31.0.64/26", "10.0.0.9")], { add: [r("172.31.0.64/26", "10.0.0.9")], remove: [] }],
  ])("planRouteChanges: %s", (_name, current, wanted, want) => {
    expect(planRouteChanges(current, wanted)).toEqual(want);
  });

  it.each([
    // the default group's members: every protocol from each /32
    ["all from a member", [{ protocol: "-1", fromPort: 0, toPort: 0, cidr: "172.31.0.2/32" }], "-A INPUT -s 172.31.0.2/32 -j ACCEPT"],
    // a port range of tcp
    ["tcp range", [{ protocol: "tcp", fromPort: 8000, toPort: 8080, cidr: "0.0.0.0/0" }], "-A INPUT -s 0.0.0.0/0 -p tcp --dport 8000:8080 -j ACCEPT"],
    // icmp takes no ports
    ["icmp", [{ protocol: "icmp", fromPort: -1, toPort: -1, cidr: "10.0.0.0/8" }], "-A INPUT -s 10.0.0.0/8 -p icmp -j ACCEPT"],
  ])("ingressRuleset: %s", (_name, ingress, rule) => {
    const lines = ingressRuleset(ingress).split("\n");
    // Drop by default, replies and loopback always pass, the rule before COMMIT.
    expect(lines.slice(0, 6)).toEqual(["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]", "-A INPUT -i lo -j ACCEPT", "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT"]);
    expect(lines[6]).toBe(rule);
    expect(lines[7]).toBe("COMMIT");
  });

  it("writeTar: ustar headers with checksums, content padded to 512, two zero blocks at the end", () => {
    const tar = writeTar([{ path: "bin", mode: 0o755, dir: true }, { path: "bin/x", mode: 0o755, content: Buffer.from("hello") }]);
    expect(tar.length).toBe(512 * 2 + 512 + 512 * 2);
    expect(tar.subarray(0, 4).toString()).toBe("bin/");
    expect(tar.subarray(257, 262).toString()).toBe("ustar");
    expect(tar.subarray(512, 517).toString()).toBe("bin/x");
    expect(tar.subarray(1024, 1029).toString()).toBe("hello");
    const header = Buffer.from(tar.subarray(512, 1024));
    const stored = parseInt(header.subarray(148, 154).toString(), 8);
    header.fill(" ", 148, 156);
    expect(stored).toBe(header.reduce((s, b) => s + b, 0));
  });
});

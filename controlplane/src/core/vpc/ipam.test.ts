import { describe, expect, it } from "vitest";
import { blockGateway, cidrContains, freeBlock, intToIp, ipToInt, pickAddress, privateDnsName } from "./ipam.js";

describe("ipam", () => {
  it.each([
    // the first /26 of an empty /20
    ["172.31.0.0/20", [], "172.31.0.0/26"],
    // the next one once the first is taken
    ["172.31.0.0/20", ["172.31.0.0/26"], "172.31.0.64/26"],
    // a gap left by a freed block is reused first
    ["172.31.16.0/20", ["172.31.16.64/26"], "172.31.16.0/26"],
    // a subnet smaller than a block is one block
    ["10.0.0.16/28", [], "10.0.0.16/28"],
    // every block of a /26 subnet taken: none
    ["10.0.0.0/26", ["10.0.0.0/26"], undefined],
  ])("freeBlock(%s, taken %j) = %s", (subnet, taken, want) => {
    expect(freeBlock(subnet, new Set(taken))).toBe(want);
  });

  it.each([
    // network .0 and gateway .1 are skipped
    [["172.31.0.0/26"], [], "172.31.0.2"],
    // used ones skipped, the lowest free wins
    [["172.31.0.0/26"], ["172.31.0.2", "172.31.0.4"], "172.31.0.3"],
    // a full first block spills into the second (broadcast .63 never used)
    [["172.31.0.0/26", "172.31.0.64/26"], Array.from({ length: 61 }, (_, i) => `172.31.0.${i + 2}`), "172.31.0.66"],
    // full: undefined
    [["10.0.0.0/30"], ["10.0.0.2"], undefined],
  ])("pickAddress(%j, used %j) = %s", (blocks, used, want) => {
    expect(pickAddress(blocks, new Set(used))).toBe(want);
  });

  it.each([
    ["172.31.0.64/26", "172.31.0.65"],
    ["10.1.2.0/24", "10.1.2.1"],
  ])("blockGateway(%s) = %s", (block, gw) => expect(blockGateway(block)).toBe(gw));

  it.each([
    ["172.31.0.0/20", "172.31.15.255", true],
    ["172.31.0.0/20", "172.31.16.0", false],
  ])("cidrContains(%s, %s) = %s", (cidr, ip, want) => expect(cidrContains(cidr, ip)).toBe(want));

  it.each([
    ["172.31.5.9", "us-east-1", "ip-172-31-5-9.ec2.internal"],
    ["172.31.5.9", "eu-west-1", "ip-172-31-5-9.eu-west-1.compute.internal"],
  ])("privateDnsName(%s, %s) = %s", (ip, region, want) => expect(privateDnsName(ip, region)).toBe(want));

  it("ipToInt and intToIp round-trip; bad input throws", () => {
    expect(intToIp(ipToInt("255.0.10.1"))).toBe("255.0.10.1");
    expect(() => ipToInt("1.2.3")).toThrow(/not an IPv4/);
  });
});

import { describe, expect, it } from "vitest";
import { blockContains, blocksOverlap, parseIpv4Cidr, usableAddresses, type Ipv4Block } from "./cidr.js";

const block = (t: string) => parseIpv4Cidr(t) as Ipv4Block;

describe("parseIpv4Cidr", () => {
  it.each([
    // a network address
    ["10.0.1.0/24", {}, "10.0.1.0/24"],
    // host bits are normalised away when the caller allows them (rule CIDRs)
    ["10.0.1.7/24", {}, "10.0.1.0/24"],
    // ...and refused when a network address is required (subnets)
    ["10.0.1.7/24", { requireNetwork: true }, "not-network-address"],
    // the whole space
    ["0.0.0.0/0", {}, "0.0.0.0/0"],
    // a single host
    ["192.168.1.1/32", { requireNetwork: true }, "192.168.1.1/32"],
    // no prefix
    ["10.0.0.0", {}, "malformed"],
    // prefix too long
    ["10.0.0.0/33", {}, "malformed"],
    // an octet out of range
    ["10.0.256.0/24", {}, "malformed"],
    // octal-looking parts are not decimal
    ["010.0.0.0/8", {}, "malformed"],
    // three parts
    ["10.0.0/24", {}, "malformed"],
    // IPv6 is not an IPv4 CIDR
    ["::/0", {}, "malformed"],
    // text
    ["anywhere", {}, "malformed"],
  ])("%s %j -> %s", (text, opts, want) => {
    const r = parseIpv4Cidr(text, opts);
    expect(typeof r === "string" ? r : r.cidr).toBe(want);
  });
});

describe("block arithmetic", () => {
  it.each([
    // the same block
    ["10.0.0.0/24", "10.0.0.0/24", true],
    // one inside the other
    ["10.0.0.0/16", "10.0.5.0/24", true],
    // adjacent, not overlapping
    ["10.0.0.0/24", "10.0.1.0/24", false],
    // far apart
    ["172.31.0.0/20", "172.31.96.0/20", false],
  ])("overlap(%s, %s) = %s", (a, b, want) => {
    expect(blocksOverlap(block(a), block(b))).toBe(want);
    expect(blocksOverlap(block(b), block(a))).toBe(want);
  });

  it.each([
    // inside the default VPC
    ["172.31.0.0/16", "172.31.96.0/20", true],
    // the VPC itself
    ["172.31.0.0/16", "172.31.0.0/16", true],
    // partly outside
    ["172.31.0.0/16", "172.30.0.0/15", false],
    // wholly outside
    ["172.31.0.0/16", "10.0.0.0/24", false],
  ])("contains(%s, %s) = %s", (outer, inner, want) => {
    expect(blockContains(block(outer), block(inner))).toBe(want);
  });

  it.each([
    // a /20 as the default subnets: 4096 - 5
    ["172.31.0.0/20", 4091],
    // the smallest EC2 subnet
    ["10.0.0.0/28", 11],
  ])("usableAddresses(%s) = %d", (cidr, want) => {
    expect(usableAddresses(block(cidr))).toBe(want);
  });
});

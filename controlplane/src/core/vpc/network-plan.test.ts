import { describe, expect, it } from "vitest";
import { planInstanceAddresses } from "./network-plan.js";
import type { Subnet } from "./types.js";

const subnet = (id: string, cidr: string, zone = "z1"): Subnet => ({ subnetId: id, vpcId: "vpc", cidrBlock: cidr, availabilityZone: zone, defaultForAz: false });
const a = subnet("a", "10.0.0.0/24");
const tiny = subnet("t", "10.9.0.0/30");
const other = subnet("o", "10.1.0.0/24", "z2");

describe("planInstanceAddresses", () => {
  it.each([
    // a fresh instance gets the subnet's first block and its first addresses
    ["first task", [a], { zone: "z1", blocks: [], used: [] }, 2, {}, { ips: ["10.0.0.2", "10.0.0.3"], newBlocks: ["10.0.0.0/26"], unplaced: 0 }],
    // an instance with a block reuses it, skipping used addresses
    ["own block", [a], { zone: "z1", blocks: [{ subnetId: "a", cidr: "10.0.0.64/26" }], used: ["10.0.0.66"] }, 1, {}, { ips: ["10.0.0.67"], newBlocks: [], unplaced: 0 }],
    // blocks other instances hold are skipped
    ["taken blocks", [a], { zone: "z1", blocks: [], used: [] }, 1, { a: ["10.0.0.0/26", "10.0.0.64/26"] }, { ips: ["10.0.0.130"], newBlocks: ["10.0.0.128/26"], unplaced: 0 }],
    // a full block spills into a new one
    ["spill", [a], { zone: "z1", blocks: [{ subnetId: "a", cidr: "10.0.0.0/26" }], used: Array.from({ length: 61 }, (_, i) => `10.0.0.${i + 2}`) }, 1, {}, { ips: ["10.0.0.66"], newBlocks: ["10.0.0.64/26"], unplaced: 0 }],
    // a /30 holds one task address (.2); the second task finds the next subnet full too
    ["full subnet", [tiny], { zone: "z1", blocks: [], used: [] }, 2, {}, { ips: ["10.9.0.2"], newBlocks: ["10.9.0.0/30"], unplaced: 1 }],
    // a full first subnet falls to the next one in the zone
    ["next subnet", [tiny, a], { zone: "z1", blocks: [{ subnetId: "t", cidr: "10.9.0.0/30" }], used: ["10.9.0.2"] }, 1, {}, { ips: ["10.0.0.2"], newBlocks: ["10.0.0.0/26"], unplaced: 0 }],
    // subnets of other zones are never used
    ["other zone", [other], { zone: "z1", blocks: [], used: [] }, 1, {}, { ips: [], newBlocks: [], unplaced: 1 }],
  ])("%s", (_name, subnets, inst, count, taken, want) => {
    const plan = planInstanceAddresses(subnets, inst, count, new Map(Object.entries(taken).map(([k, v]) => [k, new Set(v)])));
    expect({ ips: plan.addresses.map((x) => x.ip), newBlocks: plan.newBlocks.map((b) => b.cidr), unplaced: plan.unplaced }).toEqual(want);
    for (const x of plan.addresses) expect(x.blockCidr.endsWith("/26") || x.blockCidr.endsWith("/30")).toBe(true);
  });
});

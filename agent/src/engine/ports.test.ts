import { describe, expect, it } from "vitest";
import { candidatePorts, NoFreePortError, parsePortRange, PortAllocator } from "./ports.js";

describe("parsePortRange", () => {
  it.each<[string, string, { start: number; end: number } | "error"]>([
    // The kernel's file: tab separated.
    ["kernel format", "32768\t60999\n", { start: 32768, end: 60999 }],
    // ECS_DYNAMIC_HOST_PORT_RANGE's format.
    ["dash format", "40000-40010", { start: 40000, end: 40010 }],
    // Reversed ranges are refused.
    ["reversed", "5-1", "error"],
    // Not numbers.
    ["garbage", "lots", "error"],
  ])("%s", (_n, text, expected) => {
    if (expected === "error") expect(() => parsePortRange(text)).toThrow();
    else expect(parsePortRange(text)).toEqual(expected);
  });
});

describe("candidatePorts", () => {
  it.each<[string, number, number[], number, number[]]>([
    // From the start of the range when nothing was handed out yet.
    ["fresh", 5, [], 0, [10, 11, 12, 13, 14]],
    // After the last port handed out, wrapping round.
    ["after last, wrapping", 5, [], 12, [13, 14, 10, 11, 12]],
    // Taken ports are skipped.
    ["skips taken", 5, [10, 11], 0, [12, 13, 14]],
  ])("%s", (_n, size, taken, last, expected) => {
    expect([...candidatePorts({ start: 10, end: 10 + size - 1 }, new Set(taken), last)]).toEqual(expected);
  });
});

describe("PortAllocator", () => {
  it("skips ports the host uses and never hands one out twice", async () => {
    const busy = new Set([20001]);
    const a = new PortAllocator({ start: 20000, end: 20003 }, async (p) => !busy.has(p));
    const got = await Promise.all([a.allocate("tcp"), a.allocate("tcp"), a.allocate("tcp")]);
    expect(new Set(got).size).toBe(3);
    expect(got).not.toContain(20001);
    await expect(a.allocate("tcp")).rejects.toBeInstanceOf(NoFreePortError);
    a.release(got[0], "tcp");
    expect(await a.allocate("tcp")).toBe(got[0]);
  });

  it("keeps tcp and udp apart", async () => {
    const a = new PortAllocator({ start: 20000, end: 20000 }, async () => true);
    expect(await a.allocate("tcp")).toBe(20000);
    expect(await a.allocate("udp")).toBe(20000);
  });
});

import type { Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { OpsError } from "./client.js";
import { formatDollars, meteredOfTask, parseSince } from "./cost-rows.js";

const now = Date.UTC(2026, 11, 1, 12);

describe("parseSince", () => {
  it.each<[string, string, number | undefined]>([
    // durations back from now
    ["minutes", "30m", now - 30 * 60_000],
    ["hours", "24h", now - 86_400_000],
    ["days", "7d", now - 7 * 86_400_000],
    // a date
    ["ISO date", "2026-11-01T00:00:00Z", Date.UTC(2026, 10, 1)],
    // neither
    ["garbage", "yesterday-ish", undefined],
  ])("%s", (_name, value, expected) => {
    if (expected === undefined) expect(() => parseSince(value, now)).toThrow(OpsError);
    else expect(parseSince(value, now)).toBe(expected);
  });
});

describe("meteredOfTask", () => {
  it.each<[string, Task, { cpu?: string; memory?: string; reserved: { cpu: number; memory: number } }]>([
    // a Fargate task: its task-level size
    ["task size", { cpu: "256", memory: "512", containers: [{ cpu: "0" }] }, { cpu: "256", memory: "512", reserved: { cpu: 0, memory: 0 } }],
    // an EC2 task without one: its containers' cpu and memory (or reservation), summed
    ["containers", { containers: [{ cpu: "128", memory: "64" }, { cpu: "0", memoryReservation: "32" }] }, { cpu: undefined, memory: undefined, reserved: { cpu: 128, memory: 96 } }],
  ])("%s", (_name, task, expected) => {
    const m = meteredOfTask({ ...task, startedAt: new Date(now) }, "prod");
    expect({ cpu: m.cpu, memory: m.memory, reserved: { cpu: m.reserved.cpu, memory: m.reserved.memory } }).toEqual(expected);
    expect(m.startedAtMs).toBe(now);
  });

  it("formatDollars keeps fractions of a cent", () => {
    expect(formatDollars(8.88660001)).toBe("$8.8866");
  });
});

import { describe, expect, it } from "vitest";
import { ago, bytes, cpuUnits, epochMs, familyRevision, idOf, percent, plural } from "./format";

describe("idOf and familyRevision", () => {
  it.each([
    // a task ARN: its id
    ["arn:aws:ecs:us-east-1:000000000000:task/prod/0a1b2c", "0a1b2c", "arn:aws:ecs:us-east-1:000000000000:task/prod/0a1b2c"],
    // a task definition ARN: family:revision
    ["arn:aws:ecs:us-east-1:000000000000:task-definition/web:7", "web:7", "web:7"],
    // a bare id stays itself
    ["web", "web", "web"],
    // nothing is nothing
    ["", "", ""],
  ])("%s", (arn, id, fr) => {
    expect(idOf(arn)).toBe(id);
    expect(familyRevision(arn)).toBe(fr);
  });
});

describe("epochMs", () => {
  it.each<[number | string | undefined, number]>([
    // JSON 1.1 sends epoch seconds with a fraction
    [1764590000.5, 1764590000500],
    // already ms
    [1764590000500, 1764590000500],
    // an ISO string
    ["2025-12-01T12:00:00Z", Date.UTC(2025, 11, 1, 12)],
    // a numeric string
    ["1764590000", 1764590000000],
    // absent
    [undefined, 0],
    // junk
    ["soon", 0],
  ])("%s -> %s", (t, want) => expect(epochMs(t)).toBe(want));
});

describe("ago", () => {
  const now = 1_000_000_000;
  it.each([
    // seconds
    [now - 12_000, "12s ago"],
    // minutes
    [now - 5 * 60_000, "5m ago"],
    // hours
    [now - 3 * 3_600_000, "3h ago"],
    // days
    [now - 2 * 86_400_000, "2d ago"],
    // a clock a little ahead is "0s ago", not negative
    [now + 1500, "0s ago"],
    // absent
    [0, "-"],
  ])("%s", (then, want) => expect(ago(then, now)).toBe(want));
});

describe("sizes and shares", () => {
  it.each([
    // bytes
    [512, "512 B"],
    // one decimal below ten units
    [1536, "1.5 KiB"],
    // whole above
    [300 * 1024 * 1024, "300 MiB"],
    // GiB
    [2.5 * 1024 ** 3, "2.5 GiB"],
    // a negative is unknown
    [-1, "-"],
  ])("bytes(%s) = %s", (n, want) => expect(bytes(n)).toBe(want));

  it.each([
    // a whole vCPU
    [2048, "2 vCPU"],
    // a quarter
    [256, "0.25 vCPU"],
  ])("cpuUnits(%s) = %s", (n, want) => expect(cpuUnits(n)).toBe(want));

  it.each([
    // a plain share
    [1, 4, 25],
    // nothing of nothing is 0, not NaN
    [0, 0, 0],
    // over the whole is capped
    [5, 4, 100],
  ])("percent(%s, %s) = %s", (part, whole, want) => expect(percent(part, whole)).toBe(want));

  it.each([
    // one
    [1, "1 task"],
    // none and many are plural
    [0, "0 tasks"],
    [3, "3 tasks"],
  ])("plural(%s)", (n, want) => expect(plural(n, "task")).toBe(want));
});

import { describe, expect, it } from "vitest";
import { describeHealth } from "./health-rules.js";
import { defaultHealthCheck, defaultTargetGroupAttributes } from "./target-group-rules.js";
import type { TargetGroupRecord } from "./types.js";

const tg = (over: Partial<TargetGroupRecord> = {}): TargetGroupRecord => ({
  name: "web",
  id: "0123456789abcdef",
  arn: "arn:tg",
  protocol: "HTTP",
  protocolVersion: "HTTP1",
  port: 80,
  vpcId: "vpc-1",
  targetType: "ip",
  ipAddressType: "ipv4",
  healthCheck: defaultHealthCheck,
  attributes: { ...defaultTargetGroupAttributes, "deregistration_delay.timeout_seconds": "10" },
  targets: [{ id: "10.0.0.1", port: 80, address: "10.0.0.1", availabilityZone: "all", registeredAtMs: 0 }],
  tags: [],
  createdAtMs: 0,
  ...over,
});

describe("describeHealth", () => {
  it.each([
    // in use, not reported yet: registration in progress
    ["fresh", tg(), { inUse: true, observed: {} }, { state: "initial", reason: "Elb.RegistrationInProgress" }],
    // what the data plane saw
    ["reported", tg(), { inUse: true, observed: { "10.0.0.1:80": { state: "unhealthy", reason: "Target.Timeout", description: "Request timed out" } } }, { state: "unhealthy", reason: "Target.Timeout" }],
    // no listener forwards to the group
    ["unused", tg(), { inUse: false, observed: {} }, { state: "unused", reason: "Target.NotInUse" }],
    // checks disabled
    ["disabled", tg({ healthCheck: { ...defaultHealthCheck, enabled: false } }), { inUse: true, observed: {} }, { state: "unavailable", reason: "Target.HealthCheckDisabled" }],
    // deregistered, within the delay
    ["draining", tg({ targets: [{ id: "10.0.0.1", port: 80, address: "10.0.0.1", availabilityZone: "all", registeredAtMs: 0, drainingSinceMs: 1 }] }), { inUse: true, observed: {} }, { state: "draining", reason: "Target.DeregistrationInProgress" }],
  ])("%s", (_, group, inputs, want) => {
    const [row] = describeHealth(group, { ...inputs, now: 5000 });
    expect(row.health).toEqual(expect.objectContaining(want));
    expect(row).toEqual(expect.objectContaining({ id: "10.0.0.1", port: 80, healthCheckPort: "80", availabilityZone: "all" }));
  });

  it.each([
    // a target asked for that the group does not hold
    [[{ id: "10.0.0.9" }], [{ id: "10.0.0.9", port: 80, state: "unused", reason: "Target.NotRegistered" }]],
    // one that it holds
    [[{ id: "10.0.0.1", port: 80 }], [{ id: "10.0.0.1", port: 80, state: "initial", reason: "Elb.RegistrationInProgress" }]],
  ])("asked %o", (asked, want) => {
    const rows = describeHealth(tg(), { inUse: true, observed: {}, now: 0, asked });
    expect(rows.map((r) => ({ id: r.id, port: r.port, state: r.health.state, reason: r.health.reason }))).toEqual(want);
  });

  it("a target drained past its delay is gone", () => {
    const group = tg({ targets: [{ id: "10.0.0.1", port: 80, address: "10.0.0.1", availabilityZone: "all", registeredAtMs: 0, drainingSinceMs: 1 }] });
    expect(describeHealth(group, { inUse: true, observed: {}, now: 10_001 })).toEqual([]);
  });

  it("reports the health-check port when it is not the traffic port", () => {
    const [row] = describeHealth(tg({ healthCheck: { ...defaultHealthCheck, port: "8081" } }), { inUse: true, observed: {}, now: 0 });
    expect(row.healthCheckPort).toBe("8081");
  });
});

import { describe, expect, it } from "vitest";
import { applyHealthCheck, applyTargetGroupAttributes, checkHttpCode, defaultHealthCheck, defaultTargetGroupAttributes, liveTargets, planDeregisterTargets, planRegisterTargets } from "./target-group-rules.js";
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
  attributes: { ...defaultTargetGroupAttributes },
  targets: [],
  tags: [],
  createdAtMs: 0,
  ...over,
});
const zoneOf = (ip: string) => (ip.startsWith("172.31.") ? "us-east-1a" : undefined);
const noInstances = () => undefined;

describe("applyHealthCheck", () => {
  it.each([
    // ELBv2's defaults pass
    [{}, undefined],
    // a short interval and timeout, as tests use
    [{ intervalSeconds: 5, timeoutSeconds: 2 }, undefined],
    // below ELBv2's minimum interval
    [{ intervalSeconds: 4 }, /HealthCheckIntervalSeconds must be between 5 and 300/],
    // the timeout must be shorter than the interval
    [{ intervalSeconds: 5, timeoutSeconds: 5 }, /timeout \(5\) must be smaller than the interval \(5\)/],
    // thresholds 2–10
    [{ healthyThreshold: 11 }, /HealthyThresholdCount must be between 2 and 10/],
    [{ unhealthyThreshold: 1 }, /UnhealthyThresholdCount must be between 2 and 10/],
    // a path must start with /
    [{ path: "health" }, /HealthCheckPath 'health' must begin with '\/'/],
    // a port number or traffic-port
    [{ port: "70000" }, /HealthCheckPort '70000'/],
    [{ port: "8081" }, undefined],
    // HTTP checks only
    [{ protocol: "TCP" as "HTTP" }, /HealthCheckProtocol 'TCP' is not supported/],
    // a bad matcher
    [{ httpCode: "600" }, /HttpCode '600'/],
  ])("%o", (changes, error) => {
    if (error) expect(() => applyHealthCheck(defaultHealthCheck, changes)).toThrow(error);
    else expect(applyHealthCheck(defaultHealthCheck, changes)).toEqual({ ...defaultHealthCheck, ...changes });
  });

  it("keeps settings the change leaves undefined", () => {
    expect(applyHealthCheck({ ...defaultHealthCheck, path: "/h" }, { path: undefined })).toEqual({ ...defaultHealthCheck, path: "/h" });
  });
});

describe("checkHttpCode", () => {
  it.each([
    // one code
    ["200", true],
    // a list
    ["200,202,301", true],
    // a range
    ["200-299", true],
    // a backwards range
    ["299-200", false],
    // outside 200–499
    ["500", false],
    // not a code
    ["ok", false],
  ])("%s", (code, ok) => {
    if (ok) expect(() => checkHttpCode(code)).not.toThrow();
    else expect(() => checkHttpCode(code)).toThrow(/HttpCode/);
  });
});

describe("applyTargetGroupAttributes", () => {
  it.each([
    // a deregistration delay in range
    [[{ key: "deregistration_delay.timeout_seconds", value: "2" }], undefined],
    // out of range
    [[{ key: "deregistration_delay.timeout_seconds", value: "3601" }], /must be an integer from 0 to 3600/],
    // slow start is 0 or 30–900
    [[{ key: "slow_start.duration_seconds", value: "10" }], /must be 0 or an integer from 30 to 900/],
    [[{ key: "slow_start.duration_seconds", value: "30" }], undefined],
    // an algorithm ELBv2 knows
    [[{ key: "load_balancing.algorithm.type", value: "least_outstanding_requests" }], undefined],
    // an unknown key refuses the whole change
    [[{ key: "slow_start.duration_seconds", value: "30" }, { key: "nope", value: "1" }], /'nope' is not recognized/],
  ])("%o", (changes, error) => {
    if (error) expect(() => applyTargetGroupAttributes(defaultTargetGroupAttributes, changes)).toThrow(error);
    else expect(applyTargetGroupAttributes(defaultTargetGroupAttributes, changes)).toEqual({ ...defaultTargetGroupAttributes, ...Object.fromEntries(changes.map((c) => [c.key, c.value])) });
  });
});

describe("planRegisterTargets", () => {
  it.each([
    // an address in a subnet takes the subnet's zone, the group's port by default
    [tg(), [{ id: "172.31.0.9" }], [{ id: "172.31.0.9", port: 80, address: "172.31.0.9", availabilityZone: "us-east-1a" }]],
    // outside every subnet needs AvailabilityZone all
    [tg(), [{ id: "127.0.0.1", port: 9000, availabilityZone: "all" }], [{ id: "127.0.0.1", port: 9000, address: "127.0.0.1", availabilityZone: "all" }]],
    // the same target twice is one target
    [tg(), [{ id: "127.0.0.1", port: 9000, availabilityZone: "all" }, { id: "127.0.0.1", port: 9000, availabilityZone: "all" }], [{ id: "127.0.0.1", port: 9000, address: "127.0.0.1", availabilityZone: "all" }]],
  ])("%#", (group, req, want) => {
    const got = planRegisterTargets(group, req, zoneOf, noInstances, 5);
    expect(got).toEqual(want.map((w) => ({ ...w, registeredAtMs: 5 })));
  });

  it.each([
    // not an IPv4 address
    [tg(), [{ id: "web-1" }], /'web-1' is not a valid IPv4 address/],
    // outside the subnets without AvailabilityZone all
    [tg(), [{ id: "127.0.0.1" }], /outside every subnet of the VPC; register it with AvailabilityZone 'all'/],
    // a zone that is not the subnet's
    [tg(), [{ id: "172.31.0.9", availabilityZone: "us-east-1b" }], /is in us-east-1a, not us-east-1b/],
    // a bad port
    [tg(), [{ id: "172.31.0.9", port: 0 }], /port 0/],
    // an instance berth does not know
    [tg({ targetType: "instance" }), [{ id: "i-123" }], /not valid instances: 'i-123'/],
    // more than a group holds
    [tg({ targets: Array.from({ length: 1000 }, (_, i) => ({ id: "127.0.0.1", port: i + 1, address: "127.0.0.1", availabilityZone: "all", registeredAtMs: 0 })) }), [{ id: "127.0.0.1", port: 2000, availabilityZone: "all" }], /at most 1000 targets/],
  ])("refuses %#", (group, req, error) => {
    expect(() => planRegisterTargets(group, req, zoneOf, noInstances, 5)).toThrow(error);
  });

  it("an instance target goes to its instance's host address", () => {
    const got = planRegisterTargets(tg({ targetType: "instance" }), [{ id: "abc", port: 32768 }], zoneOf, () => ({ address: "10.0.0.5", availabilityZone: "us-east-1b" }), 1);
    expect(got).toEqual([{ id: "abc", port: 32768, address: "10.0.0.5", availabilityZone: "us-east-1b", registeredAtMs: 1 }]);
  });

  it("a draining target registered again comes back", () => {
    const group = tg({ targets: [{ id: "127.0.0.1", port: 9000, address: "127.0.0.1", availabilityZone: "all", registeredAtMs: 0, drainingSinceMs: 3 }] });
    expect(planRegisterTargets(group, [{ id: "127.0.0.1", port: 9000, availabilityZone: "all" }], zoneOf, noInstances, 5)[0].drainingSinceMs).toBeUndefined();
  });
});

describe("planDeregisterTargets and liveTargets", () => {
  const group = tg({
    attributes: { ...defaultTargetGroupAttributes, "deregistration_delay.timeout_seconds": "10" },
    targets: [
      { id: "127.0.0.1", port: 9000, address: "127.0.0.1", availabilityZone: "all", registeredAtMs: 0 },
      { id: "127.0.0.1", port: 9001, address: "127.0.0.1", availabilityZone: "all", registeredAtMs: 0 },
    ],
  });

  it.each([
    // one port drains
    [[{ id: "127.0.0.1", port: 9000 }], [1000, undefined]],
    // an id alone drains every port it has
    [[{ id: "127.0.0.1" }], [1000, 1000]],
  ])("%o", (req, want) => {
    expect(planDeregisterTargets(group, req, 1000).map((t) => t.drainingSinceMs)).toEqual(want);
  });

  it("refuses a target that is not registered", () => {
    expect(() => planDeregisterTargets(group, [{ id: "10.0.0.1" }], 1)).toThrow(/not registered in target group 'web': '10.0.0.1'/);
  });

  it.each([
    // still within the delay: it drains, still live
    [10_999, 2],
    // the delay over: gone
    [11_000, 1],
  ])("at %d ms %d targets are live", (now, n) => {
    const draining = { ...group, targets: planDeregisterTargets(group, [{ id: "127.0.0.1", port: 9000 }], 1000) };
    expect(liveTargets(draining, now)).toHaveLength(n);
  });
});

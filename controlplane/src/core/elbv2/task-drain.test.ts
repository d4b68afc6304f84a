import type { TaskRecord } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { drainSlackMs, drainVerdict, planStopDrain } from "./task-drain.js";
import { defaultHealthCheck, defaultTargetGroupAttributes } from "./target-group-rules.js";
import type { Target, TargetGroupRecord } from "./types.js";

const group = (arn: string, delaySeconds: number, targets: Target[]): TargetGroupRecord => ({
  name: arn,
  id: "0123456789abcdef",
  arn,
  protocol: "HTTP",
  protocolVersion: "HTTP1",
  port: 80,
  vpcId: "vpc-1",
  targetType: "instance",
  ipAddressType: "ipv4",
  healthCheck: defaultHealthCheck,
  attributes: { ...defaultTargetGroupAttributes, "deregistration_delay.timeout_seconds": String(delaySeconds) },
  targets,
  tags: [],
  createdAtMs: 0,
});
const target = (taskArn: string | undefined, drainingSinceMs?: number): Target => ({
  id: "ci-1",
  port: 32768,
  address: "10.0.0.5",
  availabilityZone: "all",
  registeredAtMs: 0,
  ...(taskArn && { taskArn }),
  ...(drainingSinceMs !== undefined && { drainingSinceMs }),
});
const task = (lastStatus: TaskRecord["lastStatus"], drain?: TaskRecord["drain"]) => ({ arn: "arn:task/a", lastStatus, drain });
const now = 100_000;

describe("planStopDrain", () => {
  it.each([
    // registered in a group with a 10 s delay: held, at most the delay plus slack
    ["registered", task("RUNNING"), [group("tg-1", 10, [target("arn:task/a")])], { sinceMs: now, targetGroupArns: ["tg-1"], untilMs: now + 10_000 + drainSlackMs }],
    // in two groups: both named, the longer delay bounds it
    ["two groups", task("RUNNING"), [group("tg-1", 10, [target("arn:task/a")]), group("tg-2", 30, [target("arn:task/a")])], { sinceMs: now, targetGroupArns: ["tg-1", "tg-2"], untilMs: now + 30_000 + drainSlackMs }],
    // already draining (deregistered by hand) and within its delay: held too
    ["draining", task("RUNNING"), [group("tg-1", 10, [target("arn:task/a", now - 1_000)])], { sinceMs: now, targetGroupArns: ["tg-1"], untilMs: now + 10_000 + drainSlackMs }],
    // its drain already over: nothing to wait for
    ["drained", task("RUNNING"), [group("tg-1", 10, [target("arn:task/a", now - 10_000)])], undefined],
    // a delay of 0: ELB drops it at once, so the stop goes at once
    ["no delay", task("RUNNING"), [group("tg-1", 0, [target("arn:task/a")])], undefined],
    // not registered anywhere (a target of another task, one by hand)
    ["not a target", task("RUNNING"), [group("tg-1", 10, [target("arn:task/b"), target(undefined)])], undefined],
    // never reached RUNNING: it was never sent traffic
    ["pending", task("PENDING"), [group("tg-1", 10, [target("arn:task/a")])], undefined],
  ])("%s", (_, t, groups, want) => {
    expect(planStopDrain(t, groups, now)).toEqual(want);
  });
});

describe("drainVerdict", () => {
  const gate = { sinceMs: now - 5_000, targetGroupArns: ["tg-1"], untilMs: now + 60_000 };
  it.each([
    // not deregistered yet (the load balancer loop has not run since the stop): hold
    ["registered", task("DEACTIVATING", gate), [group("tg-1", 10, [target("arn:task/a")])], { release: false }],
    // draining, within its delay: hold
    ["draining", task("DEACTIVATING", gate), [group("tg-1", 10, [target("arn:task/a", now - 4_000)])], { release: false }],
    // its delay has ended: release
    ["drained", task("DEACTIVATING", gate), [group("tg-1", 10, [target("arn:task/a", now - 10_000)])], { release: true, why: "drained" }],
    // purged from the group after its delay: release
    ["purged", task("DEACTIVATING", gate), [group("tg-1", 10, [])], { release: true, why: "drained" }],
    // its group deleted meanwhile: release
    ["group gone", task("DEACTIVATING", gate), [], { release: true, why: "drained" }],
    // a group not named in the gate does not hold it (registered there after the stop)
    ["other group", task("DEACTIVATING", gate), [group("tg-2", 10, [target("arn:task/a")])], { release: true, why: "drained" }],
    // past the gate's deadline: release whatever the targets show
    ["deadline", task("DEACTIVATING", { ...gate, untilMs: now }), [group("tg-1", 10, [target("arn:task/a")])], { release: true, why: "deadline" }],
    // stopped anyway (its essential container exited): release
    ["stopped", task("STOPPED", gate), [group("tg-1", 10, [target("arn:task/a")])], { release: true, why: "stopped" }],
    // no gate at all: nothing holds it
    ["no gate", task("STOPPING"), [group("tg-1", 10, [target("arn:task/a")])], { release: true, why: "drained" }],
  ])("%s", (_, t, groups, want) => {
    expect(drainVerdict(t, groups, now)).toEqual(want);
  });
});

import type { DeploymentRecord, ServiceRecord, TrafficShiftRecord } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { desiredRouting, rollBackShift, shiftTaskPolicy, splitWeights } from "./traffic.js";

const lb = { targetGroupArn: "tg-a", containerName: "web", containerPort: 80, advancedConfiguration: { alternateTargetGroupArn: "tg-b", productionListenerRule: "prod", testListenerRule: "test" } };

function deployment(id: string, over: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return { id, status: "ACTIVE", taskDefinition: "td:1", desiredCount: 2, failedTasks: 0, rolloutState: "COMPLETED", rolloutStateReason: "", createdAtMs: 0, updatedAtMs: 0, launchType: "EC2", ...over };
}

const shift = (over: Partial<TrafficShiftRecord> = {}): TrafficShiftRecord => ({
  strategy: "CANARY",
  sourceDeploymentId: "blue",
  targetGroupArns: ["tg-b"],
  sourceTargetGroupArns: ["tg-a"],
  stage: "PRODUCTION_TRAFFIC_SHIFT",
  stageStartedAtMs: 0,
  productionPercent: 10,
  step: 0,
  stepAtMs: 0,
  testRouted: true,
  hookResults: [],
  ...over,
});

const service = (deployments: DeploymentRecord[]): ServiceRecord =>
  ({ name: "web", status: "ACTIVE", deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false }, strategy: "CANARY" }, loadBalancers: [lb], deployments }) as unknown as ServiceRecord;

describe("splitWeights", () => {
  it.each<[string, number, [number, number]]>([
    // a 10 % canary: 100 of 1000 to the new group
    ["canary", 10, [100, 900]],
    // a tenth of a percent is the smallest step
    ["tenth", 0.1, [1, 999]],
    // all at once: the new group alone
    ["all", 100, [1, 0]],
  ])("%s", (_n, percent, [to, from]) => {
    const w = splitWeights("new", "old", percent);
    expect(w.find((x) => x.targetGroupArn === "new")!.weight).toBe(to);
    expect(w.find((x) => x.targetGroupArn === "old")!.weight).toBe(from);
  });
});

describe("desiredRouting", () => {
  it.each<[string, DeploymentRecord[], Record<string, Record<string, number>>]>([
    // a canary at 10 %: production split, test wholly on the new group
    ["canary step", [deployment("green", { status: "PRIMARY", rolloutState: "IN_PROGRESS", shift: shift() }), deployment("blue")], { prod: { "tg-b": 100, "tg-a": 900 }, test: { "tg-b": 1, "tg-a": 0 } }],
    // before the test shift: test still on the source
    ["before test shift", [deployment("green", { status: "PRIMARY", rolloutState: "IN_PROGRESS", shift: shift({ stage: "SCALE_UP", productionPercent: 0, testRouted: false }) }), deployment("blue")], { prod: { "tg-a": 1, "tg-b": 0 }, test: { "tg-a": 1, "tg-b": 0 } }],
    // rolled back: the source is PRIMARY again with the first group
    ["rolled back", [deployment("blue", { status: "PRIMARY" }), deployment("green", { rolloutState: "FAILED", shift: shift({ rollback: { reason: "x", startedAtMs: 0 } }) })], { prod: { "tg-a": 1, "tg-b": 0 }, test: { "tg-a": 1, "tg-b": 0 } }],
    // finished: all on the deployment's own (alternate) group; the roles have swapped
    ["finished", [deployment("green", { status: "PRIMARY", shift: shift({ done: true, stage: "CLEAN_UP", productionPercent: 100 }) })], { prod: { "tg-b": 1, "tg-a": 0 }, test: { "tg-b": 1, "tg-a": 0 } }],
  ])("%s", (_n, deployments, want) => {
    const got = Object.fromEntries(desiredRouting(service(deployments)).map((r) => [r.ruleArn, Object.fromEntries(r.groups.map((g) => [g.targetGroupArn, g.weight]))]));
    expect(got).toEqual(want);
  });

  it("leaves a ROLLING service's rules alone", () => {
    const s = service([deployment("a", { status: "PRIMARY" })]);
    expect(desiredRouting({ ...s, deploymentConfiguration: { ...s.deploymentConfiguration, strategy: "ROLLING" } })).toEqual([]);
  });
});

describe("shiftTaskPolicy", () => {
  it.each<[string, DeploymentRecord, ReturnType<typeof shiftTaskPolicy>]>([
    // hooks before scale-up: nothing starts, the source stays
    ["pre scale-up", deployment("g", { status: "PRIMARY", rolloutState: "IN_PROGRESS", shift: shift({ stage: "PRE_SCALE_UP" }) }), { canStart: false, holdOld: true, unboundedStart: true }],
    // scaling up beside the source
    ["scale up", deployment("g", { status: "PRIMARY", rolloutState: "IN_PROGRESS", shift: shift({ stage: "SCALE_UP" }) }), { canStart: true, holdOld: true, unboundedStart: true }],
    // CLEAN_UP: rolling rules stop the source
    ["clean up", deployment("g", { status: "PRIMARY", rolloutState: "IN_PROGRESS", shift: shift({ stage: "CLEAN_UP", done: true }) }), undefined],
    // a ROLLING deployment
    ["rolling", deployment("g", { status: "PRIMARY", rolloutState: "IN_PROGRESS" }), undefined],
  ])("%s", (_n, d, want) => {
    expect(shiftTaskPolicy(d)).toEqual(want);
  });
});

describe("rollBackShift", () => {
  it("makes the source PRIMARY again and fails the shifting deployment", () => {
    const out = rollBackShift([deployment("green", { status: "PRIMARY", rolloutState: "IN_PROGRESS", desiredCount: 3, shift: shift() }), deployment("blue", { serviceRevisionArn: "rev-blue" })], "hook failed", 5);
    expect(out.map((d) => [d.id, d.status, d.rolloutState, d.desiredCount])).toEqual([
      ["blue", "PRIMARY", "COMPLETED", 3],
      ["green", "ACTIVE", "FAILED", 3],
    ]);
    expect(out[1].shift!.rollback).toEqual({ reason: "hook failed", startedAtMs: 5, serviceRevisionArn: "rev-blue" });
  });

  it("only fails the deployment when its source is no longer listed", () => {
    const out = rollBackShift([deployment("green", { status: "PRIMARY", rolloutState: "IN_PROGRESS", shift: shift() })], "breaker", 5);
    expect(out.map((d) => [d.id, d.status, d.rolloutState])).toEqual([["green", "PRIMARY", "FAILED"]]);
  });
});

import { describe, expect, it } from "vitest";
import { checkStrategyLoadBalancers, mergeStrategyFields, productionSteps, type StrategyConfigurationInput, type StrategyFields } from "./deployment-strategy-rules.js";

const hook = { hookTargetArn: "http://127.0.0.1:9/hook", lifecycleStages: ["POST_SCALE_UP"] };

describe("mergeStrategyFields: refusals name the field", () => {
  it.each<[string, StrategyConfigurationInput, RegExp]>([
    // not one of ECS's four strategies
    ["unknown strategy", { strategy: "RED_BLACK" }, /deploymentConfiguration\.strategy: must be one of/],
    // BLUE_GREEN needs its bake time
    ["blue/green without bake", { strategy: "BLUE_GREEN" }, /bakeTimeInMinutes: required when the deployment strategy is BLUE_GREEN/],
    // bake times run 0..1440 minutes
    ["bake too long", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1441 }, /bakeTimeInMinutes: must be an integer from 0 to 1440/],
    // linearConfiguration only with LINEAR
    ["linear config on canary", { strategy: "CANARY", linearConfiguration: { stepPercent: 10 } }, /linearConfiguration: only valid when the deployment strategy is LINEAR/],
    // canaryConfiguration only with CANARY
    ["canary config on rolling", { canaryConfiguration: { canaryPercent: 10 } }, /canaryConfiguration: only valid when the deployment strategy is CANARY/],
    // stepPercent: multiples of 0.1 from 3.0
    ["step below 3", { strategy: "LINEAR", linearConfiguration: { stepPercent: 2.9 } }, /linearConfiguration\.stepPercent: must be a multiple of 0\.1 from 3\.0 to 100\.0/],
    // not a multiple of 0.1
    ["step 10.05", { strategy: "LINEAR", linearConfiguration: { stepPercent: 10.05 } }, /stepPercent: must be a multiple of 0\.1/],
    // canaryPercent above 100
    ["canary above 100", { strategy: "CANARY", canaryConfiguration: { canaryPercent: 100.1 } }, /canaryPercent: must be a multiple of 0\.1 from 0\.1 to 100\.0/],
    // canary bake beyond a day
    ["canary bake", { strategy: "CANARY", canaryConfiguration: { canaryBakeTimeInMinutes: 2000 } }, /canaryBakeTimeInMinutes: must be an integer from 0 to 1440/],
    // hooks run only in strategies with lifecycle stages
    ["hooks on rolling", { lifecycleHooks: [hook] }, /lifecycleHooks: lifecycle hooks run in BLUE_GREEN, LINEAR and CANARY deployments, not ROLLING/],
    // berth calls URLs, not Lambda functions
    ["lambda arn", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0, lifecycleHooks: [{ ...hook, hookTargetArn: "arn:aws:lambda:us-east-1:1:function:f" }] }, /lifecycleHooks\[0\]\.hookTargetArn: berth calls lifecycle hooks over HTTP/],
    // a stage that is no hook stage
    ["bad stage", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0, lifecycleHooks: [{ ...hook, lifecycleStages: ["SCALE_UP"] }] }, /lifecycleHooks\[0\]\.lifecycleStages\[0\]: 'SCALE_UP' is not one of/],
    // no stage at all
    ["no stage", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0, lifecycleHooks: [{ ...hook, lifecycleStages: [] }] }, /lifecycleHooks\[0\]\.lifecycleStages: at least one/],
    // hook target missing
    ["no target", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0, lifecycleHooks: [{ lifecycleStages: ["POST_SCALE_UP"] }] }, /lifecycleHooks\[0\]\.hookTargetArn: required/],
    // PAUSE needs ContinueServiceDeployment
    ["pause", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0, lifecycleHooks: [{ ...hook, targetType: "PAUSE" }] }, /targetType: PAUSE hooks/],
    // hook timeouts are 1..20160 minutes
    ["hook timeout", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0, lifecycleHooks: [{ ...hook, timeoutConfiguration: { timeoutInMinutes: 0 } }] }, /timeoutConfiguration\.timeoutInMinutes: must be an integer from 1 to 20160/],
  ])("%s", (_name, patch, message) => {
    expect(() => mergeStrategyFields({}, patch)).toThrow(message);
  });

  it("refuses a traffic-shifting DAEMON service", () => {
    expect(() => mergeStrategyFields({}, { strategy: "CANARY" }, "DAEMON")).toThrow(/a DAEMON service deploys with ROLLING only/);
  });
});

describe("mergeStrategyFields: what is kept", () => {
  it.each<[string, StrategyFields, StrategyConfigurationInput | undefined, StrategyFields]>([
    // a record that never named a strategy stays without one (reads as ROLLING)
    ["rolling record untouched", {}, undefined, {}],
    // LINEAR without configuration takes ECS's defaults (10 %, 6 minutes)
    ["linear defaults", {}, { strategy: "LINEAR" }, { strategy: "LINEAR", linearConfiguration: { stepPercent: 10, stepBakeTimeInMinutes: 6 } }],
    // CANARY with a percent keeps the default bake (10 minutes)
    ["canary partial", {}, { strategy: "CANARY", canaryConfiguration: { canaryPercent: 10 } }, { strategy: "CANARY", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 10 } }],
    // switching from CANARY to BLUE_GREEN drops the canary configuration
    ["switch drops the other's configuration", { strategy: "CANARY", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 } }, { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 }, { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 }],
    // a partial update keeps what it does not name
    ["partial update", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 }, { bakeTimeInMinutes: 1 }, { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 }],
  ])("%s", (_name, base, patch, want) => {
    expect(mergeStrategyFields(base, patch)).toEqual(want);
  });
});

describe("productionSteps", () => {
  it.each<[string, StrategyFields, number[]]>([
    // all at once
    ["blue/green", { strategy: "BLUE_GREEN" }, [100]],
    // the canary, then the rest
    ["canary 10", { strategy: "CANARY", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 } }, [10, 100]],
    // a 100 % canary is one step
    ["canary 100", { strategy: "CANARY", canaryConfiguration: { canaryPercent: 100, canaryBakeTimeInMinutes: 1 } }, [100]],
    // equal steps, the last one capped at 100
    ["linear 30", { strategy: "LINEAR", linearConfiguration: { stepPercent: 30, stepBakeTimeInMinutes: 1 } }, [30, 60, 90, 100]],
    // tenths do not drift
    ["linear 33.3", { strategy: "LINEAR", linearConfiguration: { stepPercent: 33.3, stepBakeTimeInMinutes: 1 } }, [33.3, 66.6, 99.9, 100]],
  ])("%s", (_name, c, want) => {
    expect(productionSteps(c)).toEqual(want);
  });
});

describe("checkStrategyLoadBalancers", () => {
  it("needs loadBalancers with an advancedConfiguration for a traffic-shifting strategy", () => {
    expect(() => checkStrategyLoadBalancers({ strategy: "BLUE_GREEN" }, undefined)).toThrow(/BLUE_GREEN shifts traffic between target groups/);
    expect(() => checkStrategyLoadBalancers({ strategy: "LINEAR" }, [{ targetGroupArn: "a", containerName: "w", containerPort: 80 }])).toThrow(/loadBalancers\[0\]\.advancedConfiguration: required for a LINEAR deployment/);
    expect(() => checkStrategyLoadBalancers({ strategy: "ROLLING" }, undefined)).not.toThrow();
  });
});

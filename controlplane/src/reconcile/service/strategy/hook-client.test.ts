import { describe, expect, it } from "vitest";
import { hookPayload, parseHookAnswer } from "./hook-client.js";

describe("parseHookAnswer", () => {
  it.each<[string, string, ReturnType<typeof parseHookAnswer>]>([
    // the plain answer
    ["succeeded", '{"hookStatus":"SUCCEEDED"}', { hookStatus: "SUCCEEDED" }],
    // IN_PROGRESS with ECS's callBackDelay (seconds) and state to pass on
    ["in progress", '{"hookStatus":"IN_PROGRESS","callBackDelay":2,"hookDetails":{"n":1}}', { hookStatus: "IN_PROGRESS", callBackDelay: 2, hookDetails: { n: 1 } }],
    // not JSON: an error, which rolls back
    ["not json", "ok", { error: "the hook answered no JSON" }],
    // a status ECS does not know
    ["unknown status", '{"hookStatus":"DONE"}', { error: "the hook's answer has no hookStatus of SUCCEEDED, FAILED or IN_PROGRESS" }],
  ])("%s", (_n, body, want) => {
    expect(parseHookAnswer(body)).toEqual(want);
  });
});

describe("hookPayload", () => {
  it("carries ECS's Lambda payload: weights by service revision, the stage, the service deployment", () => {
    const shift = {
      strategy: "CANARY" as const,
      sourceDeploymentId: "ecs-svc/1",
      targetGroupArns: ["b"],
      sourceTargetGroupArns: ["a"],
      stage: "PRODUCTION_TRAFFIC_SHIFT" as const,
      stageStartedAtMs: 0,
      productionPercent: 10,
      step: 0,
      stepAtMs: 0,
      testRouted: true,
      hookResults: [],
      hook: { hookIndex: 0, stage: "PRODUCTION_TRAFFIC_SHIFT" as const, step: 0, status: "IN_PROGRESS" as const, startedAtMs: 0, nextCallAtMs: 0 },
    };
    const primary = { id: "ecs-svc/2", serviceRevisionArn: "rev-2", serviceDeploymentArn: "sd-2", shift };
    const service = { arn: "svc-arn", deployments: [primary, { id: "ecs-svc/1", serviceRevisionArn: "rev-1" }] };
    expect(hookPayload(service as never, primary as never, shift, { team: "web" })).toEqual({
      executionDetails: { testTrafficWeights: { "rev-2": 100, "rev-1": 0 }, productionTrafficWeights: { "rev-2": 10, "rev-1": 90 }, serviceArn: "svc-arn", targetServiceRevisionArn: "rev-2" },
      executionId: "2-PRODUCTION_TRAFFIC_SHIFT-0-1",
      lifecycleStage: "PRODUCTION_TRAFFIC_SHIFT",
      resourceArn: "sd-2",
      hookDetails: { team: "web" },
    });
  });
});

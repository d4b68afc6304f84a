import { InvalidParameterException } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { checkSpotInterruptible } from "./spot.js";

describe("checkSpotInterruptible", () => {
  const arn = "arn:aws:ecs:us-east-1:000000000000:task/c/t1";
  it.each<[string, string | undefined, "RUNNING" | "STOPPED", RegExp | undefined]>([
    // a running FARGATE_SPOT task
    ["spot", "FARGATE_SPOT", "RUNNING", undefined],
    // on-demand Fargate is never interrupted
    ["fargate", "FARGATE", "RUNNING", /\(its provider is FARGATE\); only Spot tasks are interrupted$/],
    // a plain EC2 task has no provider
    ["ec2", undefined, "RUNNING", /it has none/],
    // already on its way out
    ["stopping", "FARGATE_SPOT", "STOPPED", /is already stopping$/],
  ])("%s", (_name, provider, desiredStatus, refused) => {
    const check = () => checkSpotInterruptible({ arn, capacityProviderName: provider, desiredStatus });
    if (!refused) return expect(check).not.toThrow();
    expect(check).toThrow(InvalidParameterException);
    expect(check).toThrow(refused);
  });
});

import { describe, expect, it } from "vitest";
import { clusterNameOf, defaultArnScope, parseTaskDefinitionRef, resourceIdOf, taskArn } from "./arn.js";

describe("parseTaskDefinitionRef", () => {
  it.each([
    // bare family: latest ACTIVE revision
    ["web-app", { family: "web-app", revision: undefined }],
    // family:revision
    ["web-app:3", { family: "web-app", revision: 3 }],
    // full ARN
    ["arn:aws:ecs:us-east-1:000000000000:task-definition/web-app:2", { family: "web-app", revision: 2 }],
  ])("parses %s", (ref, want) => {
    expect(parseTaskDefinitionRef(ref)).toEqual(want);
  });

  it.each([
    // revision 0 does not exist
    ["web-app:0"],
    // spaces are not allowed in a family
    ["web app"],
    // a cluster ARN is not a task definition
    ["arn:aws:ecs:us-east-1:000000000000:cluster/default"],
  ])("rejects %s with InvalidParameterException", (ref) => {
    expect(() => parseTaskDefinitionRef(ref)).toThrowError(expect.objectContaining({ ecsType: "InvalidParameterException" }));
  });
});

describe("clusterNameOf", () => {
  it.each([
    [undefined, "default"],
    ["prod", "prod"],
    ["arn:aws:ecs:eu-west-1:123456789012:cluster/prod", "prod"],
  ])("%s -> %s", (ref, want) => expect(clusterNameOf(ref)).toBe(want));
});

describe("resourceIdOf", () => {
  it("takes the id from a task ARN of the same cluster", () => {
    const arn = taskArn(defaultArnScope, "default", "abc");
    expect(resourceIdOf(arn, "task", "default", "task")).toBe("abc");
  });
  it("refuses a task ARN of another cluster", () => {
    const arn = taskArn(defaultArnScope, "other", "abc");
    expect(() => resourceIdOf(arn, "task", "default", "task")).toThrow(/belongs to cluster 'other'/);
  });
});

import { describe, expect, it } from "vitest";
import {
  InvalidParameterException,
  SerializationException,
  UnknownOperationException,
} from "@berth/shared";
import batchProcessor from "../../../../docs/examples/batch-processor.json" with { type: "json" };
import microservice from "../../../../docs/examples/microservice.json" with { type: "json" };
import webApp from "../../../../docs/examples/web-app.json" with { type: "json" };
import { ecsOperations, validateRequest } from "./validate.js";

describe("validateRequest: valid bodies", () => {
  it.each([
    // the guide's three task definitions, verbatim
    ["RegisterTaskDefinition", webApp],
    ["RegisterTaskDefinition", microservice],
    ["RegisterTaskDefinition", batchProcessor],
    // what `aws ecs list-clusters` sends
    ["ListClusters", {}],
    // RunTask as the JS SDK sends it
    ["RunTask", { cluster: "default", taskDefinition: "web-app:1", count: 2, launchType: "EC2", startedBy: "ci" }],
    // members the vendored model predates (restartPolicy, versionConsistency) are ignored like ECS does
    [
      "RegisterTaskDefinition",
      {
        family: "f",
        containerDefinitions: [
          { name: "a", image: "busybox", memory: 64, restartPolicy: { enabled: true }, versionConsistency: "disabled" },
        ],
        enableFaultInjection: false,
      },
    ],
    // a map member with any string keys
    ["RegisterTaskDefinition", { family: "f", containerDefinitions: [{ name: "a", dockerLabels: { "com.example/x": "1" } }] }],
    // tags within the model's pattern and bounds
    ["TagResource", { resourceArn: "arn:aws:ecs:us-east-1:1:cluster/a", tags: [{ key: "team", value: "core-ø 1" }] }],
    // timestamps as epoch seconds
    ["SubmitTaskStateChange", { cluster: "c", task: "t", pullStartedAt: 1700000000.5 }],
  ])("%s accepts %j", (action, body) => {
    expect(() => validateRequest(action, body)).not.toThrow();
  });
});

describe("validateRequest: refused bodies", () => {
  it.each([
    // count sent as a string
    ["RunTask", { taskDefinition: "web-app", count: "2" }, InvalidParameterException, "count: expected integer, got string"],
    // family missing
    ["RegisterTaskDefinition", { containerDefinitions: [{ name: "a" }] }, InvalidParameterException, "Missing required parameter: family"],
    // value outside the enum
    ["ListTasks", { desiredStatus: "DONE" }, InvalidParameterException, "desiredStatus: must be one of RUNNING, PENDING, STOPPED"],
    // nested path with a list index
    [
      "RegisterTaskDefinition",
      { family: "f", containerDefinitions: [{ name: "a", memory: 1 }, { name: "b", memory: "512" }] },
      InvalidParameterException,
      "containerDefinitions[1].memory: expected integer, got string",
    ],
    // a fractional number where ECS wants an int
    ["RunTask", { taskDefinition: "t", count: 1.5 }, InvalidParameterException, "count: expected integer, got number"],
    // required member of a nested structure
    [
      "RegisterTaskDefinition",
      { family: "f", containerDefinitions: [{ name: "a", healthCheck: { interval: 5 } }] },
      InvalidParameterException,
      "Missing required parameter: containerDefinitions[0].healthCheck.command",
    ],
    // list bounds from the model (Tags max 50)
    [
      "TagResource",
      { resourceArn: "r", tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "v" })) },
      InvalidParameterException,
      "tags: must have at most 50 items",
    ],
    // string bounds from the model (TagKey min 1)
    ["TagResource", { resourceArn: "r", tags: [{ key: "", value: "v" }] }, InvalidParameterException, "tags[0].key: length must be at least 1"],
    // integer bounds from the model (CapacityProviderStrategyItemWeight 0..1000)
    [
      "RunTask",
      { taskDefinition: "t", capacityProviderStrategy: [{ capacityProvider: "cp", weight: 2000 }] },
      InvalidParameterException,
      "capacityProviderStrategy[0].weight: must be <= 1000",
    ],
    // Integer members outside Java's int range
    ["RunTask", { taskDefinition: "t", count: 2 ** 31 }, InvalidParameterException, "count: must be <= 2147483647"],
    // a map value of the wrong type, keyed by a number-like string
    [
      "RegisterTaskDefinition",
      { family: "f", containerDefinitions: [{ name: "a", dockerLabels: { "7": 1 } }] },
      InvalidParameterException,
      "containerDefinitions[0].dockerLabels.7: expected string, got integer",
    ],
    // a list sent as an object
    ["DescribeClusters", { clusters: { a: 1 } }, InvalidParameterException, "clusters: expected array, got object"],
    // body is an array
    ["ListClusters", [], SerializationException, "must be a JSON object, got array"],
    // body is null
    ["ListClusters", null, SerializationException, "must be a JSON object, got null"],
    // body is a string
    ["ListClusters", "{}", SerializationException, "must be a JSON object, got string"],
    // action the model lacks
    ["LaunchRocket", {}, UnknownOperationException, "Unknown operation: LaunchRocket"],
    // inherited property names are not operations
    ["constructor", {}, UnknownOperationException, "Unknown operation: constructor"],
  ])("%s refuses %j", (action, body, errorClass, message) => {
    let caught: unknown;
    try {
      validateRequest(action, body);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(errorClass);
    expect((caught as Error).message).toContain(message);
  });
});

describe("ecsOperations", () => {
  it("lists every operation of the model, sorted", () => {
    expect(ecsOperations.length).toBe(77);
    expect(ecsOperations).toContain("ListServiceDeployments");
    expect(ecsOperations).toContain("RegisterTaskDefinition");
    expect(ecsOperations).toContain("UpdateTaskSet");
    expect([...ecsOperations].sort()).toEqual(ecsOperations);
  });

  it.each(ecsOperations.map((op) => [op]))("%s has a validator", (op) => {
    // an empty body is either valid or misses a required member; never an unknown operation
    try {
      validateRequest(op, {});
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidParameterException);
      expect((err as Error).message).toMatch(/^Missing required parameter: /);
    }
  });
});

import { describe, expect, it } from "vitest";
import { InvalidParameterException } from "@berth/shared";
import { checkLaunchOptions, checkNetworkConfiguration, type LaunchKind, type LaunchOptions } from "./launch-options.js";

describe("checkLaunchOptions: accepted", () => {
  it.each<[string, LaunchOptions, LaunchKind]>([
    // nothing set
    ["empty", {}, "RunTask"],
    // ECS's startedBy characters, 128 of them
    ["startedBy", { startedBy: `${"a".repeat(120)}-_/Z0123` }, "RunTask"],
    // a group like ECS's default
    ["group", { group: "family:web.v2/batch_1" }, "StartTask"],
    // a standalone task may propagate its definition's tags
    ["propagate TASK_DEFINITION", { propagateTags: "TASK_DEFINITION" }, "RunTask"],
    // or none
    ["propagate NONE", { propagateTags: "NONE" }, "StartTask"],
    // a service may propagate its own tags
    ["propagate SERVICE to a service", { propagateTags: "SERVICE" }, "CreateService"],
    // a client token of printable ASCII, 64 long
    ["clientToken", { clientToken: `${"x".repeat(60)}!~@#` }, "RunTask"],
    // referenceId is ECS's own; accepted when well formed
    ["referenceId", { referenceId: "ref-1" }, "RunTask"],
  ])("%s", (_name, options, kind) => {
    expect(() => checkLaunchOptions(options, kind)).not.toThrow();
  });
});

describe("checkLaunchOptions: refused", () => {
  it.each<[string, LaunchOptions, LaunchKind, RegExp]>([
    // EBS volumes at launch
    ["volumeConfigurations", { volumeConfigurations: [{ name: "data" }] }, "StartTask", /^volumeConfigurations: Amazon EBS volumes configured at launch are not available in berth \(data\)/],
    // 129 characters
    ["long startedBy", { startedBy: "a".repeat(129) }, "RunTask", /^startedBy: up to 128 letters/],
    // a character ECS does not allow
    ["startedBy characters", { startedBy: "job:1" }, "StartTask", /^startedBy: up to 128 letters/],
    // empty
    ["empty startedBy", { startedBy: "" }, "RunTask", /^startedBy:/],
    // spaces are not in a group name
    ["group characters", { group: "my group" }, "RunTask", /^group: up to 255 letters/],
    // 256 characters
    ["long group", { group: "g".repeat(256) }, "RunTask", /^group: up to 255 letters/],
    // a standalone task may not pose as a service's
    ["service group", { group: "service:web" }, "RunTask", /^group: 'service:web' is reserved/],
    // RunTask has no service to propagate from
    ["propagate SERVICE", { propagateTags: "SERVICE" }, "RunTask", /^propagateTags: SERVICE is only for tasks a service starts/],
    // nor has StartTask
    ["StartTask SERVICE", { propagateTags: "SERVICE" }, "StartTask", /^propagateTags: SERVICE/],
    // 65 characters
    ["long clientToken", { clientToken: "t".repeat(65) }, "RunTask", /^clientToken: up to 64 characters/],
    // a space is outside 33-126
    ["clientToken space", { clientToken: "a b" }, "RunTask", /^clientToken:/],
    // control characters in referenceId
    ["referenceId", { referenceId: "a\tb" }, "RunTask", /^referenceId:/],
  ])("%s", (_name, options, kind, message) => {
    expect(() => checkLaunchOptions(options, kind)).toThrow(InvalidParameterException);
    expect(() => checkLaunchOptions(options, kind)).toThrow(message);
  });
});

describe("checkNetworkConfiguration", () => {
  const net = { awsvpcConfiguration: { subnets: ["subnet-1"] } };
  it.each<[string, string | undefined, object | undefined, boolean]>([
    // bridge tasks take no network configuration
    ["bridge", "bridge", net, false],
    // nor host tasks
    ["host", "host", net, false],
    // nor the default mode (bridge on Linux)
    ["default mode", undefined, net, false],
    // awsvpc is what it is for
    ["awsvpc", "awsvpc", net, true],
    // no configuration is always fine
    ["none given", "bridge", undefined, true],
  ])("%s", (_name, networkMode, config, ok) => {
    const check = () => checkNetworkConfiguration({ networkMode: networkMode as never }, config);
    if (ok) expect(check).not.toThrow();
    else expect(check).toThrow("Network Configuration is not valid for the given networkMode of this task definition.");
  });
});

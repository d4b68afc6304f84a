import type { ClusterConfiguration, ClusterSetting } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { applyClusterConfiguration, applyClusterSettings, applyServiceConnectDefaults, newClusterSettings } from "./cluster-settings.js";

describe("newClusterSettings", () => {
  it.each<[string, string, ClusterSetting[] | undefined, string | RegExp]>([
    // no settings asked: the account's containerInsights
    ["account default", "enabled", undefined, "enabled"],
    // asked: overrides the account
    ["override", "enabled", [{ name: "containerInsights", value: "disabled" }], "disabled"],
    // enhanced is a value
    ["enhanced", "disabled", [{ name: "containerInsights", value: "enhanced" }], "enhanced"],
    // a value containerInsights does not take
    ["bad value", "disabled", [{ name: "containerInsights", value: "on" }], /settings\[0\]\.value/],
    // the same name twice
    ["twice", "disabled", [{ name: "containerInsights", value: "enabled" }, { name: "containerInsights", value: "disabled" }], /settings\[1\]\.name.*more than once/],
  ])("%s", (_case, account, requested, want) => {
    if (want instanceof RegExp) expect(() => newClusterSettings(account, requested)).toThrow(want);
    else expect(newClusterSettings(account, requested)).toEqual([{ name: "containerInsights", value: want }]);
  });

  it("applyClusterSettings keeps what is not named", () => {
    expect(applyClusterSettings([{ name: "containerInsights", value: "enabled" }], [])).toEqual([{ name: "containerInsights", value: "enabled" }]);
  });
});

describe("applyClusterConfiguration", () => {
  const exec = { kmsKeyId: "key-1", logging: "OVERRIDE", logConfiguration: { cloudWatchLogGroupName: "exec" } } as const;
  const storage = { kmsKeyId: "key-2" };
  it.each<[string, ClusterConfiguration | undefined, ClusterConfiguration | undefined, ClusterConfiguration | undefined | RegExp]>([
    // nothing either side
    ["none", undefined, undefined, undefined],
    // set on create
    ["set", undefined, { executeCommandConfiguration: exec }, { executeCommandConfiguration: exec }],
    // one part given replaces that part and keeps the other
    ["by part", { executeCommandConfiguration: exec }, { managedStorageConfiguration: storage }, { executeCommandConfiguration: exec, managedStorageConfiguration: storage }],
    // OVERRIDE without where to log
    ["override without config", undefined, { executeCommandConfiguration: { logging: "OVERRIDE" } }, /logConfiguration: required when logging is OVERRIDE/],
    // a log configuration that would be ignored
    ["config without override", undefined, { executeCommandConfiguration: { logging: "NONE", logConfiguration: { s3BucketName: "b" } } }, /only used when logging is OVERRIDE/],
  ])("%s", (_case, current, requested, want) => {
    if (want instanceof RegExp) expect(() => applyClusterConfiguration(current, requested)).toThrow(want);
    else expect(applyClusterConfiguration(current, requested)).toEqual(want);
  });
});

describe("applyServiceConnectDefaults", () => {
  it.each<[string, { namespace: string } | undefined, { namespace?: string } | undefined, { namespace: string } | undefined | RegExp]>([
    // not in the request: kept
    ["kept", { namespace: "ns" }, undefined, { namespace: "ns" }],
    // a name
    ["name", undefined, { namespace: "shop" }, { namespace: "shop" }],
    // an ARN may hold a slash
    ["arn", undefined, { namespace: "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-abc" }, { namespace: "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-abc" }],
    // an empty name removes them
    ["removed", { namespace: "ns" }, { namespace: "" }, undefined],
    // a name with a slash
    ["bad name", undefined, { namespace: "a/b" }, /serviceConnectDefaults\.namespace/],
  ])("%s", (_case, current, requested, want) => {
    if (want instanceof RegExp) expect(() => applyServiceConnectDefaults(current, requested)).toThrow(want);
    else expect(applyServiceConnectDefaults(current, requested)).toEqual(want);
  });
});

import type { SettingName } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { InvalidParameterException } from "@berth/shared";
import { accountSettingNames, checkSettingChange, effectiveSetting, listSettings, principalOf, type SettingChange, type StoredSettings } from "./account-setting-rules.js";

const scope = { region: "us-east-1", account: "123456789012" };
const root = "arn:aws:iam::123456789012:root";
const alice = "arn:aws:iam::123456789012:user/alice";
const deployer = "arn:aws:iam::123456789012:role/ci/deployer";

const stored = (entries: [string, string, string][]): StoredSettings => {
  const m = new Map<string, Map<string, string>>();
  for (const [who, name, value] of entries) m.set(who, (m.get(who) ?? new Map()).set(name, value));
  return m;
};

describe("principalOf", () => {
  it.each<[string, string | undefined, string | undefined]>([
    // omitted: the caller, who is the root user
    ["omitted", undefined, root],
    // the root user
    ["root", root, root],
    // a user, with a path
    ["user", "arn:aws:iam::123456789012:user/team/alice", "arn:aws:iam::123456789012:user/team/alice"],
    // a role
    ["role", deployer, deployer],
    // another account
    ["other account", "arn:aws:iam::999999999999:root", undefined],
    // a federated (assumed-role) principal
    ["assumed role", "arn:aws:sts::123456789012:assumed-role/r/session", undefined],
    // not an ARN
    ["garbage", "alice", undefined],
  ])("%s", (_case, arn, want) => {
    if (want) expect(principalOf(scope, arn)).toBe(want);
    else expect(() => principalOf(scope, arn)).toThrow(InvalidParameterException);
  });
});

describe("checkSettingChange", () => {
  it.each<[string, SettingChange, SettingName, string, string | undefined, string | undefined]>([
    // containerInsights takes enhanced
    ["insights enhanced", "put", "containerInsights", root, "enhanced", undefined],
    // containerInsights does not take on
    ["insights on", "put", "containerInsights", root, "on", "takes 'enabled', 'disabled', 'enhanced'"],
    // long ARNs can only be enabled: berth has no short ARNs
    ["long arn enabled", "put", "taskLongArnFormat", alice, "enabled", undefined],
    ["long arn disabled", "put", "serviceLongArnFormat", root, "disabled", "long ARN and ID format only"],
    // trunking on or off
    ["trunking", "putDefault", "awsvpcTrunking", root, "enabled", undefined],
    // tag authorization speaks on/off
    ["tag authorization on", "put", "tagResourceAuthorization", root, "on", undefined],
    ["tag authorization enabled", "put", "tagResourceAuthorization", root, "enabled", "takes 'on', 'off'"],
    // retirement wait: 0, 7 or 14 days, root only
    ["retirement 14 root", "put", "fargateTaskRetirementWaitPeriod", root, "14", undefined],
    ["retirement 3", "put", "fargateTaskRetirementWaitPeriod", root, "3", "takes '0', '7', '14'"],
    ["retirement for a user", "put", "fargateTaskRetirementWaitPeriod", alice, "7", "only be set for the root user"],
    // FIPS mode only through PutAccountSettingDefault
    ["fips put", "put", "fargateFIPSMode", root, "enabled", "only be changed with PutAccountSettingDefault"],
    ["fips default", "putDefault", "fargateFIPSMode", root, "enabled", undefined],
    // GuardDuty is AWS's to set
    ["guardduty", "put", "guardDutyActivate", root, "on", "read-only"],
    ["guardduty delete", "delete", "guardDutyActivate", root, undefined, "read-only"],
    // log driver mode
    ["log mode", "put", "defaultLogDriverMode", deployer, "blocking", undefined],
    ["log mode bad", "put", "defaultLogDriverMode", deployer, "async", "takes 'blocking', 'non-blocking'"],
    // delete needs no value
    ["delete", "delete", "containerInsights", alice, undefined, undefined],
  ])("%s", (_case, change, name, principal, value, refusal) => {
    const run = () => checkSettingChange(scope, change, name, principal, value);
    if (refusal) expect(run).toThrow(refusal);
    else expect(run).not.toThrow();
  });
});

describe("effectiveSetting", () => {
  it.each<[string, [string, string, string][], string, SettingName, string, string]>([
    // nothing set: ECS's default, from the root
    ["default", [], alice, "containerInsights", "disabled", root],
    // the account default (root's) applies to a user with none
    ["account default", [[root, "containerInsights", "enabled"]], alice, "containerInsights", "enabled", root],
    // the user's own overrides the account default
    ["override", [[root, "containerInsights", "enabled"], [alice, "containerInsights", "enhanced"]], alice, "containerInsights", "enhanced", alice],
    // another user's setting does not leak
    ["other user", [[deployer, "awsvpcTrunking", "enabled"]], alice, "awsvpcTrunking", "disabled", root],
    // the root's own is the root's
    ["root", [[root, "defaultLogDriverMode", "blocking"]], root, "defaultLogDriverMode", "blocking", root],
    // defaults of the rest
    ["retirement default", [], root, "fargateTaskRetirementWaitPeriod", "7", root],
    ["long arn default", [], alice, "containerInstanceLongArnFormat", "enabled", root],
  ])("%s", (_case, entries, principal, name, value, from) => {
    expect(effectiveSetting(scope, stored(entries), principal, name)).toMatchObject({ name, value, principalArn: from });
  });
});

describe("listSettings", () => {
  const s = stored([
    [root, "containerInsights", "enabled"],
    [alice, "containerInsights", "disabled"],
    [alice, "awsvpcTrunking", "enabled"],
  ]);
  it.each<[string, Parameters<typeof listSettings>[2], [string, string, string][]]>([
    // the caller's (root's) own settings only
    ["own", {}, [["containerInsights", "enabled", root]]],
    // a user's own, in ECS's name order
    ["user's own", { principalArn: alice }, [["awsvpcTrunking", "enabled", alice], ["containerInsights", "disabled", alice]]],
    // one name, effective, for a principal holding none: the root's
    ["effective one", { name: "containerInsights", effectiveSettings: true, principalArn: deployer }, [["containerInsights", "enabled", root]]],
    // a value filter
    ["value filter", { name: "containerInsights", value: "enabled", principalArn: alice }, []],
    // a name with nothing set and no effective settings: nothing
    ["unset name", { name: "fargateEventWindows" }, []],
  ])("%s", (_case, q, want) => {
    expect(listSettings(scope, s, q).map((x) => [x.name, x.value, x.principalArn])).toEqual(want);
  });

  it("effective settings cover every name", () => {
    const all = listSettings(scope, s, { effectiveSettings: true });
    expect(all.map((x) => x.name)).toEqual(accountSettingNames);
    expect(all.find((x) => x.name === "guardDutyActivate")).toMatchObject({ type: "aws_managed" });
  });

  it("value without name is refused", () => {
    expect(() => listSettings(scope, s, { value: "enabled" })).toThrow("a name is required");
  });
});

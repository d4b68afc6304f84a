// Account settings and cluster settings through the real clients against one control plane on
// real etcd: the account default, a principal's override, the effective setting, pagination,
// new clusters defaulting containerInsights from the account, UpdateCluster(Settings).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CreateClusterCommand,
  DeleteAccountSettingCommand,
  DescribeClustersCommand,
  ListAccountSettingsCommand,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
  UpdateClusterCommand,
  UpdateClusterSettingsCommand,
  type ListAccountSettingsCommandInput,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/berth.js";

const run = promisify(execFile);
const root = "arn:aws:iam::000000000000:root";
const alice = "arn:aws:iam::000000000000:user/alice";
let t: TestControlPlane;

beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(async () => {
  await t?.stop();
});

const list = async (input: ListAccountSettingsCommandInput = {}) => (await t.ecs.send(new ListAccountSettingsCommand(input))).settings ?? [];
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "accepted",
    (e: { name: string; message: string }) => `${e.name}: ${e.message}`,
  );

describe("account settings", () => {
  it("settings: the account default, a user's override, and what is in effect for each", async () => {
    const def = await t.ecs.send(new PutAccountSettingDefaultCommand({ name: "containerInsights", value: "enabled" }));
    expect(def.setting).toEqual({ name: "containerInsights", value: "enabled", principalArn: root, type: "user" });
    const own = await t.ecs.send(new PutAccountSettingCommand({ name: "containerInsights", value: "enhanced", principalArn: alice }));
    expect(own.setting).toEqual({ name: "containerInsights", value: "enhanced", principalArn: alice, type: "user" });

    expect(await list({ name: "containerInsights", effectiveSettings: true, principalArn: alice })).toEqual([own.setting]);
    const bob = "arn:aws:iam::000000000000:user/bob";
    expect(await list({ name: "containerInsights", effectiveSettings: true, principalArn: bob })).toEqual([def.setting]);
    expect(await list({ principalArn: bob })).toEqual([]);
    expect(await list({ principalArn: alice })).toEqual([own.setting]);

    // deleting alice's own leaves the account default in force for her
    const del = await t.ecs.send(new DeleteAccountSettingCommand({ name: "containerInsights", principalArn: alice }));
    expect(del.setting).toMatchObject({ name: "containerInsights", value: "enabled", principalArn: alice });
    expect(await list({ principalArn: alice })).toEqual([]);
  });

  it("settings: effective settings list every name, ten a page, with ECS's defaults", async () => {
    const first = await t.ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true }));
    expect(first.settings).toHaveLength(10);
    expect(first.nextToken).toBeDefined();
    const rest = await t.ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true, nextToken: first.nextToken }));
    const all = [...first.settings!, ...rest.settings!];
    expect(all.map((s) => s.name)).toContain("fargateEventWindows");
    expect(all).toContainEqual({ name: "taskLongArnFormat", value: "enabled", principalArn: root, type: "user" });
    expect(all).toContainEqual({ name: "fargateTaskRetirementWaitPeriod", value: "7", principalArn: root, type: "user" });
    expect(all).toContainEqual({ name: "guardDutyActivate", value: "off", principalArn: root, type: "aws_managed" });
    const two = await t.ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true, maxResults: 2 }));
    expect(two.settings).toHaveLength(2);
  });

  it("settings: refuses what ECS refuses, naming the field, and writes nothing", async () => {
    expect(await refusal(t.ecs.send(new PutAccountSettingCommand({ name: "containerInsights", value: "on" })))).toMatch(/InvalidParameterException: value: containerInsights takes/);
    expect(await refusal(t.ecs.send(new PutAccountSettingCommand({ name: "guardDutyActivate", value: "on" })))).toMatch(/InvalidParameterException: name: guardDutyActivate .*read-only/);
    expect(await refusal(t.ecs.send(new PutAccountSettingCommand({ name: "fargateTaskRetirementWaitPeriod", value: "14", principalArn: alice })))).toMatch(/principalArn: .*root user/);
    expect(await refusal(t.ecs.send(new PutAccountSettingCommand({ name: "awsvpcTrunking", value: "enabled", principalArn: "arn:aws:iam::111111111111:root" })))).toMatch(/not in this account/);
    expect(await refusal(t.ecs.send(new ListAccountSettingsCommand({ value: "enabled" })))).toMatch(/value: a name is required/);
    expect(await refusal(t.ecs.send(new ListAccountSettingsCommand({ maxResults: 11 })))).toMatch(/maxResults/);
    expect(await list({ name: "awsvpcTrunking", principalArn: alice })).toEqual([]);
  });
});

describe("cluster settings", () => {
  it("clusters: containerInsights defaults from the account setting, CreateCluster's settings override it", async () => {
    await t.ecs.send(new PutAccountSettingDefaultCommand({ name: "containerInsights", value: "enabled" }));
    const a = await t.ecs.send(new CreateClusterCommand({ clusterName: "insights-default" }));
    expect(a.cluster!.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
    const b = await t.ecs.send(new CreateClusterCommand({ clusterName: "insights-off", settings: [{ name: "containerInsights", value: "disabled" }] }));
    expect(b.cluster!.settings).toEqual([{ name: "containerInsights", value: "disabled" }]);

    const plain = await t.ecs.send(new DescribeClustersCommand({ clusters: ["insights-default"] }));
    expect(plain.clusters![0].settings).toBeUndefined();
    const withSettings = await t.ecs.send(new DescribeClustersCommand({ clusters: ["insights-default", "insights-off"], include: ["SETTINGS"] }));
    expect(withSettings.clusters!.map((c) => c.settings![0].value)).toEqual(["enabled", "disabled"]);
  });

  it("clusters: UpdateClusterSettings and UpdateCluster store and echo settings, configuration and Service Connect defaults", async () => {
    await t.ecs.send(new CreateClusterCommand({ clusterName: "upd" }));
    const s = await t.ecs.send(new UpdateClusterSettingsCommand({ cluster: "upd", settings: [{ name: "containerInsights", value: "enhanced" }] }));
    expect(s.cluster!.settings).toEqual([{ name: "containerInsights", value: "enhanced" }]);

    const configuration = {
      executeCommandConfiguration: { kmsKeyId: "alias/exec", logging: "OVERRIDE" as const, logConfiguration: { cloudWatchLogGroupName: "/ecs/exec", cloudWatchEncryptionEnabled: true } },
    };
    const u = await t.ecs.send(new UpdateClusterCommand({ cluster: "upd", configuration, serviceConnectDefaults: { namespace: "shop" } }));
    expect(u.cluster!.configuration).toEqual(configuration);
    expect(u.cluster!.serviceConnectDefaults).toEqual({ namespace: "shop" });
    expect(u.cluster!.settings).toEqual([{ name: "containerInsights", value: "enhanced" }]);

    const d = await t.ecs.send(new DescribeClustersCommand({ clusters: ["upd"], include: ["CONFIGURATIONS", "SETTINGS"] }));
    expect(d.clusters![0].configuration).toEqual(configuration);
    expect(d.clusters![0].settings).toEqual([{ name: "containerInsights", value: "enhanced" }]);

    // an empty namespace removes the Service Connect defaults, as in ECS
    const cleared = await t.ecs.send(new UpdateClusterCommand({ cluster: "upd", serviceConnectDefaults: { namespace: "" } }));
    expect(cleared.cluster!.serviceConnectDefaults).toBeUndefined();

    // refusals name the field and change nothing
    expect(await refusal(t.ecs.send(new UpdateClusterCommand({ cluster: "upd", configuration: { executeCommandConfiguration: { logging: "OVERRIDE" } } })))).toMatch(
      /InvalidParameterException: configuration\.executeCommandConfiguration\.logConfiguration/,
    );
    expect(await refusal(t.ecs.send(new UpdateClusterSettingsCommand({ cluster: "upd", settings: [{ name: "containerInsights", value: "on" }] })))).toMatch(/settings\[0\]\.value/);
    expect(await refusal(t.ecs.send(new UpdateClusterSettingsCommand({ cluster: "nope", settings: [] })))).toMatch(/ClusterNotFoundException/);
    const after = await t.ecs.send(new DescribeClustersCommand({ clusters: ["upd"], include: ["CONFIGURATIONS"] }));
    expect(after.clusters![0].configuration).toEqual(configuration);
  });

  it("clusters and settings through boto3", async () => {
    const script = `import boto3, json, sys
c = boto3.client("ecs", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
out = {}
out["put"] = c.put_account_setting(name="awsvpcTrunking", value="enabled")["setting"]
out["list"] = c.list_account_settings(name="awsvpcTrunking", effectiveSettings=True)["settings"]
out["deleted"] = c.delete_account_setting(name="awsvpcTrunking")["setting"]
out["update"] = c.update_cluster_settings(cluster="insights-off", settings=[{"name": "containerInsights", "value": "enabled"}])["cluster"]["settings"]
out["describe"] = c.describe_clusters(clusters=["insights-off"], include=["SETTINGS"])["clusters"][0]["settings"]
print(json.dumps(out))`;
    const { stdout } = await run("/usr/bin/python3", ["-c", script, t.endpoint]);
    const out = JSON.parse(stdout);
    // Debian's botocore 1.29 predates Setting.type and drops it; the rest is ECS's shape.
    expect(out.put).toMatchObject({ name: "awsvpcTrunking", value: "enabled", principalArn: root });
    expect(out.list).toEqual([out.put]);
    expect(out.deleted).toMatchObject({ name: "awsvpcTrunking", value: "disabled", principalArn: root });
    expect(out.update).toEqual([{ name: "containerInsights", value: "enabled" }]);
    expect(out.describe).toEqual(out.update);
  });

  it("clusters: the README's example through the AWS CLI v2", async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
    const ecs = async (...args: string[]) => JSON.parse((await run("/usr/bin/aws", ["ecs", "--endpoint-url", t.endpoint, "--output", "json", ...args], { env })).stdout);
    await ecs("put-account-setting-default", "--name", "containerInsights", "--value", "enabled");
    // CLI 2.9.19's model predates Setting.type and drops it.
    expect((await ecs("list-account-settings", "--effective-settings", "--name", "containerInsights")).settings).toEqual([
      { name: "containerInsights", value: "enabled", principalArn: root },
    ]);
    expect((await ecs("create-cluster", "--cluster-name", "observed")).cluster.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
    await ecs("update-cluster-settings", "--cluster", "observed", "--settings", "name=containerInsights,value=enhanced");
    await ecs("update-cluster", "--cluster", "observed", "--configuration", "executeCommandConfiguration={logging=OVERRIDE,logConfiguration={cloudWatchLogGroupName=/ecs/exec}}");
    const [c] = (await ecs("describe-clusters", "--clusters", "observed", "--include", "SETTINGS", "CONFIGURATIONS")).clusters;
    expect(c.settings).toEqual([{ name: "containerInsights", value: "enhanced" }]);
    expect(c.configuration).toEqual({ executeCommandConfiguration: { logging: "OVERRIDE", logConfiguration: { cloudWatchLogGroupName: "/ecs/exec" } } });
  });
});

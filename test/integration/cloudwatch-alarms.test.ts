import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { AwsSmithyRpcV2CborProtocol } from "@aws-sdk/core/protocols";
import { CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";

// CloudWatch metric alarms on berth's own metrics, through the three protocols of the model and
// the clients that speak them: Debian's AWS CLI v2 (Query, XML), boto3 1.43 (AWS JSON 1.0) and
// the JS SDK (JSON 1.0 by default, Smithy RPC v2 CBOR when told). An alarm set to ALARM by hand
// runs its StepScaling policy; a CPU-burning service drives another there by evaluation. Short
// windows: 2 s datapoints, agents reporting every second.
const run = promisify(execFile);
const aws = "/usr/bin/aws";
const cluster = `cw-${process.pid}`;
const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
let host: SingleHost;
let t: TestControlPlane;

async function cli(service: string, ...args: string[]): Promise<any> {
  const { stdout } = await run(aws, [service, "--endpoint-url", t.endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

/** The CLI's error line for a refused call: `An error occurred (<code>) when calling …: <message>`. */
async function refused(service: string, ...args: string[]): Promise<string> {
  try {
    await cli(service, ...args);
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
  throw new Error(`expected ${service} ${args[0]} to be refused`);
}

const cloudwatch = (cbor: boolean) =>
  new CloudWatchClient({ endpoint: t.endpoint, region: "us-east-1", credentials: { accessKeyId: "berth", secretAccessKey: "berth" }, ...(cbor && { protocol: AwsSmithyRpcV2CborProtocol }) });
const target = (service: string) => ["--service-namespace", "ecs", "--scalable-dimension", "ecs:service:DesiredCount", "--resource-id", `service/${cluster}/${service}`];
const dims = (service: string) => [`Name=ClusterName,Value=${cluster}`, `Name=ServiceName,Value=${service}`];
const desired = async (service: string) => (await t.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0].desiredCount!;

/** A service with a scalable target and a StepScaling policy; returns the policy's ARN. */
async function scalableService(service: string, taskDefinition: string, max: number, step: object): Promise<string> {
  await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: service, taskDefinition, desiredCount: 1 }));
  await cli("application-autoscaling", "register-scalable-target", ...target(service), "--min-capacity", "1", "--max-capacity", String(max));
  const put = await cli("application-autoscaling", "put-scaling-policy", ...target(service), "--policy-name", "out", "--policy-type", "StepScaling", "--step-scaling-policy-configuration", JSON.stringify(step));
  return put.PolicyARN as string;
}

beforeAll(async () => {
  if (!existsSync(aws)) throw new Error("Debian's awscli is required (/usr/bin/aws)");
  process.env.BERTH_STATS_REPORT_INTERVAL = "1s";
  host = await startSingleHost(cluster, { BERTH_METRIC_PERIOD_MS: "2000", BERTH_SCALE_OUT_DATAPOINTS: "2", BERTH_SCALE_IN_DATAPOINTS: "5" });
  t = host.t;
  for (const [family, command] of [["burn", ["sh", "-c", "while :; do :; done"]], ["idle", ["sleep", "3600"]]] as const) {
    await t.ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", command: [...command], cpu: 64, memory: 32, essential: true }] }));
  }
}, 120_000);

afterAll(async () => {
  delete process.env.BERTH_STATS_REPORT_INTERVAL;
  await host?.stop();
});

describe("cloudwatch alarms", () => {
  it("puts an alarm through the CLI (Query), shows it everywhere, and SetAlarmState to ALARM runs its step policy (boto3, JSON 1.0)", async () => {
    const policy = await scalableService("web", "idle", 4, { AdjustmentType: "ChangeInCapacity", StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 2 }], Cooldown: 60 });
    await cli("cloudwatch", "put-metric-alarm", "--alarm-name", "web-cpu-high", "--namespace", "AWS/ECS", "--metric-name", "CPUUtilization", "--dimensions", ...dims("web"),
      "--statistic", "Average", "--period", "2", "--evaluation-periods", "3", "--datapoints-to-alarm", "2", "--threshold", "70", "--comparison-operator", "GreaterThanThreshold", "--alarm-actions", policy);
    const [alarm] = (await cli("cloudwatch", "describe-alarms", "--alarm-names", "web-cpu-high")).MetricAlarms;
    expect(alarm).toMatchObject({
      AlarmName: "web-cpu-high",
      AlarmArn: "arn:aws:cloudwatch:us-east-1:000000000000:alarm:web-cpu-high",
      // INSUFFICIENT_DATA until the idle task's first datapoints are judged, OK after
      StateValue: expect.stringMatching(/^(INSUFFICIENT_DATA|OK)$/),
      Namespace: "AWS/ECS",
      MetricName: "CPUUtilization",
      Dimensions: [{ Name: "ClusterName", Value: cluster }, { Name: "ServiceName", Value: "web" }],
      Period: 2,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 70,
      AlarmActions: [policy],
      ActionsEnabled: true,
    });
    // The JS SDK reads it in both of its protocols.
    for (const cbor of [false, true]) {
      const cw = cloudwatch(cbor);
      const out = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "web-" }));
      expect(out.MetricAlarms?.map((a) => [a.AlarmName, a.Threshold, a.StateUpdatedTimestamp instanceof Date])).toEqual([["web-cpu-high", 70, true]]);
      cw.destroy();
    }

    const r = await boto3Json<Record<string, any>>(
      t.endpoint,
      `
import time
cw = boto3.client("cloudwatch", endpoint_url=${JSON.stringify(t.endpoint)}, region_name="us-east-1", aws_access_key_id="berth", aws_secret_access_key="berth")
aas = boto3.client("application-autoscaling", endpoint_url=${JSON.stringify(t.endpoint)}, region_name="us-east-1", aws_access_key_id="berth", aws_secret_access_key="berth")
out = {}
out["policyAlarms"] = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId="service/${cluster}/web")["ScalingPolicies"][0]["Alarms"]
out["set"] = cw.set_alarm_state(AlarmName="web-cpu-high", StateValue="ALARM", StateReason="testing the step policy")["ResponseMetadata"]["HTTPStatusCode"]
print(json.dumps(out, default=str))
`,
      "1.43.0",
    );
    expect(r.policyAlarms).toEqual([{ AlarmName: "web-cpu-high", AlarmARN: "arn:aws:cloudwatch:us-east-1:000000000000:alarm:web-cpu-high" }]);
    expect(r.set).toBe(200);
    await eventually("the step policy to set the desired count", async () => ((await desired("web")) === 3 ? true : undefined), 20_000, 250);
    const [activity] = (await cli("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs", "--resource-id", `service/${cluster}/web`)).ScalingActivities;
    expect(activity).toMatchObject({
      Description: "Setting desired count to 3.",
      Cause: "monitor alarm web-cpu-high in state ALARM triggered policy out",
      StatusCode: "Successful",
      StatusMessage: "Successfully set desired count to 3. Change successfully fulfilled by ecs.",
    });
    const history = (await cli("cloudwatch", "describe-alarm-history", "--alarm-name", "web-cpu-high")).AlarmHistoryItems as any[];
    const summaries = history.map((h) => h.HistorySummary);
    expect(summaries).toContain(`Successfully executed action ${policy}`);
    const toAlarm = history.find((h) => /^Alarm updated from (INSUFFICIENT_DATA|OK) to ALARM$/.test(h.HistorySummary));
    expect(summaries[summaries.length - 1]).toBe('Alarm "web-cpu-high" created');
    expect(JSON.parse(toAlarm.HistoryData).newState.stateReason).toBe("testing the step policy");
    // Within the policy's 60 s cooldown the same step again changes nothing: the action runs, no activity.
    // (In-process through the JS SDK: a CLI process per poll would be most of the test's time.)
    const cw = cloudwatch(false);
    await cw.send(new SetAlarmStateCommand({ AlarmName: "web-cpu-high", StateValue: "OK", StateReason: "reset" }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: "web-cpu-high", StateValue: "ALARM", StateReason: "again" }));
    await eventually("the second run of the action", async () => {
      const items = (await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "web-cpu-high", HistoryItemType: "Action" }))).AlarmHistoryItems ?? [];
      return items.length >= 2 ? items : undefined;
    }, 20_000, 250);
    cw.destroy();
    expect(await desired("web")).toBe(3);
    expect((await cli("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs", "--resource-id", `service/${cluster}/web`)).ScalingActivities).toHaveLength(1);
    // Deleting the policy takes it out of the alarm's actions; the alarm stays, as on AWS.
    await cli("application-autoscaling", "delete-scaling-policy", ...target("web"), "--policy-name", "out");
    expect((await cli("cloudwatch", "describe-alarms", "--alarm-names", "web-cpu-high")).MetricAlarms[0].AlarmActions).toEqual([]);
  }, 120_000);

  it("refuses what berth cannot evaluate in each protocol's error shape, writing nothing", async () => {
    // Query (the CLI): the code in <Error><Code>.
    expect(await refused("cloudwatch", "put-metric-alarm", "--alarm-name", "ec2", "--namespace", "AWS/EC2", "--metric-name", "CPUUtilization", "--statistic", "Average", "--period", "2", "--evaluation-periods", "1", "--threshold", "1", "--comparison-operator", "GreaterThanThreshold")).toMatch(
      /An error occurred \(InvalidParameterValue\) when calling the PutMetricAlarm operation: Namespace: berth has no metrics in AWS\/EC2; it has AWS\/ECS, AWS\/ApplicationELB/,
    );
    expect(await refused("cloudwatch", "put-metric-data", "--namespace", "App", "--metric-name", "m", "--value", "1")).toMatch(
      /An error occurred \(InvalidAction\) when calling the PutMetricData operation: Could not find operation PutMetricData for version 2010-08-01/,
    );
    expect(await refused("cloudwatch", "delete-alarms", "--alarm-names", "nope")).toMatch(/An error occurred \(ResourceNotFound\) when calling the DeleteAlarms operation: The following alarms were not found: \[nope\]/);
    expect(await refused("cloudwatch", "put-metric-alarm", "--alarm-name", "x", "--namespace", "AWS/ECS", "--metric-name", "CPUUtilization", "--statistic", "Average", "--period", "2", "--evaluation-periods", "1", "--threshold", "1", "--comparison-operator", "Sideways")).toMatch(
      /An error occurred \(ValidationError\) when calling the PutMetricAlarm operation: ComparisonOperator: must be one of/,
    );
    // JSON 1.0 (boto3): the query-compatible code from x-amzn-query-error, the model's exception class.
    const r = await boto3Json<Record<string, any>>(
      t.endpoint,
      `
from botocore.exceptions import ClientError
cw = boto3.client("cloudwatch", endpoint_url=${JSON.stringify(t.endpoint)}, region_name="us-east-1", aws_access_key_id="berth", aws_secret_access_key="berth")
def call(f, **kw):
    try:
        f(**kw); return "accepted"
    except ClientError as e:
        return [type(e).__name__, e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]]
base = dict(Namespace="AWS/ECS", MetricName="CPUUtilization", Dimensions=[{"Name": "ClusterName", "Value": "${cluster}"}, {"Name": "ServiceName", "Value": "web"}], Statistic="Average", Period=2, EvaluationPeriods=2, Threshold=1, ComparisonOperator="GreaterThanThreshold")
out = {}
out["period"] = call(cw.put_metric_alarm, AlarmName="odd-period", **dict(base, Period=3))
out["sns"] = call(cw.put_metric_alarm, AlarmName="sns", AlarmActions=["arn:aws:sns:us-east-1:000000000000:ops"], **base)
out["mOfN"] = call(cw.put_metric_alarm, AlarmName="m-of-n", DatapointsToAlarm=3, **base)
out["stateData"] = call(cw.set_alarm_state, AlarmName="web-cpu-high", StateValue="OK", StateReason="x", StateReasonData="{not json")
out["missing"] = call(cw.set_alarm_state, AlarmName="nope", StateValue="OK", StateReason="x")
out["token"] = call(cw.describe_alarms, NextToken="forged")
out["names"] = [a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]]
print(json.dumps(out))
`,
      "1.43.0",
    );
    expect(r.period).toEqual(["InvalidParameterValueException", "InvalidParameterValue", 400, "Period: 3 s is not a multiple of berth's datapoint period (2 s, BERTH_METRIC_PERIOD_MS)"]);
    expect(r.sns[1]).toBe("InvalidParameterValue");
    expect(r.sns[3]).toMatch(/^AlarmActions\.member\.1: berth invokes only Application Auto Scaling policies/);
    expect(r.mOfN).toEqual(["InvalidParameterCombinationException", "InvalidParameterCombination", 400, "DatapointsToAlarm (3) must be less than or equal to EvaluationPeriods (2)"]);
    expect(r.stateData).toEqual(["InvalidFormatFault", "InvalidFormat", 400, "StateReasonData: must be JSON"]);
    expect(r.missing).toEqual(["ResourceNotFound", "ResourceNotFound", 404, "Alarm nope not found"]);
    expect(r.token).toEqual(["InvalidNextToken", "InvalidNextToken", 400, "NextToken: the token is not one this endpoint issued"]);
    // RPC v2 CBOR (the JS SDK told to use it): `__type` in the CBOR body, the code in x-amzn-query-error.
    const cw = cloudwatch(true);
    const err = await cw
      .send(new PutMetricAlarmCommand({ AlarmName: "band", Namespace: "AWS/ECS", MetricName: "CPUUtilization", Dimensions: [{ Name: "ClusterName", Value: cluster }, { Name: "ServiceName", Value: "web" }], Statistic: "Average", Period: 2, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold" }))
      .then(() => undefined, (e: Error & { $metadata: { httpStatusCode?: number } }) => e);
    cw.destroy();
    expect([err?.name, err?.$metadata.httpStatusCode, err?.message]).toEqual(["InvalidParameterValueException", 400, expect.stringMatching(/^ComparisonOperator: LessThanLowerOrGreaterThanUpperThreshold is an anomaly detection operator/)]);
    // None of the refused alarms was written.
    expect(r.names).toEqual(["web-cpu-high"]);
  }, 60_000);

  it("evaluates a CPU-burning service's datapoints into ALARM and scales it by the step policy", async () => {
    const policy = await scalableService("burner", "burn", 2, { AdjustmentType: "ChangeInCapacity", StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }], Cooldown: 1 });
    await cli("cloudwatch", "put-metric-alarm", "--alarm-name", "burner-cpu", "--namespace", "AWS/ECS", "--metric-name", "CPUUtilization", "--dimensions", ...dims("burner"),
      "--statistic", "Maximum", "--period", "2", "--evaluation-periods", "2", "--threshold", "50", "--comparison-operator", "GreaterThanThreshold", "--alarm-actions", policy);
    await eventually("the service to scale out to 2", async () => ((await desired("burner")) === 2 ? true : undefined), 90_000, 500);
    const [alarm] = (await cli("cloudwatch", "describe-alarms", "--alarm-names", "burner-cpu")).MetricAlarms;
    const history = (await cli("cloudwatch", "describe-alarm-history", "--alarm-name", "burner-cpu", "--history-item-type", "StateUpdate")).AlarmHistoryItems as any[];
    const toAlarm = history.find((h) => h.HistorySummary.endsWith("to ALARM"));
    const reason = JSON.parse(toAlarm.HistoryData).newState.stateReason as string;
    // Both datapoints breach, or the only one present does (missing data left out, AWS's `- X` row).
    expect(reason).toMatch(
      /^Threshold Crossed: (2 out of the last 2 datapoints \[\d+(\.\d+)? \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\), \d+(\.\d+)? \(.+\)\] were|1 out of the last 2 datapoints \[\d+(\.\d+)? \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\)\] was) greater than the threshold \(50\.0\) \(minimum 2 datapoints for (INSUFFICIENT_DATA|OK) -> ALARM transition\)\.$/,
    );
    expect(alarm.StateValue).toBe("ALARM");
    // The same datapoints through GetMetricStatistics and ListMetrics.
    const now = Math.floor(Date.now() / 1000);
    const stats = await cli("cloudwatch", "get-metric-statistics", "--namespace", "AWS/ECS", "--metric-name", "CPUUtilization", "--dimensions", ...dims("burner"), "--start-time", String(now - 60), "--end-time", String(now), "--period", "2", "--statistics", "Average", "Maximum");
    expect(stats.Label).toBe("CPUUtilization");
    expect(stats.Datapoints.length).toBeGreaterThan(0);
    expect(stats.Datapoints[0]).toMatchObject({ Unit: "Percent", Average: expect.any(Number), Maximum: expect.any(Number) });
    const listed = (await cli("cloudwatch", "list-metrics", "--namespace", "AWS/ECS", "--dimensions", "Name=ServiceName,Value=burner")).Metrics as any[];
    expect(listed.map((m) => m.MetricName).sort()).toEqual(["CPUUtilization", "MemoryUtilization"]);
    const [activity] = (await cli("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs", "--resource-id", `service/${cluster}/burner`)).ScalingActivities;
    expect(activity).toMatchObject({ Description: "Setting desired count to 2.", Cause: "monitor alarm burner-cpu in state ALARM triggered policy out", StatusCode: "Successful" });
    await cli("cloudwatch", "delete-alarms", "--alarm-names", "burner-cpu", "web-cpu-high");
    expect((await cli("cloudwatch", "describe-alarms")).MetricAlarms).toEqual([]);
  }, 150_000);
});

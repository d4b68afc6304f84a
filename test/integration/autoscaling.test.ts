import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { CreateServiceCommand, DescribeServicesCommand, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";

// Service auto scaling through Debian's AWS CLI v2 (and boto3 for the many refusals, in one
// process): a CPU-burning service scales out toward its maximum and, once its load is gone and
// the cooldown has passed, back in; each step shows in describe-scaling-activities in AWS's words. Windows are short: 2 s datapoints, 2 to scale
// out, 3 to scale in; agents report stats every second.
const run = promisify(execFile);
const aws = "/usr/bin/aws";
const cluster = `as-${process.pid}`;
const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
let host: SingleHost;
let t: TestControlPlane;

async function scaling(...args: string[]): Promise<any> {
  const { stdout } = await run(aws, ["application-autoscaling", "--endpoint-url", t.endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

/** The CLI's error line for a refused call: `An error occurred (<type>) when calling …: <message>`. */
async function refused(...args: string[]): Promise<string> {
  try {
    await scaling(...args);
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
  throw new Error(`expected application-autoscaling ${args[0]} to be refused`);
}

const target = (service: string) => ["--service-namespace", "ecs", "--scalable-dimension", "ecs:service:DesiredCount", "--resource-id", `service/${cluster}/${service}`];
const burn = ["sh", "-c", "while :; do :; done"];

beforeAll(async () => {
  if (!existsSync(aws)) throw new Error("Debian's awscli is required (/usr/bin/aws)");
  // The agent (a child process) reads its stats interval from the environment it inherits.
  process.env.BERTH_STATS_REPORT_INTERVAL = "1s";
  host = await startSingleHost(cluster, { BERTH_METRIC_PERIOD_MS: "2000", BERTH_SCALE_OUT_DATAPOINTS: "2", BERTH_SCALE_IN_DATAPOINTS: "3" });
  t = host.t;
  for (const [family, command] of [["burn", burn], ["idle", ["sleep", "3600"]]] as const) {
    await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        // A small CPU reservation: one busy loop is many times it, even on a loaded machine.
        containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", command: [...command], cpu: 64, memory: 32, essential: true }],
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  delete process.env.BERTH_STATS_REPORT_INTERVAL;
  await host?.stop();
});

describe("application auto scaling", () => {
  it("refuses bad input with AWS's error types and writes nothing, and keeps a step policy as given (boto3)", async () => {
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "bad", taskDefinition: "idle", desiredCount: 0 }));
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "daemon", taskDefinition: "idle", schedulingStrategy: "DAEMON" }));
    // One Python process for every call: each answer as [error type, message] or the result.
    const r = await boto3Json<Record<string, any>>(
      t.endpoint,
      `
from botocore.exceptions import ClientError
aas = boto3.client("application-autoscaling", endpoint_url=${JSON.stringify(t.endpoint)}, region_name="us-east-1", aws_access_key_id="berth", aws_secret_access_key="berth")
T = dict(ServiceNamespace="ecs", ScalableDimension="ecs:service:DesiredCount")
bad = dict(T, ResourceId="service/${cluster}/bad")
def call(f, **kw):
    try:
        out = f(**kw); out.pop("ResponseMetadata", None); return out
    except ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"]]
tt = lambda metric: {"TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": metric}}
out = {}
out["unregistered"] = call(aas.put_scaling_policy, PolicyName="p", PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration=tt("ECSServiceAverageCPUUtilization"), **bad)
out["minAboveMax"] = call(aas.register_scalable_target, MinCapacity=5, MaxCapacity=2, **bad)
out["noService"] = call(aas.register_scalable_target, MinCapacity=1, MaxCapacity=2, **dict(T, ResourceId="service/${cluster}/nope"))
out["daemon"] = call(aas.register_scalable_target, MinCapacity=1, MaxCapacity=2, **dict(T, ResourceId="service/${cluster}/daemon"))
out["targetsAfter"] = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
out["registered"] = call(aas.register_scalable_target, MinCapacity=0, MaxCapacity=2, **bad)
out["unknownMetric"] = call(aas.put_scaling_policy, PolicyName="p", PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration=tt("NoSuchMetric"), **bad)
out["otherMetric"] = call(aas.put_scaling_policy, PolicyName="p", PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration=tt("DynamoDBReadCapacityUtilization"), **bad)
out["policiesAfter"] = aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
out["deleteMissing"] = call(aas.delete_scaling_policy, PolicyName="p", **bad)
step = {"AdjustmentType": "ChangeInCapacity", "Cooldown": 60, "MetricAggregationType": "Average", "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}]}
out["step"] = call(aas.put_scaling_policy, PolicyName="step", PolicyType="StepScaling", StepScalingPolicyConfiguration=step, **bad)
out["stepDescribed"] = [{k: p[k] for k in ("PolicyName", "PolicyType", "StepScalingPolicyConfiguration", "Alarms")} for p in aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=bad["ResourceId"])["ScalingPolicies"]]
out["deregistered"] = call(aas.deregister_scalable_target, **bad)
out["policiesGone"] = aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
out["deregisterAgain"] = call(aas.deregister_scalable_target, **bad)
print(json.dumps(out, default=str))
`,
    );
    const rid = `service/${cluster}/bad`;
    // a policy for a target never registered
    expect(r.unregistered).toEqual(["ObjectNotFoundException", `No scalable target registered for service namespace: ecs, resource ID: ${rid}, scalable dimension: ecs:service:DesiredCount`]);
    // min above max; a service that does not exist; neither wrote a target
    expect(r.minAboveMax).toEqual(["ValidationException", "Minimum capacity cannot be larger than maximum capacity (MinCapacity 5, MaxCapacity 2)"]);
    expect(r.noService).toEqual(["ValidationException", `ECS service doesn't exist: service/${cluster}/nope`]);
    expect(r.daemon).toEqual(["ValidationException", `ResourceId: service/${cluster}/daemon is a DAEMON service; only REPLICA services have a desired count to scale`]);
    expect(r.targetsAfter).toEqual([]);
    expect(r.registered.ScalableTargetARN).toMatch(/^arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target\/[0-9a-f]{36}$/);
    // a predefined metric the model does not know, and one that is not an ECS service's; no policy written
    expect(r.unknownMetric[0]).toBe("ValidationException");
    expect(r.unknownMetric[1]).toMatch(/PredefinedMetricType: must be one of .*ECSServiceAverageCPUUtilization/);
    expect(r.otherMetric).toEqual(["ValidationException", expect.stringMatching(/DynamoDBReadCapacityUtilization is not a metric of ecs:service:DesiredCount/)]);
    expect(r.policiesAfter).toEqual([]);
    expect(r.deleteMissing).toEqual(["ObjectNotFoundException", `No scaling policy found for service namespace: ecs, resource ID: ${rid}, scalable dimension: ecs:service:DesiredCount, policy name: p`]);
    // a step policy: stored and described as given, with no alarms until a CloudWatch alarm names it (test/integration/cloudwatch-alarms.test.ts)
    expect(r.step.PolicyARN).toMatch(new RegExp(`^arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:[0-9a-f-]{36}:resource/ecs/${rid}:policyName/step$`));
    expect(r.step.Alarms).toEqual([]);
    expect(r.stepDescribed).toEqual([{ PolicyName: "step", PolicyType: "StepScaling", StepScalingPolicyConfiguration: { AdjustmentType: "ChangeInCapacity", Cooldown: 60, MetricAggregationType: "Average", StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] }, Alarms: [] }]);
    // deregistering takes the policies along; a second time there is nothing to deregister
    expect(r.deregistered).toEqual({});
    expect(r.policiesGone).toEqual([]);
    expect(r.deregisterAgain[0]).toBe("ObjectNotFoundException");
  });

  it("answers bad input through the AWS CLI with AWS's error line", async () => {
    expect(await refused("register-scalable-target", ...target("bad"), "--min-capacity", "5", "--max-capacity", "2")).toMatch(
      /An error occurred \(ValidationException\) when calling the RegisterScalableTarget operation: Minimum capacity cannot be larger than maximum capacity/,
    );
  });

  it("scales a CPU-burning service out toward its maximum and back in after the cooldown", async () => {
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: "burn", desiredCount: 1 }));
    // (Debian's CLI 2.9 predates ScalableTargetARN in the answer, so it prints nothing here.)
    await scaling("register-scalable-target", ...target("web"), "--min-capacity", "1", "--max-capacity", "3");
    const cfg = { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" }, ScaleOutCooldown: 4, ScaleInCooldown: 4 };
    const put = await scaling("put-scaling-policy", ...target("web"), "--policy-name", "cpu50", "--policy-type", "TargetTrackingScaling", "--target-tracking-scaling-policy-configuration", JSON.stringify(cfg));
    const high = put.Alarms.find((a: { AlarmName: string }) => a.AlarmName.includes("AlarmHigh")).AlarmName;
    expect(high).toMatch(new RegExp(`^TargetTracking-service/${cluster}/web-AlarmHigh-[0-9a-f-]{36}$`));
    expect(put.Alarms.map((a: { AlarmName: string }) => a.AlarmName.replace(/-[0-9a-f-]{36}$/, ""))).toEqual([`TargetTracking-service/${cluster}/web-AlarmHigh`, `TargetTracking-service/${cluster}/web-AlarmLow`]);
    const [described] = (await scaling("describe-scalable-targets", "--service-namespace", "ecs", "--resource-ids", `service/${cluster}/web`)).ScalableTargets;
    expect(described).toMatchObject({ MinCapacity: 1, MaxCapacity: 3, SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false } });

    // The burning task's own samples, through the console's route.
    const [taskArn] = (await eventually("the first task", async () => {
      const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: "web" }))).taskArns ?? [];
      return arns.length > 0 ? arns : undefined;
    })) as string[];
    const samples = await eventually("the task's stats", async () => {
      const res = await fetch(`${t.endpoint}/berth/v1/task-stats?cluster=${cluster}&task=${taskArn.split("/").pop()}`);
      const body = (await res.json()) as { samples: { timestamp: number; containers: { name: string; cpuPercent: number; memoryBytes: number }[] }[] };
      return body.samples.length >= 2 ? body.samples : undefined;
    }, 60_000);
    expect(samples[0].containers[0].name).toBe("app");
    expect(samples.some((s) => s.containers[0].cpuPercent > 5)).toBe(true);
    const unknown = await fetch(`${t.endpoint}/berth/v1/task-stats?cluster=${cluster}&task=0123456789abcdef0123456789abcdef`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { __type: string }).__type).toBe("ResourceNotFoundException");

    const desired = async () => (await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["web"] }))).services![0].desiredCount!;
    await eventually("the service to scale out to its maximum", async () => ((await desired()) === 3 ? true : undefined), 120_000, 500);

    // The load goes away: the service's tasks are replaced by idle ones.
    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "web", taskDefinition: "idle" }));
    await eventually("the service to scale back in to its minimum", async () => ((await desired()) === 1 ? true : undefined), 120_000, 500);

    const activities = (await scaling("describe-scaling-activities", ...target("web").slice(0, 2), "--resource-id", `service/${cluster}/web`)).ScalingActivities as any[];
    const steps = [...activities].reverse();
    expect(steps.length).toBeGreaterThanOrEqual(2);
    for (const a of steps) {
      expect(a).toMatchObject({ ServiceNamespace: "ecs", ResourceId: `service/${cluster}/web`, ScalableDimension: "ecs:service:DesiredCount", StatusCode: "Successful" });
      expect(a.Description).toMatch(/^Setting desired count to \d\.$/);
      expect(a.Cause).toMatch(new RegExp(`^monitor alarm TargetTracking-service/${cluster}/web-Alarm(High|Low)-[0-9a-f-]{36} in state ALARM triggered policy cpu50$`));
      expect(a.StatusMessage).toBe(`Successfully set desired count to ${a.Description.match(/\d/)[0]}. Change successfully fulfilled by ecs.`);
    }
    const counts = steps.map((a) => Number(a.Description.match(/\d/)[0]));
    const outs = steps.filter((a) => a.Cause.includes("AlarmHigh"));
    const ins = steps.filter((a) => a.Cause.includes("AlarmLow"));
    // Out in rising steps to the maximum, then in to the minimum.
    expect(counts[outs.length - 1]).toBe(3);
    expect(counts.slice(0, outs.length)).toEqual([...counts.slice(0, outs.length)].sort());
    expect(counts[counts.length - 1]).toBe(1);
    expect(ins.length).toBeGreaterThanOrEqual(1);
    // Consecutive steps in one direction are at least the cooldown apart.
    // (The CLI prints timestamps as ISO 8601 text.)
    const at = (a: { StartTime: string }) => Date.parse(a.StartTime);
    expect(steps.every((a) => Number.isFinite(at(a)))).toBe(true);
    for (const list of [outs, ins]) for (let i = 1; i < list.length; i++) expect(at(list[i]) - at(list[i - 1])).toBeGreaterThanOrEqual(4000);
    // The way back in came after the way out.
    expect(at(ins[0])).toBeGreaterThan(at(outs[outs.length - 1]));
  }, 300_000);
});

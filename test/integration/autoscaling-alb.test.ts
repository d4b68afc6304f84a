// ALBRequestCountPerTarget through boto3: a service behind a load balancer scales out while
// requests flow through its HAProxy (the counts read from HAProxy's own stats) and back in once
// they stop. Short windows: 2 s datapoints, 2 to scale out, 3 to scale in.
import { CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";
import { webContainer } from "../support/web-container.js";
import { freePorts } from "../support/ports.js";

const cluster = `asalb-${process.pid}`;
let host: SingleHost;
let t: TestControlPlane;

beforeAll(async () => {
  host = await startSingleHost(cluster, {
    BERTH_RECONCILE_INTERVAL_MS: "300",
    BERTH_LB_BIND_ADDRESS: "127.0.0.1",
    BERTH_LB_SYNC_INTERVAL_MS: "200",
    BERTH_METRIC_PERIOD_MS: "2000",
    BERTH_SCALE_OUT_DATAPOINTS: "2",
    BERTH_SCALE_IN_DATAPOINTS: "3",
  });
  t = host.t;
}, 60_000);

afterAll(async () => {
  await host?.stop();
});

/** A boto3 script with an `aas` Application Auto Scaling client beside the helper's clients. */
const withAas = (script: string) =>
  `aas = boto3.client("application-autoscaling", endpoint_url=${JSON.stringify(t.endpoint)}, region_name="us-east-1", aws_access_key_id="berth", aws_secret_access_key="berth")\n${script}`;

describe("ALBRequestCountPerTarget", () => {
  it("scales out while requests flow through the load balancer and back in when they stop", async () => {
    const [port] = await freePorts(1);
    const { tg, label } = await boto3Json<{ tg: string; label: string }>(
      t.endpoint,
      `
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
lb = elbv2.create_load_balancer(Name="as-lb")["LoadBalancers"][0]
tg = elbv2.create_target_group(Name="as-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance",
    HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
elbv2.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "1"}])
elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=${port}, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
label = lb["LoadBalancerArn"].split(":loadbalancer/")[1] + "/" + tg.split(":")[-1]
print(json.dumps({"tg": tg, "label": label}))
`,
    );
    expect(label).toMatch(/^app\/as-lb\/[0-9a-f]+\/targetgroup\/as-tg\/[0-9a-f]+$/);
    await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "as-web",
        networkMode: "bridge",
        containerDefinitions: [
          webContainer(),
        ],
      }),
    );
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: "as-web", desiredCount: 1, loadBalancers: [{ targetGroupArn: tg, containerName: "web", containerPort: 80 }] }));
    const put = await boto3Json<{ arn: string; alarms: string[] }>(
      t.endpoint,
      withAas(`
rid = "service/${cluster}/web"
aas.register_scalable_target(ServiceNamespace="ecs", ResourceId=rid, ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=2)
p = aas.put_scaling_policy(PolicyName="requests", ServiceNamespace="ecs", ResourceId=rid, ScalableDimension="ecs:service:DesiredCount",
    PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration={"TargetValue": 5.0, "ScaleOutCooldown": 2, "ScaleInCooldown": 2,
    "PredefinedMetricSpecification": {"PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": ${JSON.stringify(label)}}})
print(json.dumps({"arn": p["PolicyARN"], "alarms": [a["AlarmName"] for a in p["Alarms"]]}))
`),
    );
    expect(put.arn).toMatch(/:policyName\/requests$/);
    expect(put.alarms).toHaveLength(2);

    await eventually("the load balancer to answer", async () => ((await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false)) ? true : undefined), 60_000, 500);
    const desired = async () => (await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["web"] }))).services![0].desiredCount!;
    // Requests, one after another, until the service has scaled out.
    let flowing = true;
    const traffic = (async () => {
      while (flowing) await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => undefined);
    })();
    try {
      await eventually("the service to scale out", async () => ((await desired()) === 2 ? true : undefined), 90_000, 500);
    } finally {
      flowing = false;
      await traffic;
    }
    await eventually("the service to scale back in", async () => ((await desired()) === 1 ? true : undefined), 90_000, 500);

    const activities = await boto3Json<{ Description: string; Cause: string; StatusCode: string }[]>(
      t.endpoint,
      withAas(`print(json.dumps([{k: a[k] for k in ("Description", "Cause", "StatusCode")} for a in aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId="service/${cluster}/web")["ScalingActivities"]]))`),
    );
    expect(activities.map((a) => a.Description)).toEqual(["Setting desired count to 1.", "Setting desired count to 2."]);
    expect(activities[0].Cause).toMatch(/-AlarmLow-[0-9a-f-]{36} in state ALARM triggered policy requests$/);
    expect(activities[1].Cause).toMatch(/-AlarmHigh-[0-9a-f-]{36} in state ALARM triggered policy requests$/);
    expect(activities.every((a) => a.StatusCode === "Successful")).toBe(true);
  }, 240_000);
});

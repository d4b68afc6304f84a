// A service's loadBalancers with a real agent and containers: CreateService names a target group,
// its RUNNING tasks (bridge networking, dynamic host ports) are registered with it as instance
// targets, requests through the load balancer's HAProxy reach them in turn, and scaling in
// deregisters (drains) the stopped tasks' targets.
import { CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";
import { webContainer } from "../support/web-container.js";
import { freePorts } from "../support/ports.js";

const cluster = `lb-${process.pid}`;
let host: SingleHost;
let t: TestControlPlane;

beforeAll(async () => {
  host = await startSingleHost(cluster, { BERTH_RECONCILE_INTERVAL_MS: "300", BERTH_LB_BIND_ADDRESS: "127.0.0.1", BERTH_LB_SYNC_INTERVAL_MS: "200" });
  t = host.t;
}, 60_000);

afterAll(async () => {
  await host?.stop();
});

/** Target health by target id:port. */
const health = (tgArn: string) =>
  boto3Json<Record<string, { State: string; Reason?: string }>>(
    t.endpoint,
    `print(json.dumps({f"{d['Target']['Id']}:{d['Target']['Port']}": d["TargetHealth"] for d in elbv2.describe_target_health(TargetGroupArn="${tgArn}")["TargetHealthDescriptions"]}))`,
  );

describe("a service behind a load balancer", () => {
  it("registers its RUNNING tasks, sends them requests in turn and drains the ones it stops", async () => {
    const [port] = await freePorts(1);
    const { tg } = await boto3Json<{ tg: string }>(
      t.endpoint,
      `
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
lb = elbv2.create_load_balancer(Name="svc-lb")["LoadBalancers"][0]
tg = elbv2.create_target_group(Name="svc-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance",
    HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
elbv2.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "1"}])
elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=${port}, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
print(json.dumps({"tg": tg}))
`,
    );
    const td = await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "lb-web",
        networkMode: "bridge",
        containerDefinitions: [
          // Each task answers with its own container's host name.
          webContainer(),
        ],
      }),
    );
    // A container port the definition does not map is refused, as ECS refuses it.
    await expect(
      t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "bad", taskDefinition: td.taskDefinition!.taskDefinitionArn, desiredCount: 1, loadBalancers: [{ targetGroupArn: tg, containerName: "web", containerPort: 8080 }] })),
    ).rejects.toThrow(/did not have a container port 8080 defined/);
    const created = await t.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: "web",
        taskDefinition: td.taskDefinition!.taskDefinitionArn,
        desiredCount: 2,
        loadBalancers: [{ targetGroupArn: tg, containerName: "web", containerPort: 80 }],
      }),
    );
    expect(created.service!.loadBalancers).toEqual([{ targetGroupArn: tg, containerName: "web", containerPort: 80 }]);
    const healthy = await eventually("two healthy targets", async () => {
      const h = await health(tg);
      const states = Object.values(h);
      return states.length === 2 && states.every((s) => s.State === "healthy") ? h : undefined;
    }, 60_000, 500);
    expect(Object.keys(healthy).every((k) => /^[0-9a-f-]+:\d+$/.test(k))).toBe(true);
    const answers = new Set<string>();
    for (let i = 0; i < 6; i++) answers.add((await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim());
    expect(answers.size).toBe(2);

    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "web", desiredCount: 1 }));
    await eventually("one target left", async () => {
      const h = await health(tg);
      return Object.keys(h).length === 1 && Object.values(h)[0].State === "healthy" ? h : undefined;
    }, 30_000, 500);
    const s = (await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["web"] }))).services![0];
    expect(s.runningCount).toBe(1);
    const after = new Set<string>();
    for (let i = 0; i < 4; i++) after.add((await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim());
    expect(after.size).toBe(1);
  }, 120_000);
});

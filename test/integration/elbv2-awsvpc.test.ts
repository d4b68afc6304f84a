// An awsvpc service behind a real HAProxy: its tasks are registered in an `ip` target group by
// their own addresses and the container port (not the host's), HAProxy reaches them on the task
// bridge, and an `instance` target group for an awsvpc definition is refused as ECS refuses it,
// at CreateService and at UpdateService.
import { randomBytes } from "node:crypto";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { core } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, removeDir, startTestAgent, startTestControlPlane, type TestAgent, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";
import { docker, ensureTestImage, removeContainersByLabel } from "../support/docker.js";
import { generateLoad } from "../support/load.js";
import { freePorts } from "../support/ports.js";

const cluster = `lb-vpc-${randomBytes(4).toString("hex")}`;
const zone = "us-east-1a";
const subnet = core.defaultSubnets("us-east-1").find((s) => s.availabilityZone === zone)!;
const network = { awsvpcConfiguration: { subnets: [subnet.subnetId] } };
let t: TestControlPlane;
let agent: TestAgent;
let port: number;
let groups: { ip: string; instance: string };

beforeAll(async () => {
  await ensureTestImage();
  t = await startTestControlPlane({ BERTH_RECONCILE_INTERVAL_MS: "300", BERTH_LB_BIND_ADDRESS: "127.0.0.1", BERTH_LB_SYNC_INTERVAL_MS: "200" });
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  // busybox httpd as PID 1 ignores SIGTERM: a short stop timeout keeps stops quick.
  agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: { BERTH_AVAILABILITY_ZONE: zone, ECS_CONTAINER_STOP_TIMEOUT: "1s" } });
  await eventually("the agent to register", async () => ((await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns?.length ? true : undefined));
  [port] = await freePorts(1);
  groups = await boto3Json<{ ip: string; instance: string }>(
    t.endpoint,
    `
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
lb = elbv2.create_load_balancer(Name="vpc-lb")["LoadBalancers"][0]
ip = elbv2.create_target_group(Name="vpc-ip", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip", HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
inst = elbv2.create_target_group(Name="vpc-inst", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
for tg in (ip, inst):
    elbv2.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "1"}])
l = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=${port}, DefaultActions=[{"Type": "forward", "TargetGroupArn": ip}])
elbv2.create_rule(ListenerArn=l["Listeners"][0]["ListenerArn"], Priority=10, Conditions=[{"Field": "path-pattern", "Values": ["/inst/*"]}], Actions=[{"Type": "forward", "TargetGroupArn": inst}])
print(json.dumps({"ip": ip, "instance": inst}))
`,
  );
  for (const [family, mode] of [["lb-vpc-web", "awsvpc"], ["lb-bridge-web", "bridge"]] as const) {
    await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: mode,
        containerDefinitions: [
          { name: "web", image: "berth-test/busybox:latest", memory: 32, portMappings: [{ containerPort: 80, ...(mode === "bridge" && { hostPort: 0 }) }], command: ["sh", "-c", `mkdir -p /www && hostname > /www/index.html && exec busybox httpd -f -p 80 -h /www`] },
        ],
      }),
    );
  }
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  await t?.stop();
  await removeContainersByLabel(`com.amazonaws.ecs.cluster=${cluster}`);
  const client = docker();
  for (const c of await client.listContainers({ all: true, filters: { label: [`com.berth.cluster=${cluster}`] } })) await client.getContainer(c.Id).remove({ force: true });
  if (agent) await removeDir(agent.dataDir);
});

describe("awsvpc tasks behind a load balancer", () => {
  it("refuses an instance target group for an awsvpc definition, in ECS's words", async () => {
    const lb = [{ targetGroupArn: groups.instance, containerName: "web", containerPort: 80 }];
    await expect(t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "bad", taskDefinition: "lb-vpc-web", desiredCount: 1, networkConfiguration: network, loadBalancers: lb }))).rejects.toThrow(
      `The provided target group ${groups.instance} has target type instance, which is incompatible with the awsvpc network mode specified in the task definition.`,
    );
    // A bridge service on the instance group, moved to the awsvpc definition: refused the same way, nothing changed.
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "bridge", taskDefinition: "lb-bridge-web", desiredCount: 0, loadBalancers: lb }));
    const err = await t.ecs.send(new UpdateServiceCommand({ cluster, service: "bridge", taskDefinition: "lb-vpc-web" })).catch((e: Error) => e);
    expect(err).toMatchObject({ name: "InvalidParameterException", message: expect.stringContaining("has target type instance, which is incompatible with the awsvpc network mode") });
    await t.ecs.send(new DeleteServiceCommand({ cluster, service: "bridge", force: true }));
  }, 30_000);

  it("registers each task's own address and container port in an ip group, and HAProxy reaches them", async () => {
    await t.ecs.send(
      new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: "lb-vpc-web", desiredCount: 2, networkConfiguration: network, loadBalancers: [{ targetGroupArn: groups.ip, containerName: "web", containerPort: 80 }] }),
    );
    const healthy = await eventually("two healthy ip targets", async () => {
      const h = await boto3Json<Record<string, string>>(t.endpoint, `print(json.dumps({f"{d['Target']['Id']}:{d['Target']['Port']}": d["TargetHealth"]["State"] for d in elbv2.describe_target_health(TargetGroupArn="${groups.ip}")["TargetHealthDescriptions"]}))`);
      return Object.keys(h).length === 2 && Object.values(h).every((s) => s === "healthy") ? Object.keys(h).sort() : undefined;
    }, 60_000, 500);
    const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: "web" }))).taskArns!;
    const tasks = (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!;
    const ips = tasks.map((x) => x.attachments![0].details!.find((d) => d.name === "privateIPv4Address")!.value!);
    expect(healthy).toEqual(ips.map((ip) => `${ip}:80`).sort());
    const load = await generateLoad({ url: `http://127.0.0.1:${port}/`, count: 40, ratePerSecond: 40 });
    expect(load.failures).toEqual([]);
    // Each task answered some (its host name is its namespace's: one per task).
    expect(load.bodies.size).toBe(2);
    await t.ecs.send(new DeleteServiceCommand({ cluster, service: "web", force: true }));
  }, 90_000);
});

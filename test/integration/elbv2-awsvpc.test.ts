// An awsvpc service behind a real HAProxy: its tasks are registered in an `ip` target group by
// their own addresses and the container port (not the host's), HAProxy reaches them on the task
// bridge, and an `instance` target group for an awsvpc definition is refused as ECS refuses it,
// at CreateService and at UpdateService; UpdateService moving a service to another target
// group (and to none) through the AWS CLI v2.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
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
let groups: { ip: string; instance: string; ip2: string };

beforeAll(async () => {
  await ensureTestImage();
  t = await startTestControlPlane({ BERTH_RECONCILE_INTERVAL_MS: "300", BERTH_LB_BIND_ADDRESS: "127.0.0.1", BERTH_LB_SYNC_INTERVAL_MS: "200" });
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  // busybox httpd as PID 1 ignores SIGTERM: a short stop timeout keeps stops quick.
  agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: { BERTH_AVAILABILITY_ZONE: zone, ECS_CONTAINER_STOP_TIMEOUT: "1s" } });
  await eventually("the agent to register", async () => ((await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns?.length ? true : undefined));
  [port] = await freePorts(1);
  groups = await boto3Json<{ ip: string; instance: string; ip2: string }>(
    t.endpoint,
    `
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
lb = elbv2.create_load_balancer(Name="vpc-lb")["LoadBalancers"][0]
ip = elbv2.create_target_group(Name="vpc-ip", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip", HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
inst = elbv2.create_target_group(Name="vpc-inst", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
ip2 = elbv2.create_target_group(Name="vpc-ip2", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip", HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
for tg in (ip, inst, ip2):
    elbv2.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "1"}])
l = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=${port}, DefaultActions=[{"Type": "forward", "TargetGroupArn": ip}])
elbv2.create_rule(ListenerArn=l["Listeners"][0]["ListenerArn"], Priority=10, Conditions=[{"Field": "path-pattern", "Values": ["/inst/*"]}], Actions=[{"Type": "forward", "TargetGroupArn": inst}])
elbv2.create_rule(ListenerArn=l["Listeners"][0]["ListenerArn"], Priority=20, Conditions=[{"Field": "path-pattern", "Values": ["/two/*"]}], Actions=[{"Type": "forward", "TargetGroupArn": ip2}])
print(json.dumps({"ip": ip, "instance": inst, "ip2": ip2}))
`,
  );
  for (const [family, mode] of [["lb-vpc-web", "awsvpc"], ["lb-bridge-web", "bridge"]] as const) {
    await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: mode,
        containerDefinitions: [
          { name: "web", image: "berth-test/busybox:latest", memory: 32, portMappings: [{ containerPort: 80, ...(mode === "bridge" && { hostPort: 0 }) }], command: ["sh", "-c", `mkdir -p /www/two && hostname > /www/index.html && hostname > /www/two/index.html && exec busybox httpd -f -p 80 -h /www`] },
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

  it("UpdateService moves the service to another target group: new tasks register there, the old drain out; [] removes them", async () => {
    const lbOf = (tg: string) => [{ targetGroupArn: tg, containerName: "web", containerPort: 80 }];
    // A grace period, as a user sets one: a loaded machine can fail a first check or two.
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "move", taskDefinition: "lb-vpc-web", desiredCount: 1, networkConfiguration: network, loadBalancers: lbOf(groups.ip), healthCheckGracePeriodSeconds: 30 }));
    const first = await eventually("a healthy target in the first group", async () => {
      const h = await targetStates(groups.ip);
      return Object.keys(h).length === 1 && Object.values(h)[0] === "healthy" ? Object.keys(h)[0] : undefined;
    }, 60_000, 500);

    // A group unknown to ELB is refused and nothing changes.
    const bogus = groups.ip2.replace(/[0-9a-f]{16}$/, "0000000000000000");
    const bad = await awsCli("update-service", "--cluster", cluster, "--service", "move", "--load-balancers", `targetGroupArn=${bogus},containerName=web,containerPort=80`).catch((e: Error) => e);
    expect(String(bad)).toMatch(/InvalidParameterException|TargetGroupNotFound|target group/i);
    expect((await describeService("move")).deployments).toHaveLength(1);

    // Through the AWS CLI v2, as a user moves a service: a new deployment registering with the new group.
    const moved = await awsCli("update-service", "--cluster", cluster, "--service", "move", "--load-balancers", `targetGroupArn=${groups.ip2},containerName=web,containerPort=80`);
    expect(moved.service.loadBalancers).toEqual(lbOf(groups.ip2));
    expect(moved.service.deployments.map((d: { status: string }) => d.status)).toEqual(["PRIMARY", "ACTIVE"]);
    let seen = "";
    const second = await eventually("the new task healthy in the new group, the old one gone from the first", async () => {
      const [one, two, svc] = [await targetStates(groups.ip), await targetStates(groups.ip2), await describeService("move")];
      seen = JSON.stringify({ one, two, deployments: svc.deployments!.map((d) => [d.status, d.runningCount, d.rolloutState]), events: svc.events!.slice(0, 3).map((e) => e.message) });
      const live = Object.entries(two).filter(([, st]) => st === "healthy");
      return Object.keys(one).length === 0 && live.length === 1 && svc.deployments!.length === 1 ? live[0][0] : undefined;
    }, 60_000, 500).catch((err: Error) => {
      throw new Error(`${err.message}; last seen ${seen}`);
    });
    expect(second).not.toBe(first);
    // Traffic for the new group's path reaches the moved service; the first group has no one left.
    const load = await generateLoad({ url: `http://127.0.0.1:${port}/two/`, count: 10, ratePerSecond: 20 });
    expect(load.failures).toEqual([]);
    expect(load.bodies.size).toBe(1);

    // [] removes them all: the next task registers nowhere and the new group drains.
    const none = await t.ecs.send(new UpdateServiceCommand({ cluster, service: "move", loadBalancers: [] }));
    expect(none.service!.loadBalancers).toEqual([]);
    await eventually("no targets left in either group, one task running", async () => {
      const [one, two] = [await targetStates(groups.ip), await targetStates(groups.ip2)];
      const svc = await describeService("move");
      return Object.keys(one).length + Object.keys(two).length === 0 && svc.deployments!.length === 1 && svc.runningCount === 1 ? true : undefined;
    }, 60_000, 500);
    await t.ecs.send(new DeleteServiceCommand({ cluster, service: "move", force: true }));
  }, 150_000);
});

const run = promisify(execFile);
/** The AWS CLI v2 against berth, its JSON answer parsed. */
async function awsCli(...args: string[]): Promise<any> {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
  const { stdout } = await run("/usr/bin/aws", ["ecs", "--endpoint-url", t.endpoint, "--output", "json", ...args], { env });
  return JSON.parse(stdout);
}
const describeService = async (name: string) => (await t.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))).services![0];
/** A target group's targets (`ip:port`) and their states, through boto3. */
const targetStates = (tg: string) =>
  boto3Json<Record<string, string>>(t.endpoint, `print(json.dumps({f"{d['Target']['Id']}:{d['Target']['Port']}": d["TargetHealth"]["State"] for d in elbv2.describe_target_health(TargetGroupArn="${tg}")["TargetHealthDescriptions"]}))`);


import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ListTasksCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type RegisterTaskDefinitionCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import { core } from "@berth/controlplane";
import { eventually, removeDir, startTestAgent, startTestControlPlane, type TestAgent, type TestControlPlane } from "../support/berth.js";
import { docker, ensureTestImage, removeContainersByLabel } from "../support/docker.js";
import { ensureExampleImages } from "../support/example-images.js";
import { example } from "../support/examples.js";

/*
 * awsvpc tasks end to end on the main engine: a real control plane and agent, Debian's CNI
 * plugins, a pause container per task. Each task gets its own address of the default subnet of
 * the agent's zone (us-east-1a, 172.31.0.0/20), reachable from this host on the task bridge;
 * two tasks both listen on port 80; the microservice example's containers share localhost;
 * stopping leaves no pause container, veth or held address; an agent killed and restarted
 * keeps its live tasks' addresses.
 */

const cluster = `vpc-it-${randomBytes(4).toString("hex")}`;
const zone = "us-east-1a";
const subnet = core.defaultSubnets("us-east-1").find((s) => s.availabilityZone === zone)!;
const network = { awsvpcConfiguration: { subnets: [subnet.subnetId] } };
const client = docker();
// busybox httpd as PID 1 ignores SIGTERM: a short stop timeout keeps stops quick.
const agentEnv = { BERTH_AVAILABILITY_ZONE: zone, ECS_CONTAINER_STOP_TIMEOUT: "1s" };
let t: TestControlPlane;
let agent: TestAgent;

/** busybox httpd on `port` answering `body`. */
const httpd = (port: number, body: string) => ["sh", "-c", `mkdir -p /www && echo ${body} > /www/index.html && exec busybox httpd -f -p ${port} -h /www`];

const web = (family: string, port = 80): RegisterTaskDefinitionCommandInput => ({
  family,
  networkMode: "awsvpc",
  containerDefinitions: [{ name: "web", image: "berth-test/busybox:latest", memory: 32, command: httpd(port, family), portMappings: [{ containerPort: port }] }],
});

async function describe1(arn: string): Promise<Task> {
  return (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
}

/** The task once RUNNING with its attachment ATTACHED. */
function running(arn: string): Promise<Task> {
  return eventually(`task ${arn} running`, async () => {
    const task = await describe1(arn);
    if (task.lastStatus === "STOPPED") throw new Error(`stopped: ${task.stoppedReason}`);
    return task.lastStatus === "RUNNING" && task.attachments?.[0]?.status === "ATTACHED" ? task : undefined;
  }, 40_000);
}

const detail = (task: Task, name: string) => task.attachments![0].details!.find((d) => d.name === name)?.value;

/** GET http://ip:port/ from this host (no proxy, short timeout): the body, trimmed. */
function get(ip: string, port = 80): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: ip, port, path: "/", timeout: 3000 }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve(body.trim()));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${ip}:${port}`)));
    req.on("error", reject);
  });
}

const pauseCount = async () => (await client.listContainers({ all: true, filters: { label: ["com.berth.pause-for"] } })).filter((c) => c.Labels["com.berth.cluster"] === cluster).length;
const vethCount = () => {
  try {
    // veths on any block bridge (bt-…): one bridge per subnet block
    const links = JSON.parse(execFileSync("ip", ["-j", "link", "show"], { encoding: "utf8" })) as { ifname: string; master?: string }[];
    return links.filter((l) => l.master?.startsWith("bt-")).length;
  } catch {
    return 0; // no bridge yet: no task has run on this host
  }
};

/** Waits until this cluster has no pause container and the bridge no veth: nothing leaked. */
const settled = () => eventually("no pause container or veth left", async () => ((await pauseCount()) === 0 && vethCount() === 0 ? true : undefined), 20_000);

async function run(family: string, overrides?: object): Promise<string> {
  const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: family, networkConfiguration: network, overrides }));
  expect(res.failures).toEqual([]);
  return res.tasks![0].taskArn!;
}

/** The one RUNNING, ATTACHED task of `service` that passes `which`. */
function serviceTask(service: string, which: (t: Task) => boolean): Promise<Task> {
  return eventually(`a task of ${service}`, async () => {
    const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: service }))).taskArns ?? [];
    const tasks = arns.length ? (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks! : [];
    return tasks.find((x) => x.lastStatus === "RUNNING" && x.attachments?.[0]?.status === "ATTACHED" && which(x));
  }, 40_000);
}

async function stopAndWait(arn: string): Promise<Task> {
  await t.ecs.send(new StopTaskCommand({ cluster, task: arn }));
  return eventually(`task ${arn} stopped`, async () => {
    const task = await describe1(arn);
    return task.lastStatus === "STOPPED" ? task : undefined;
  }, 40_000);
}

beforeAll(async () => {
  await ensureTestImage();
  // The example's images, as a user would load them: the local stand-ins under their names.
  await ensureExampleImages();
  t = await startTestControlPlane();
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: agentEnv });
  await eventually("the agent to register", async () => ((await t.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns?.length ? true : undefined));
  for (const f of ["vpc-a", "vpc-b"]) await t.ecs.send(new RegisterTaskDefinitionCommand(web(f)));
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await t?.stop();
  await removeContainersByLabel(`com.amazonaws.ecs.cluster=${cluster}`);
  for (const c of await client.listContainers({ all: true, filters: { label: [`com.berth.cluster=${cluster}`] } })) await client.getContainer(c.Id).remove({ force: true });
  if (agent) await removeDir(agent.dataDir);
});

describe("awsvpc tasks", () => {
  it("refuses a run without networkConfiguration, in ECS's words", async () => {
    await expect(t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "vpc-a" }))).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    });
  });

  it("fails placement clearly when no instance is in the subnets' zones", async () => {
    const other = core.defaultSubnets("us-east-1").find((s) => s.availabilityZone === "us-east-1c")!;
    const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "vpc-a", networkConfiguration: { awsvpcConfiguration: { subnets: [other.subnetId] } } }));
    expect(res.tasks).toEqual([]);
    expect(res.failures?.map((f) => f.reason)).toEqual(["ATTRIBUTE:ecs.availability-zone"]);
  });

  it("gives two port-80 tasks their own addresses, each answering from the host, and tears down without leaks", async () => {
    await settled();
    const [a, b] = [await run("vpc-a"), await run("vpc-b")];
    const [ta, tb] = [await running(a), await running(b)];
    const ipA = detail(ta, "privateIPv4Address")!;
    const ipB = detail(tb, "privateIPv4Address")!;
    expect(ipA).not.toBe(ipB);
    for (const [task, ip] of [[ta, ipA], [tb, ipB]] as const) {
      expect(core.cidrContains(subnet.cidrBlock, ip)).toBe(true);
      expect(task.attachments![0]).toMatchObject({ type: "ElasticNetworkInterface", status: "ATTACHED" });
      expect(detail(task, "subnetId")).toBe(subnet.subnetId);
      expect(detail(task, "networkInterfaceId")).toMatch(/^eni-[0-9a-f]{17}$/);
      expect(detail(task, "macAddress")).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      expect(detail(task, "privateDnsName")).toBe(`ip-${ip.replaceAll(".", "-")}.ec2.internal`);
      expect(task.containers![0].networkInterfaces).toEqual([{ attachmentId: task.attachments![0].id, privateIpv4Address: ip }]);
      // No host port: the task's own address, port 80.
      expect(task.containers![0].networkBindings ?? []).toEqual([]);
    }
    expect(await get(ipA)).toBe("vpc-a");
    expect(await get(ipB)).toBe("vpc-b");
    expect(await pauseCount()).toBe(2);
    expect(vethCount()).toBe(2);

    const stopped = await stopAndWait(a);
    expect(stopped.attachments![0].status).toBe("DETACHED");
    await stopAndWait(b);
    // STOPPED is reported once the namespace is released: nothing left by then.
    expect(await pauseCount()).toBe(0);
    expect(vethCount()).toBe(0);
    // The address is free again: the next task gets the lowest one back.
    const c = await run("vpc-a");
    const ipC = detail(await running(c), "privateIPv4Address");
    expect([ipA, ipB].sort()[0]).toBe(ipC);
    await stopAndWait(c);
    await settled();
  }, 60_000);

  it("runs a service's awsvpc tasks, each with its own address, the service's networkConfiguration kept", async () => {
    await settled();
    const res = await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "vpc-svc", taskDefinition: "vpc-b", desiredCount: 2, networkConfiguration: network }));
    expect(res.service?.networkConfiguration?.awsvpcConfiguration?.subnets).toEqual([subnet.subnetId]);
    const tasks = await eventually("two service tasks attached", async () => {
      const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: "vpc-svc" }))).taskArns ?? [];
      if (arns.length < 2) return undefined;
      const ts = (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!;
      return ts.every((x) => x.lastStatus === "RUNNING" && x.attachments?.[0]?.status === "ATTACHED") ? ts : undefined;
    }, 40_000);
    const ips = tasks.map((x) => detail(x, "privateIPv4Address")!);
    expect(new Set(ips).size).toBe(2);
    for (const ip of ips) expect(await get(ip)).toBe("vpc-b");
    await t.ecs.send(new DeleteServiceCommand({ cluster, service: "vpc-svc", force: true }));
    await settled();
  }, 60_000);

  it("UpdateService with a new networkConfiguration starts a deployment whose tasks use it, refused as CreateService refuses", async () => {
    await settled();
    const vpcId = core.listVpcs(t.cp.ctx).find((v) => v.isDefault)!.vpcId;
    const other = await core.createSubnet(t.cp.ctx, { vpcId, cidrBlock: "172.31.208.0/24", availabilityZone: zone, tags: [] });
    const sg = await core.createSecurityGroup(t.cp.ctx, { groupName: `upd-${cluster}`, description: "update test", tags: [] });
    try {
      await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "vpc-upd", taskDefinition: "vpc-a", desiredCount: 1, networkConfiguration: network }));
      const first = await serviceTask("vpc-upd", (x) => detail(x, "subnetId") === subnet.subnetId);
      const changed = { awsvpcConfiguration: { subnets: [other.subnetId], securityGroups: [sg.groupId], assignPublicIp: "ENABLED" as const } };
      const updated = await t.ecs.send(new UpdateServiceCommand({ cluster, service: "vpc-upd", networkConfiguration: changed }));
      expect(updated.service!.networkConfiguration).toEqual(changed);
      expect(updated.service!.deployments!.map((d) => [d.status, d.networkConfiguration?.awsvpcConfiguration?.subnets])).toEqual([["PRIMARY", [other.subnetId]], ["ACTIVE", [subnet.subnetId]]]);
      // The new deployment's task has an address of the new subnet and the new group; the old one is drained.
      const second = await serviceTask("vpc-upd", (x) => detail(x, "subnetId") === other.subnetId);
      const ip = detail(second, "privateIPv4Address")!;
      expect(core.cidrContains(other.cidrBlock, ip)).toBe(true);
      expect(second.startedBy).toBe(updated.service!.deployments![0].id);
      expect((await t.cp.ctx.store.tasks.get(cluster, second.taskArn!.split("/").pop()!))!.value.network!.securityGroupIds).toEqual([sg.groupId]);
      await eventually("the first deployment's task to stop", async () => ((await describe1(first.taskArn!)).lastStatus === "STOPPED" ? true : undefined), 40_000);
      // The same configuration again is no new deployment.
      const again = await t.ecs.send(new UpdateServiceCommand({ cluster, service: "vpc-upd", networkConfiguration: changed }));
      expect(again.service!.deployments![0].id).toBe(updated.service!.deployments![0].id);
      // Bad configurations get CreateService's errors, and change nothing.
      for (const bad of [
        { awsvpcConfiguration: { subnets: ["subnet-0123456789abcdef0"] } },
        { awsvpcConfiguration: { subnets: [subnet.subnetId], securityGroups: ["sg-0123456789abcdef0"] } },
        { awsvpcConfiguration: { subnets: [] } },
        { awsvpcConfiguration: { subnets: Array.from({ length: 17 }, () => subnet.subnetId) } },
      ]) {
        const atCreate = await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "vpc-bad", taskDefinition: "vpc-a", desiredCount: 1, networkConfiguration: bad })).catch((e: Error) => e);
        const atUpdate = await t.ecs.send(new UpdateServiceCommand({ cluster, service: "vpc-upd", networkConfiguration: bad })).catch((e: Error) => e);
        expect(atUpdate).toBeInstanceOf(Error);
        expect({ name: (atUpdate as Error).name, message: (atUpdate as Error).message }).toEqual({ name: (atCreate as Error).name, message: (atCreate as Error).message });
      }
      const after = (await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["vpc-upd"] }))).services![0];
      expect(after.deployments![0].id).toBe(updated.service!.deployments![0].id);
      expect(after.networkConfiguration).toEqual(changed);
    } finally {
      await t.ecs.send(new DeleteServiceCommand({ cluster, service: "vpc-upd", force: true })).catch(() => undefined);
      await settled();
    }
  }, 90_000);

  it("runs the microservice example with its containers sharing localhost", async () => {
    const ms = example("microservice") as unknown as RegisterTaskDefinitionCommandInput;
    await t.ecs.send(new RegisterTaskDefinitionCommand(ms));
    // redis-cache answers on 6379; api-service fetches from localhost:6379 and serves it on 3000.
    const arn = await run("microservice", {
      containerOverrides: [
        { name: "redis-cache", command: httpd(6379, "PONG") },
        { name: "api-service", command: ["sh", "-c", "mkdir -p /www; until busybox wget -q -O /www/index.html http://127.0.0.1:6379/; do sleep 0.2; done; exec busybox httpd -f -p 3000 -h /www"] },
      ],
    });
    const task = await running(arn);
    const ip = detail(task, "privateIPv4Address")!;
    expect(await eventually("api-service to answer", async () => {
      try {
        return await get(ip, 3000);
      } catch {
        return undefined;
      }
    }, 20_000)).toBe("PONG");
    await stopAndWait(arn);
    await settled();
  }, 60_000);

  it("keeps a live task's address and namespace across an agent crash and restart, then releases them", async () => {
    await settled();
    const arn = await run("vpc-a");
    const ip = detail(await running(arn), "privateIPv4Address")!;
    await agent.kill();
    agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, dataDir: agent.dataDir, env: agentEnv });
    await eventually("the agent back", async () => (agent.output().includes("session opened") || agent.output().includes("engine started") ? true : undefined));
    expect(await get(ip)).toBe("vpc-a");
    expect(detail(await running(arn), "privateIPv4Address")).toBe(ip);
    expect(await pauseCount()).toBe(1);
    await stopAndWait(arn);
    await settled();
  }, 60_000);

  it("removes at start a pause container no task of its own holds (a crash between making and recording it)", async () => {
    await settled();
    const image = (await client.listImages({ filters: { reference: ["berth/pause"] } }))[0].RepoTags![0];
    const stray = await client.createContainer({ Image: image, name: `stray-pause-${cluster}`, Labels: { "com.berth.pause-for": `arn:aws:ecs:us-east-1:000000000000:task/${cluster}/gone`, "com.berth.cluster": cluster, "com.berth.pause-partition": "" }, HostConfig: { NetworkMode: "none" } });
    await stray.start();
    // Another cluster's pause container on the same host is not this agent's to remove.
    const other = await client.createContainer({ Image: image, name: `other-pause-${cluster}`, Labels: { "com.berth.pause-for": "arn:aws:ecs:us-east-1:000000000000:task/other/x", "com.berth.cluster": `other-${cluster}` }, HostConfig: { NetworkMode: "none" } });
    try {
      expect(await pauseCount()).toBe(1);
      await agent.kill();
      agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, dataDir: agent.dataDir, env: agentEnv });
      await settled();
      expect((await other.inspect()).Id).toBe(other.id);
    } finally {
      await other.remove({ force: true });
    }
  }, 60_000);
});

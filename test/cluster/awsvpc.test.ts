import { execFileSync } from "node:child_process";
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, StartTaskCommand, StopTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { core } from "@berth/controlplane";
import { eventually } from "../support/berth.js";
import { startCluster, type TestCluster, type TestHost } from "../support/hosts.js";
import { TEST_IMAGE } from "../support/image.js";
import { netnsPath } from "../support/netns.js";

// awsvpc between hosts: two namespace hosts in one zone (us-east-1a), a port-80 task pinned on
// each. Each agent routes the other host's task block through what reaches that host (here the
// root namespace, the hosts' router, which the test gives a route per task address as a VPC's
// route table would); a task's address answers from the other host and from the other task.
let c: TestCluster;
const cluster = `awsvpc-${process.pid}`;
const zone = "us-east-1a";
const subnet = core.defaultSubnets("us-east-1").find((s) => s.availabilityZone === zone)!;
const rootRoutes: string[] = [];
/** FORWARD rules the test's router (the root namespace, where dockerd's policy is DROP) got. */
const rootRules: string[][] = [];
const started: string[] = [];

beforeAll(async () => {
  c = await startCluster(2, { cluster, env: { BERTH_AVAILABILITY_ZONE: zone } });
  await c.cp.ecs.send(new RegisterTaskDefinitionCommand({
    family: "vpc-web",
    networkMode: "awsvpc",
    containerDefinitions: [{ name: "web", image: TEST_IMAGE, memory: 32, portMappings: [{ containerPort: 80 }], command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec busybox httpd -f -p 80 -h /www"] }],
  }));
}, 120_000);

afterAll(async () => {
  for (const r of rootRoutes) execFileSync("ip", ["route", "del", r]);
  for (const r of rootRules) execFileSync("iptables", ["-w", "-D", "FORWARD", ...r]);
  if (started.length > 0) await Promise.all(started.map((task) => c.cp.ecs.send(new StopTaskCommand({ cluster, task }))));
  await c?.stop();
});

/** Starts vpc-web on host `h`, waits for it RUNNING with its address, and routes that address in the root namespace. */
async function startOn(h: TestHost, arn: string): Promise<{ task: Task; ip: string }> {
  const res = await c.cp.ecs.send(new StartTaskCommand({ cluster, taskDefinition: "vpc-web", containerInstances: [arn], networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.subnetId] } } }));
  expect(res.failures).toEqual([]);
  const taskArn = res.tasks![0].taskArn!;
  started.push(taskArn);
  const task = await eventually(`task on host ${h.index} running`, async () => {
    const t = (await c.cp.ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0];
    if (t.lastStatus === "STOPPED") throw new Error(`stopped: ${t.stoppedReason}`);
    return t.lastStatus === "RUNNING" && t.attachments?.[0]?.status === "ATTACHED" ? t : undefined;
  }, 60_000);
  const ip = task.attachments![0].details!.find((d) => d.name === "privateIPv4Address")!.value!;
  execFileSync("ip", ["route", "replace", `${ip}/32`, "via", h.hostIp]);
  rootRoutes.push(`${ip}/32`);
  for (const rule of [["-d", `${ip}/32`, "-j", "ACCEPT"], ["-s", `${ip}/32`, "-j", "ACCEPT"]]) {
    execFileSync("iptables", ["-w", "-I", "FORWARD", "1", ...rule]);
    rootRules.push(rule);
  }
  return { task, ip };
}

/** GET http://ip/ from inside host `h`'s namespace (node's http, as a client on that host). */
function getFrom(h: TestHost, ip: string): string {
  const script = `require("http").get({host:"${ip}",path:"/",timeout:3000},r=>{let b="";r.on("data",d=>b+=d);r.on("end",()=>console.log(b.trim()))}).on("error",e=>{console.error(e.message);process.exit(1)}).on("timeout",function(){this.destroy(new Error("timeout"))})`;
  return execFileSync("nsenter", [`--net=${netnsPath(h.netns)}`, process.execPath, "-e", script], { encoding: "utf8" }).trim();
}

/**
 * GET http://ip/ from inside a task's namespace: busybox's wget crashes on this static build, so
 * nc speaks the request by hand. The output, whatever it is (empty when refused).
 */
async function fetchFromTask(h: TestHost, taskArn: string, ip: string): Promise<string> {
  const container = (await h.docker().listContainers({ filters: { label: [`com.amazonaws.ecs.task-arn=${taskArn}`] } }))[0];
  const cmd = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 ${ip} 80 2>&1`;
  const exec = await h.docker().getContainer(container.Id).exec({ Cmd: ["sh", "-c", cmd], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  return new Promise<string>((resolve) => {
    let s = "";
    stream.on("data", (d: Buffer) => (s += d.toString()));
    stream.on("end", () => resolve(s));
  });
}

describe("awsvpc across hosts", () => {
  it("a task's address answers from the other host and from a task there, both ways", async () => {
    const [h1, h2] = c.hosts;
    const a = await startOn(h1, c.arns[0]);
    const b = await startOn(h2, c.arns[1]);
    expect(a.ip).not.toBe(b.ip);
    // Each host got its own block of the subnet.
    expect(core.cidrContains(subnet.cidrBlock, a.ip) && core.cidrContains(subnet.cidrBlock, b.ip)).toBe(true);
    // Host 1 reaches the task on host 2 once its agent has the route (pushed each heartbeat).
    const body = await eventually("task B answering from host 1", async () => {
      try {
        return getFrom(h1, b.ip);
      } catch {
        return undefined;
      }
    }, 30_000);
    expect(body.length).toBeGreaterThan(0);
    expect(await eventually("task A answering from host 2", async () => {
      try {
        return getFrom(h2, a.ip);
      } catch {
        return undefined;
      }
    }, 30_000)).toBeTruthy();
    // From task A's namespace to B (A was a member of the default group when B started).
    const aToB = await fetchFromTask(h1, a.task.taskArn!, b.ip);
    expect(aToB, aToB).toContain(body);
    // From B to A: A's rules learn of B, a member that came later, at the next sync.
    const bodyA = getFrom(h2, a.ip);
    expect(await eventually("task B reaching task A", async () => ((await fetchFromTask(h2, b.task.taskArn!, a.ip)).includes(bodyA) ? true : undefined), 30_000)).toBe(true);
  }, 180_000);
});

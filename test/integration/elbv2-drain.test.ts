// A service behind a real HAProxy, end to end with a real agent and containers: a stopped task
// drains first (DEACTIVATING for the group's deregistration delay: its in-flight requests finish,
// no new request reaches it, then the agent stops it); a rolling deployment of 4 tasks under a
// 50 requests/s load (until it is done) loses no request; a killed HAProxy comes back with the same
// targets; a task whose target fails its health checks is stopped with ECS's words and replaced.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";
import { TEST_IMAGE } from "../support/image.js";
import { generateLoad } from "../support/load.js";
import { freePorts } from "../support/ports.js";

const run = promisify(execFile);
const cluster = `drain-${process.pid}`;
const delaySeconds = 6;
let host: SingleHost;
let t: TestControlPlane;
let lbDir: string;
let port: number;
let tg: string;
let family: string;

/** What every task serves: its host name at /, 200 at /health, its host name after 2 s at /cgi-bin/slow. */
const serve = [
  "mkdir -p /www/cgi-bin && hostname > /www/index.html && echo ok > /www/health",
  'printf "#!/bin/sh\\necho Content-Type: text/plain\\necho\\nsleep 2\\nhostname\\n" > /www/cgi-bin/slow && chmod +x /www/cgi-bin/slow',
  "exec httpd -f -p 80 -h /www",
].join(" && ");

async function registerDefinition(version: string): Promise<string> {
  const td = await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: "bridge",
      containerDefinitions: [
        { name: "web", image: TEST_IMAGE, memory: 16, essential: true, stopTimeout: 1, portMappings: [{ containerPort: 80, hostPort: 0 }], environment: [{ name: "VERSION", value: version }], command: ["sh", "-c", serve] },
      ],
    }),
  );
  return td.taskDefinition!.taskDefinitionArn!;
}

/** Target states by target id:port, from boto3. */
const health = () =>
  boto3Json<Record<string, string>>(t.endpoint, `print(json.dumps({f"{d['Target']['Id']}:{d['Target']['Port']}": d["TargetHealth"]["State"] for d in elbv2.describe_target_health(TargetGroupArn="${tg}")["TargetHealthDescriptions"]}))`);

/** The service's tasks not yet STOPPED (DescribeTasks). */
async function liveTasks(): Promise<Task[]> {
  const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: "web" }))).taskArns ?? [];
  if (arns.length === 0) return [];
  return ((await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? []).filter((x) => x.lastStatus !== "STOPPED");
}

async function describeTask(arn: string): Promise<Task> {
  return (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
}

/** A container's host name: the first 12 hex digits of its Docker id. */
const hostnameOf = (task: Task) => task.containers![0].runtimeId!.slice(0, 12);

/** Waits until the service runs `n` tasks, all RUNNING and healthy in the group, and is steady. */
async function steady(n: number, what: string): Promise<Task[]> {
  return eventually(what, async () => {
    const s = (await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["web"] }))).services![0];
    const tasks = await liveTasks();
    const h = Object.values(await health());
    const done = s.deployments!.length === 1 && s.deployments![0].rolloutState === "COMPLETED" && s.runningCount === n;
    return done && tasks.length === n && tasks.every((x) => x.lastStatus === "RUNNING") && h.length === n && h.every((x) => x === "healthy") ? tasks : undefined;
  }, 90_000, 500);
}

/** The body of one GET through the listener. */
async function body(path: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${path}`);
  return (await res.text()).trim();
}

/** One answer of the load balancer's HAProxy runtime API. */
function runtime(cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(join(lbDir, "drain-lb", "admin.sock"));
    let out = "";
    sock.on("connect", () => sock.end(`${cmd}\n`));
    sock.on("data", (d) => (out += d.toString()));
    sock.on("error", reject);
    sock.on("close", () => resolve(out));
  });
}

/** The servers HAProxy holds in drain (admin state bit 0x08) as `address:port`. */
async function drained(): Promise<string[]> {
  const state = await runtime("show servers state");
  return state.split("\n").filter((l) => /^\d+ tg_/.test(l)).map((l) => l.split(" ")).filter((f) => (Number(f[6]) & 8) !== 0).map((f) => `${f[4]}:${f[18]}`);
}

/** How many of the group's servers HAProxy holds UP with a passed last check (`* ` marks one running), not draining. */
async function serving(): Promise<number> {
  const csv = (await runtime("show stat")).split("\n");
  const cols = csv.find((l) => l.startsWith("# "))!.slice(2).split(",");
  const at = (name: string) => cols.indexOf(name);
  return csv.map((l) => l.split(",")).filter((f) => f[at("pxname")] === "tg_drain-tg" && f[at("svname")] !== "BACKEND" && f[at("status")] === "UP" && f[at("check_status")].replace(/^\* /, "") === "L7OK").length;
}

/** The servers of the group's backend as `address:port`, sorted. */
async function servers(): Promise<string[]> {
  const state = await runtime("show servers state");
  return state.split("\n").filter((l) => /^\d+ tg_/.test(l)).map((l) => l.split(" ")).map((f) => `${f[4]}:${f[18]}`).sort();
}

beforeAll(async () => {
  lbDir = await mkdtemp(join(tmpdir(), "berth-drain-lb-"));
  host = await startSingleHost(cluster, { BERTH_RECONCILE_INTERVAL_MS: "300", BERTH_LB_BIND_ADDRESS: "127.0.0.1", BERTH_LB_SYNC_INTERVAL_MS: "200", BERTH_LB_DIR: lbDir });
  t = host.t;
  family = `drain-web-${process.pid}`;
  [port] = await freePorts(1);
  ({ tg } = await boto3Json<{ tg: string }>(
    t.endpoint,
    `
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
lb = elbv2.create_load_balancer(Name="drain-lb")["LoadBalancers"][0]
tg = elbv2.create_target_group(Name="drain-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance", HealthCheckPath="/health",
    HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2, UnhealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
elbv2.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "${delaySeconds}"}])
elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=${port}, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
print(json.dumps({"tg": tg}))
`,
  ));
  await t.ecs.send(
    new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: await registerDefinition("1"), desiredCount: 2, loadBalancers: [{ targetGroupArn: tg, containerName: "web", containerPort: 80 }] }),
  );
}, 90_000);

afterAll(async () => {
  await host?.stop();
  await rm(lbDir, { recursive: true, force: true });
});

describe("connection draining and health gating on HAProxy", () => {
  it("drains a stopped task: DEACTIVATING for the delay, in-flight requests finish, no new request reaches it", async () => {
    const [victim] = await steady(2, "two healthy tasks");
    const victimHost = hostnameOf(victim);
    // Four slow requests in flight, in turn over both tasks: two are the victim's.
    const slow = Promise.all([1, 2, 3, 4].map(() => body("/cgi-bin/slow").then((b) => ({ ok: true, b }), (e: Error) => ({ ok: false, b: e.message }))));
    await new Promise((r) => setTimeout(r, 300));
    const stopAt = Date.now();
    await t.ecs.send(new StopTaskCommand({ cluster, task: victim.taskArn, reason: "drain test" }));
    const held = await describeTask(victim.taskArn!);
    expect({ last: held.lastStatus, desired: held.desiredStatus }).toEqual({ last: "DEACTIVATING", desired: "STOPPED" });
    // Its target is deregistered at once (ELB: draining), and HAProxy drains its server on its next pass.
    const victimPort = `:${held.containers![0].networkBindings![0].hostPort}`;
    await eventually("HAProxy draining the victim's server", async () => ((await drained()).some((s) => s.endsWith(victimPort)) ? true : undefined), 5000, 50);
    const drainedAfterMs = Date.now() - stopAt;
    const victimTarget = `${held.containerInstanceArn!.split("/").pop()}${victimPort}`;
    expect((await health())[victimTarget]).toBe("draining");
    // Its containers run on meanwhile: the agent has not been told.
    const midway = await describeTask(victim.taskArn!);
    expect({ last: midway.lastStatus, container: midway.containers![0].lastStatus }).toEqual({ last: "DEACTIVATING", container: "RUNNING" });
    // While it drains: short requests at 20/s, none answered by the victim.
    const during = await generateLoad({ url: `http://127.0.0.1:${port}/`, count: 30, ratePerSecond: 20 });
    expect(during.failures).toEqual([]);
    expect([...during.bodies.keys()]).not.toContain(victimHost);
    const answers = await slow;
    expect(answers.map((a) => a.ok)).toEqual([true, true, true, true]);
    expect(answers.filter((a) => a.b === victimHost)).toHaveLength(2);
    const stopped = await eventually("the victim STOPPED", async () => {
      const x = await describeTask(victim.taskArn!);
      return x.lastStatus === "STOPPED" ? x : undefined;
    }, 30_000, 200);
    // The agent was told only after the delay: its containers ran that long after the stop.
    const ranMs = stopped.executionStoppedAt!.getTime() - stopAt;
    process.stdout.write(`drain: stop asked; server drained in HAProxy (seen) ${drainedAfterMs} ms later, containers stopped ${ranMs} ms later (delay ${delaySeconds} s); ${during.ok} requests while draining, none to it; ${answers.length} in-flight slow requests answered\n`);
    expect(ranMs).toBeGreaterThanOrEqual(delaySeconds * 1000 - 500);
    expect(stopped.stoppedReason).toBe("drain test");
  }, 120_000);

  it("rolls out a 4-task service under 50 requests/s without losing a request", async () => {
    // A shorter delay keeps the rollout well inside the load's 40 s; the drain is the same.
    await boto3Json(t.endpoint, `elbv2.modify_target_group_attributes(TargetGroupArn="${tg}", Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "3"}])\nprint("{}")`);
    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "web", desiredCount: 4 }));
    const before = await steady(4, "four healthy tasks");
    const url = `http://127.0.0.1:${port}/`;
    // The load runs until a second after the rollout is done (2,000 requests, 40 s, at most).
    let endLoad!: () => void;
    const loadEnd = new Promise<void>((r) => (endLoad = r));
    const load = generateLoad({ url, count: 2000, ratePerSecond: 50, until: loadEnd });
    const loadStarted = Date.now();
    // minimumHealthyPercent 100: HAProxy never has fewer than 4 servers passing checks, because a
    // new task counts only once its target is healthy, and an old one drains only then.
    let fewest = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        fewest = Math.min(fewest, await serving().catch(() => fewest));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "web", taskDefinition: await registerDefinition("2") }));
    const after = await steady(4, "the new deployment steady");
    const rolledMs = Date.now() - loadStarted;
    setTimeout(endLoad, 1000);
    const result = await load;
    sampling = false;
    await sampler;
    process.stdout.write(`rolling deployment under load: ${result.sent} requests sent, ${result.ok} answered, ${result.failed} failed; rollout done ${rolledMs} ms into the ${Math.round(result.elapsedMs)} ms of load; never fewer than ${fewest} servers passing checks\n`);
    expect(fewest).toBeGreaterThanOrEqual(4);
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(result.sent);
    expect(result.sent).toBeGreaterThanOrEqual(Math.floor((rolledMs / 1000) * 50 * 0.9));
    // The whole rollout happened under the load, and the old tasks all went.
    expect(rolledMs).toBeLessThan(result.elapsedMs);
    const oldIds = new Set(before.map((x) => x.taskArn));
    expect(after.filter((x) => oldIds.has(x.taskArn))).toEqual([]);
    // Every old and new task answered some of them.
    const hosts = new Set([...before, ...after].map(hostnameOf));
    expect([...result.bodies.keys()].filter((b) => hosts.has(b)).length).toBe(8);
  }, 180_000);

  it("restores a killed HAProxy with the service's targets", async () => {
    const before = await servers();
    expect(before).toHaveLength(4);
    const pid = Number((await readFile(join(lbDir, "drain-lb", "haproxy.pid"), "utf8")).trim());
    process.kill(pid, "SIGKILL");
    await eventually("a new HAProxy", async () => {
      const now = Number((await readFile(join(lbDir, "drain-lb", "haproxy.pid"), "utf8").catch(() => "0")).trim());
      return now !== pid && now > 0 ? now : undefined;
    }, 15_000);
    const after = await eventually("the same servers", async () => {
      const s = await servers().catch(() => []);
      return s.length === before.length ? s : undefined;
    }, 15_000);
    expect(after).toEqual(before);
    await steady(4, "healthy again");
    const load = await generateLoad({ url: `http://127.0.0.1:${port}/`, count: 100, ratePerSecond: 50 });
    expect(load.failures).toEqual([]);
    expect(load.bodies.size).toBe(4);
  }, 90_000);

  it("stops and replaces a task whose target fails its health checks, in ECS's words", async () => {
    const tasks = await steady(4, "four healthy tasks");
    const sick = tasks[0];
    const sickId = sick.taskArn!.split("/").pop()!;
    const hostPort = sick.containers![0].networkBindings![0].hostPort!;
    // The check path goes away: HAProxy's checks get 404, twice in a row marks the target unhealthy.
    await run("docker", ["exec", sick.containers![0].runtimeId!, "rm", "/www/health"]);
    const stopped = await eventually("the sick task stopped", async () => {
      const x = await describeTask(sick.taskArn!);
      return x.desiredStatus === "STOPPED" ? x : undefined;
    }, 60_000, 500);
    expect(stopped.stoppedReason).toBe(`Task failed ELB health checks in (target-group ${tg})`);
    expect(stopped.stopCode).toBe("ServiceSchedulerInitiated");
    const s = (await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["web"] }))).services![0];
    const messages = s.events!.map((e) => e.message);
    expect(messages).toContain(`(service web) (task ${sickId}) (port ${hostPort}) is unhealthy in (target-group ${tg}) due to (reason Health checks failed with these codes: [404]).`);
    const replaced = await steady(4, "a replacement healthy");
    expect(replaced.map((x) => x.taskArn)).not.toContain(sick.taskArn);
  }, 120_000);
});

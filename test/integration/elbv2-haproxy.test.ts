// Load balancing on a real HAProxy driven by the ELBv2 API: a control plane and etcd, backends that
// are busybox httpd processes on loopback ports, requests through the listener with curl's peer
// (node's fetch), the API through the AWS CLI v2 (/usr/bin/aws) and boto3. Health checks run every
// 5 s (ELBv2's minimum), so each health verdict takes one or two intervals.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { keys } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestControlPlane, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";
import { freePorts } from "../support/ports.js";

const run = promisify(execFile);
const aws = "/usr/bin/aws";
const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };

let t: TestControlPlane;
let lbDir: string;
let webRoot: string;
const backends = new Map<string, { port: number; proc: ChildProcess }>();
let listenerPort: number;
let ids: { lb: string; web: string; api: string; listener: string; rule: string };

async function elbv2(...args: string[]): Promise<any> {
  const { stdout } = await run(aws, ["elbv2", "--endpoint-url", t.endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

/** A busybox httpd on a free loopback port serving `name` at / and /api/, and 200 at /health. */
async function startBackend(name: string): Promise<void> {
  const dir = join(webRoot, name);
  await mkdir(join(dir, "api"), { recursive: true });
  await writeFile(join(dir, "index.html"), `${name}\n`);
  await writeFile(join(dir, "api", "index.html"), `${name} api\n`);
  await writeFile(join(dir, "health"), "ok\n");
  const [port] = backends.get(name) ? [backends.get(name)!.port] : await freePorts(1);
  const proc = spawn("busybox", ["httpd", "-f", "-p", `127.0.0.1:${port}`, "-h", dir], { stdio: "ignore" });
  backends.set(name, { port, proc });
  await eventually(`httpd ${name}`, async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined), 5000, 50);
}

/** The bodies of `n` requests to the listener at `path`. */
async function bodies(path: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await (await fetch(`http://127.0.0.1:${listenerPort}${path}`)).text()).trim());
  return out;
}

/** One answer of the HAProxy runtime API of the load balancer `web`. */
function runtime(cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(join(lbDir, "web", "admin.sock"));
    let out = "";
    sock.on("connect", () => sock.end(`${cmd}\n`));
    sock.on("data", (d) => (out += d.toString()));
    sock.on("error", reject);
    sock.on("close", () => resolve(out));
  });
}

/** Target health by target port, from the CLI. */
async function health(tgArn: string): Promise<Record<number, { State: string; Reason?: string }>> {
  const res = await elbv2("describe-target-health", "--target-group-arn", tgArn);
  return Object.fromEntries(res.TargetHealthDescriptions.map((d: any) => [d.Target.Port, d.TargetHealth]));
}

/** Every ELBv2 key with its mod revision: a refused call leaves them all as they were. */
async function elbv2State(): Promise<string[]> {
  const listing = await t.cp.ctx.store.kv.list<unknown>(keys.elbv2());
  return listing.items.filter((i) => !i.key.startsWith(keys.targetHealths())).map((i) => `${i.key}@${i.modRevision}`);
}

beforeAll(async () => {
  if (!existsSync(aws)) throw new Error("Debian's awscli is required (/usr/bin/aws)");
  if (!existsSync("/usr/sbin/haproxy")) throw new Error("Debian's haproxy is required (/usr/sbin/haproxy)");
  lbDir = await mkdtemp(join(tmpdir(), "berth-lb-it-"));
  webRoot = await mkdtemp(join(tmpdir(), "berth-web-"));
  t = await startTestControlPlane({ BERTH_LB_DIR: lbDir, BERTH_LB_BIND_ADDRESS: "127.0.0.1", BERTH_LB_SYNC_INTERVAL_MS: "200" });
  for (const name of ["web-1", "web-2", "api-1", "api-2"]) await startBackend(name);
  [listenerPort] = await freePorts(1);
}, 60_000);

afterAll(async () => {
  await t?.stop();
  for (const b of backends.values()) b.proc.kill();
  await rm(lbDir, { recursive: true, force: true });
  await rm(webRoot, { recursive: true, force: true });
});

describe("ELBv2 on HAProxy", () => {
  it("routes /api/* to one target group and the rest to another, each group's targets in turn", async () => {
    const port = (n: string) => backends.get(n)!.port;
    ids = await boto3Json(
      t.endpoint,
      `
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
lb = elbv2.create_load_balancer(Name="web")["LoadBalancers"][0]
def group(name):
    return elbv2.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip",
        HealthCheckPath="/health", HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2,
        HealthyThresholdCount=2, UnhealthyThresholdCount=2, Matcher={"HttpCode": "200"})["TargetGroups"][0]["TargetGroupArn"]
web = group("web-tg")
api = group("api-tg")
elbv2.register_targets(TargetGroupArn=web, Targets=[{"Id": "127.0.0.1", "Port": ${port("web-1")}, "AvailabilityZone": "all"}, {"Id": "127.0.0.1", "Port": ${port("web-2")}, "AvailabilityZone": "all"}])
elbv2.register_targets(TargetGroupArn=api, Targets=[{"Id": "127.0.0.1", "Port": ${port("api-1")}, "AvailabilityZone": "all"}, {"Id": "127.0.0.1", "Port": ${port("api-2")}, "AvailabilityZone": "all"}])
listener = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=${listenerPort},
    DefaultActions=[{"Type": "forward", "TargetGroupArn": web}])["Listeners"][0]["ListenerArn"]
rule = elbv2.create_rule(ListenerArn=listener, Priority=10, Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
    Actions=[{"Type": "forward", "TargetGroupArn": api}])["Rules"][0]["RuleArn"]
print(json.dumps({"lb": lb["LoadBalancerArn"], "dns": lb["DNSName"], "web": web, "api": api, "listener": listener, "rule": rule}))
`,
    );
    expect((ids as unknown as { dns: string }).dns).toBe("127.0.0.1");
    // The data plane follows etcd within a pass or two: wait until the rule is in force.
    const api = await eventually("the rule routing /api/*", async () => {
      const got = await bodies("/api/", 4).catch(() => undefined);
      return got && new Set(got).size === 2 && got.every((b) => b.startsWith("api-")) ? got : undefined;
    }, 15_000);
    expect(new Set(api)).toEqual(new Set(["api-1 api", "api-2 api"]));
    expect(new Set(await bodies("/", 4))).toEqual(new Set(["web-1", "web-2"]));
    // DescribeTargetHealth through the CLI: both healthy once HAProxy's first checks passed.
    await eventually("web targets healthy", async () => {
      const h = await health(ids.web);
      return Object.values(h).every((x) => x.State === "healthy") ? h : undefined;
    }, 15_000);
    const rules = await elbv2("describe-rules", "--listener-arn", ids.listener);
    expect(rules.Rules.map((r: any) => [r.Priority, r.IsDefault])).toEqual([["10", false], ["default", true]]);
  }, 60_000);

  // The next two touch different targets (web-2 and api-2, then api-1) and wait on HAProxy's
  // check intervals and the deregistration delay: side by side.
  it.concurrent("reports a target whose health check fails as unhealthy and stops sending it requests", async () => {
    backends.get("web-2")!.proc.kill();
    await unlink(join(webRoot, "api-2", "health"));
    const webPort = backends.get("web-2")!.port;
    const apiPort = backends.get("api-2")!.port;
    const down = await eventually("web-2 unhealthy", async () => {
      const h = await health(ids.web);
      return h[webPort]?.State === "unhealthy" ? h[webPort] : undefined;
    }, 20_000, 500);
    expect(down.Reason).toBe("Target.FailedHealthChecks");
    const mismatch = await eventually("api-2 unhealthy", async () => {
      const h = await health(ids.api);
      return h[apiPort]?.State === "unhealthy" ? h[apiPort] : undefined;
    }, 20_000, 500);
    expect(mismatch.Reason).toBe("Target.ResponseCodeMismatch");
    expect(new Set(await bodies("/", 4))).toEqual(new Set(["web-1"]));
    // Back up: the checks see it again and it takes requests.
    await startBackend("web-2");
    await writeFile(join(webRoot, "api-2", "health"), "ok\n");
    await eventually("web-2 healthy again", async () => ((await health(ids.web))[webPort]?.State === "healthy" ? true : undefined), 20_000, 500);
  }, 60_000);

  it.concurrent("drains a deregistered target for the deregistration delay, then removes its server", async () => {
    const apiPort = backends.get("api-1")!.port;
    await elbv2("modify-target-group-attributes", "--target-group-arn", ids.api, "--attributes", "Key=deregistration_delay.timeout_seconds,Value=5");
    await elbv2("deregister-targets", "--target-group-arn", ids.api, "--targets", `Id=127.0.0.1,Port=${apiPort}`);
    const draining = (await health(ids.api))[apiPort];
    expect(draining).toEqual(expect.objectContaining({ State: "draining", Reason: "Target.DeregistrationInProgress" }));
    await eventually("the server draining in HAProxy", async () => ((await runtime("show servers state tg_api-tg")).match(new RegExp(`t_127_0_0_1_${apiPort} \\S+ \\d+ 8 `)) ? true : undefined), 5000);
    await eventually("the server deleted", async () => (!(await runtime("show servers state tg_api-tg")).includes(`t_127_0_0_1_${apiPort}`) ? true : undefined), 15_000);
    expect((await health(ids.api))[apiPort]).toBeUndefined();
  }, 30_000);

  it("restores a killed HAProxy with the same targets, from etcd", async () => {
    const before = (await runtime("show servers state")).split("\n").filter((l) => /^\d+ tg_/.test(l)).map((l) => l.split(" ").slice(1, 5).join(" ")).sort();
    // web-1 and web-2 in the web group, api-2 left in the api group.
    expect(before).toHaveLength(3);
    const pid = Number((await readFile(join(lbDir, "web", "haproxy.pid"), "utf8")).trim());
    process.kill(pid, "SIGKILL");
    await eventually("a new HAProxy", async () => {
      const now = Number((await readFile(join(lbDir, "web", "haproxy.pid"), "utf8").catch(() => "0")).trim());
      return now !== pid && now > 0 ? now : undefined;
    }, 10_000);
    const after = await eventually("the same servers", async () => {
      const s = (await runtime("show servers state").catch(() => "")).split("\n").filter((l) => /^\d+ tg_/.test(l)).map((l) => l.split(" ").slice(1, 5).join(" ")).sort();
      return s.length === before.length ? s : undefined;
    }, 10_000);
    expect(after.map((s) => s.split(" ").filter((_, i) => i !== 1).join(" "))).toEqual(before.map((s) => s.split(" ").filter((_, i) => i !== 1).join(" ")));
    expect(new Set(await eventually("traffic again", async () => bodies("/api/", 2).catch(() => undefined), 10_000))).toEqual(new Set(["api-2 api"]));
  }, 30_000);

  it("refuses bad calls in ELBv2's error shape and writes nothing", async () => {
    const before = await elbv2State();
    const refused = async (...args: string[]) => {
      const err = await elbv2(...args).then(() => undefined, (e: { stderr: string }) => e.stderr);
      expect(err, `aws elbv2 ${args.join(" ")} should fail`).toBeDefined();
      return /An error occurred \(([^)]+)\)/.exec(err!)?.[1];
    };
    // Side by side: each is refused alone, whatever the others do (they write nothing).
    const codes = await Promise.all([
      refused("create-rule", "--listener-arn", ids.listener, "--priority", "10", "--conditions", "Field=path-pattern,Values=/x", "--actions", `Type=forward,TargetGroupArn=${ids.web}`),
      refused("delete-target-group", "--target-group-arn", ids.api),
      refused("create-listener", "--load-balancer-arn", ids.lb, "--protocol", "HTTP", "--port", String(listenerPort), "--default-actions", `Type=forward,TargetGroupArn=${ids.web}`),
      refused("modify-target-group", "--target-group-arn", ids.web, "--matcher", "HttpCode=600"),
      refused("create-target-group", "--name", "web-tg", "--protocol", "HTTP", "--port", "80", "--vpc-id", "vpc-00000000", "--target-type", "ip"),
    ]);
    expect(codes).toEqual(["PriorityInUse", "ResourceInUse", "DuplicateListener", "ValidationError", "ValidationError"]);
    expect(await elbv2State()).toEqual(before);
    // The raw answer: AWS's Query error envelope in ELBv2's namespace, a 400.
    const res = await fetch(t.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `Action=DescribeTargetGroups&Version=2015-12-01&Names.member.1=nope`,
    });
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<ErrorResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/"><Error><Type>Sender<\/Type><Code>TargetGroupNotFound<\/Code><Message>[^<]+<\/Message><\/Error><RequestId>[^<]+<\/RequestId><\/ErrorResponse>/);
  }, 60_000);
});

// ECS's BLUE_GREEN, CANARY and LINEAR deployment strategies and lifecycle hooks on real HAProxy
// and real containers: one service behind a load balancer whose production listener forwards to
// two target groups by weight. Each deployment's tasks register in the group the previous one
// did not use; production moves at once (blue/green), 10 % first (canary) or in steps (linear);
// a hook answering FAILED rolls the deployment back. A bake minute is 1 s here (BERTH_BAKE_MINUTE_MS).
import { createServer, type Server } from "node:http";
import {
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type DeploymentConfiguration,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";
import { burst, startLoad } from "../support/http-load.js";
import { webContainer } from "../support/web-container.js";
import { freePorts } from "../support/ports.js";

const cluster = `strat-${process.pid}`;
let host: SingleHost;
let t: TestControlPlane;
let prodPort: number;
let testPort: number;
let hookPort: number;
let hookServer: Server;
const hookCalls: { body: Record<string, unknown>; answer: string }[] = [];
/** What the hook answers next, per lifecycle stage (SUCCEEDED when unnamed). */
const hookScript: Record<string, string[]> = {};
let arns: { tgA: string; tgB: string; prodRule: string; testRule: string };

beforeAll(async () => {
  host = await startSingleHost(cluster, { BERTH_RECONCILE_INTERVAL_MS: "250", BERTH_LB_BIND_ADDRESS: "127.0.0.1", BERTH_LB_SYNC_INTERVAL_MS: "200", BERTH_BAKE_MINUTE_MS: "1000", BERTH_HOOK_RETRY_MS: "300" });
  t = host.t;
  [prodPort, testPort, hookPort] = await freePorts(3);
  // berth's hook target: an HTTP endpoint answering ECS's Lambda answer shape.
  hookServer = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      const status = hookScript[String(body.lifecycleStage)]?.shift() ?? "SUCCEEDED";
      hookCalls.push({ body, answer: status });
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ hookStatus: status }));
    });
  });
  await new Promise<void>((r) => hookServer.listen(hookPort, "127.0.0.1", r));
  arns = await boto3Json<typeof arns>(
    t.endpoint,
    `
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
lb = elbv2.create_load_balancer(Name="strat-lb")["LoadBalancers"][0]["LoadBalancerArn"]
def tg(name):
    arn = elbv2.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance",
        HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=4, HealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
    elbv2.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "1"}])
    return arn
a, b = tg("strat-a"), tg("strat-b")
fwd = lambda wa, wb: [{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": a, "Weight": wa}, {"TargetGroupArn": b, "Weight": wb}]}}]
prod = elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=${prodPort}, DefaultActions=fwd(1, 0))["Listeners"][0]["ListenerArn"]
test = elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=${testPort}, DefaultActions=fwd(1, 0))["Listeners"][0]["ListenerArn"]
default_rule = lambda l: [r["RuleArn"] for r in elbv2.describe_rules(ListenerArn=l)["Rules"] if r["IsDefault"]][0]
print(json.dumps({"tgA": a, "tgB": b, "prodRule": default_rule(prod), "testRule": default_rule(test)}))
`,
  );
}, 90_000);

afterAll(async () => {
  hookServer?.close();
  await host?.stop();
});

/** A task definition whose tasks answer `version` on port 80. */
async function definition(version: string): Promise<string> {
  const td = await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "strat-web",
      networkMode: "bridge",
      containerDefinitions: [
        webContainer(`echo ${version}`),
      ],
    }),
  );
  return td.taskDefinition!.taskDefinitionArn!;
}

const describe1 = async () => (await t.ecs.send(new DescribeServicesCommand({ cluster, services: ["web"] }))).services![0];
const latestDeployment = async () => {
  const list = (await t.ecs.send(new ListServiceDeploymentsCommand({ cluster, service: "web" }))).serviceDeployments ?? [];
  const arn = list.sort((x, y) => (y.createdAt?.getTime() ?? 0) - (x.createdAt?.getTime() ?? 0))[0].serviceDeploymentArn!;
  return (await t.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0];
};
/** The production rule's weights by target group. */
const prodWeights = () =>
  boto3Json<Record<string, number>>(
    t.endpoint,
    `r = elbv2.describe_rules(RuleArns=["${arns.prodRule}"])["Rules"][0]
print(json.dumps({g["TargetGroupArn"]: g["Weight"] for g in r["Actions"][0]["ForwardConfig"]["TargetGroups"]}))`,
  );
const answersOnly = async (port: number, version: string) => {
  const r = await burst(`http://127.0.0.1:${port}/`, 10, 2);
  return r.failures.size === 0 && [...r.answers.keys()].every((k) => k === version) ? true : undefined;
};
/** Deploys `config` with a new definition answering `version`, watching the lifecycle stages go by. */
async function deploy(version: string, config: DeploymentConfiguration) {
  await t.ecs.send(new UpdateServiceCommand({ cluster, service: "web", taskDefinition: await definition(version), deploymentConfiguration: config }));
}
const stagesUntil = async (done: (sd: Awaited<ReturnType<typeof latestDeployment>>) => boolean, timeoutMs: number) => {
  const stages: string[] = [];
  const sd = await eventually("the service deployment to finish", async () => {
    const sd = await latestDeployment();
    if (sd.lifecycleStage && stages[stages.length - 1] !== sd.lifecycleStage) stages.push(sd.lifecycleStage);
    return done(sd) ? sd : undefined;
  }, timeoutMs, 200);
  return { sd, stages };
};

describe("traffic-shifting deployments", () => {
  it("refuses a BLUE_GREEN service without an advancedConfiguration, then creates one with it", async () => {
    const td = await definition("v1");
    await expect(
      t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "bad", taskDefinition: td, desiredCount: 1, deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 }, loadBalancers: [{ targetGroupArn: arns.tgA, containerName: "web", containerPort: 80 }] })),
    ).rejects.toThrow(/loadBalancers\[0\]\.advancedConfiguration: required for a BLUE_GREEN deployment/);
    await expect(
      t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "bad", taskDefinition: td, desiredCount: 1, deploymentConfiguration: { strategy: "BLUE_GREEN" }, loadBalancers: [{ targetGroupArn: arns.tgA, containerName: "web", containerPort: 80 }] })),
    ).rejects.toThrow(/bakeTimeInMinutes: required when the deployment strategy is BLUE_GREEN/);
    const created = await t.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: "web",
        taskDefinition: td,
        desiredCount: 2,
        deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 2 },
        loadBalancers: [{ targetGroupArn: arns.tgA, containerName: "web", containerPort: 80, advancedConfiguration: { alternateTargetGroupArn: arns.tgB, productionListenerRule: arns.prodRule, testListenerRule: arns.testRule, roleArn: "arn:aws:iam::123456789012:role/ecs-lb" } }],
      }),
    );
    expect(created.service!.deploymentConfiguration!.strategy).toBe("BLUE_GREEN");
    expect(created.service!.loadBalancers![0].advancedConfiguration!.alternateTargetGroupArn).toBe(arns.tgB);
    await eventually("v1 answering", () => answersOnly(prodPort, "v1"), 60_000, 500);
  }, 120_000);

  it("blue/green: test traffic first, production at once with 0 failed requests, old tasks kept through the bake", async () => {
    const load = startLoad(`http://127.0.0.1:${prodPort}/`, 50);
    // A hook holds the deployment after the test traffic shift (IN_PROGRESS, asked again every 300 ms).
    hookScript.POST_TEST_TRAFFIC_SHIFT = Array.from({ length: 40 }, () => "IN_PROGRESS");
    await deploy("v2", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 2, lifecycleHooks: [{ hookTargetArn: `http://127.0.0.1:${hookPort}/hook`, lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"] }] });
    // The test listener reaches the new revision while production still answers v1.
    await eventually("test traffic on v2", () => answersOnly(testPort, "v2"), 60_000, 300);
    expect((await latestDeployment()).lifecycleStage).toBe("POST_TEST_TRAFFIC_SHIFT");
    expect(await answersOnly(prodPort, "v1")).toBe(true);
    hookScript.POST_TEST_TRAFFIC_SHIFT = [];
    const { sd, stages } = await stagesUntil((x) => x.status === "SUCCESSFUL", 60_000);
    const report = await load.stop();
    console.log(`blue/green under load: ${report.sent} requests, ${[...report.failures.values()].reduce((a, b) => a + b, 0)} failed, answers ${JSON.stringify(Object.fromEntries(report.answers))}${report.failedAt.length ? `, failed from ${report.failedAt[0]} to ${report.failedAt[report.failedAt.length - 1]}` : ""}`);
    expect(report.failures).toEqual(new Map());
    expect(report.answers.get("v1")).toBeGreaterThan(0);
    expect(report.answers.get("v2")).toBeGreaterThan(0);
    expect(sd.deploymentConfiguration!.strategy).toBe("BLUE_GREEN");
    // Stages last a round or more (polled here every 200 ms, so a short one may pass unseen), in order.
    expect(stages).toEqual(expect.arrayContaining(["BAKE_TIME", "CLEAN_UP"]));
    expect(stages.indexOf("BAKE_TIME")).toBeLessThan(stages.indexOf("CLEAN_UP"));
    expect(await answersOnly(prodPort, "v2")).toBe(true);
    // The roles swapped: production now forwards to the alternate group alone.
    expect(await prodWeights()).toEqual({ [arns.tgB]: 1, [arns.tgA]: 0 });
    await eventually("the old tasks gone", async () => ((await describe1()).deployments!.length === 1 ? true : undefined), 30_000, 300);
  }, 150_000);

  it("canary: 10 % of 2,000 requests reach the new revision during the canary bake", async () => {
    // The canary bake (14 s here) covers seeing the weights, v3's first answer and the 2,000 requests.
    await deploy("v3", { strategy: "CANARY", bakeTimeInMinutes: 0, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 14 }, lifecycleHooks: [] });
    await eventually("the canary weights", async () => {
      const w = await prodWeights();
      return w[arns.tgA] === 100 && w[arns.tgB] === 900 ? true : undefined;
    }, 60_000, 300);
    const canarySeen = Date.now();
    // HAProxy takes the new weights over from its previous process; wait until v3 is seen.
    await eventually("v3 answering", async () => ((await burst(`http://127.0.0.1:${prodPort}/`, 40, 4)).answers.has("v3") ? true : undefined), 15_000, 200);
    const report = await burst(`http://127.0.0.1:${prodPort}/`, 2000, 8);
    const v3 = report.answers.get("v3") ?? 0;
    console.log(`canary 10 %: ${v3} of ${report.sent} requests on v3 (${((v3 / report.sent) * 100).toFixed(1)} %), ${report.answers.get("v2") ?? 0} on v2, ${report.failures.size} failure kinds; ${Date.now() - canarySeen} ms from the weights seen to the last answer`);
    expect(report.failures).toEqual(new Map());
    expect(v3 / 2000).toBeGreaterThanOrEqual(0.07);
    expect(v3 / 2000).toBeLessThanOrEqual(0.13);
    expect((await latestDeployment()).lifecycleStage).toBe("PRODUCTION_TRAFFIC_SHIFT");
    await stagesUntil((x) => x.status === "SUCCESSFUL", 90_000);
    expect(await answersOnly(prodPort, "v3")).toBe(true);
  }, 180_000);

  it("linear: production moves in visible steps of stepPercent", async () => {
    await deploy("v4", { strategy: "LINEAR", bakeTimeInMinutes: 0, linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 3 }, lifecycleHooks: [] });
    const seen: string[] = [];
    await eventually("the linear steps", async () => {
      const w = await prodWeights();
      const step = `${w[arns.tgB] ?? 0}:${w[arns.tgA] ?? 0}`;
      if (seen[seen.length - 1] !== step) seen.push(step);
      return (await latestDeployment()).status === "SUCCESSFUL" ? true : undefined;
    }, 90_000, 250);
    // v3 served from group A (the alternate's turn came back to it); v4 moves onto B: 0 → 50 % → 100 %.
    expect(seen).toEqual(expect.arrayContaining(["0:1", "500:500", "1:0"]));
    expect(seen.indexOf("500:500")).toBeLessThan(seen.indexOf("1:0"));
    expect(await answersOnly(prodPort, "v4")).toBe(true);
  }, 150_000);

  it("a lifecycle hook answering FAILED rolls back: traffic returns to the original group, the new tasks stop", async () => {
    hookCalls.length = 0;
    // IN_PROGRESS first (asked again after BERTH_HOOK_RETRY_MS), then FAILED.
    hookScript.POST_PRODUCTION_TRAFFIC_SHIFT = ["IN_PROGRESS", "FAILED"];
    const hookTargetArn = `http://127.0.0.1:${hookPort}/hook`;
    const load = startLoad(`http://127.0.0.1:${prodPort}/`, 30);
    await deploy("v5", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5, lifecycleHooks: [{ hookTargetArn, lifecycleStages: ["POST_SCALE_UP", "POST_PRODUCTION_TRAFFIC_SHIFT"] }] });
    const { sd } = await stagesUntil((x) => x.status === "ROLLBACK_SUCCESSFUL", 90_000);
    expect(sd.rollback?.reason).toMatch(/lifecycle hook .* failed at POST_PRODUCTION_TRAFFIC_SHIFT/);
    expect(sd.lifecycleHookDetails?.map((h) => h.status)).toEqual(["SUCCEEDED", "FAILED"]);
    await eventually("v4 answering again", () => answersOnly(prodPort, "v4"), 30_000, 300);
    const report = await load.stop();
    console.log(`rollback under load: ${report.sent} requests, answers ${JSON.stringify(Object.fromEntries(report.answers))}, failures ${JSON.stringify(Object.fromEntries(report.failures))}`);
    expect(report.failures).toEqual(new Map());
    expect(await prodWeights()).toEqual({ [arns.tgA]: 0, [arns.tgB]: 1 });
    // The hook got ECS's Lambda payload.
    const calls = hookCalls.map((c) => [c.body.lifecycleStage, c.answer]);
    expect(calls).toEqual([["POST_SCALE_UP", "SUCCEEDED"], ["POST_PRODUCTION_TRAFFIC_SHIFT", "IN_PROGRESS"], ["POST_PRODUCTION_TRAFFIC_SHIFT", "FAILED"]]);
    const details = hookCalls[1].body.executionDetails as Record<string, unknown>;
    expect(details.serviceArn).toMatch(/:service\/strat-\d+\/web$/);
    expect(details.targetServiceRevisionArn).toMatch(/:service-revision\//);
    expect(Object.values(details.productionTrafficWeights as Record<string, number>).sort()).toEqual([0, 100]);
    expect(hookCalls[1].body.resourceArn).toBe(sd.serviceDeploymentArn);
    // The failed deployment's tasks are stopped; the v4 deployment is PRIMARY again.
    await eventually("only v4 tasks", async () => {
      const s = await describe1();
      return s.deployments!.length === 1 && s.runningCount === 2 ? s : undefined;
    }, 30_000, 300);
  }, 150_000);
});

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { DescribeServiceDeploymentsCommand, DescribeServicesCommand, DescribeTasksCommand, ListServiceDeploymentsCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { registerFamily, sleeper, type ServiceScope } from "../support/cluster-services.js";

// deploymentConfiguration.alarms with real tasks, driven through Debian's AWS CLI v2 (ECS and
// CloudWatch; its 2.9 model predates the service deployments API, read here with the JS SDK).
// The alarms watch a metric nothing reports, with TreatMissingData ignore, so only
// SetAlarmState moves them; 2 s datapoints make their windows (and so the bakes) seconds long.
const run = promisify(execFile);
const aws = "/usr/bin/aws";
const cluster = `dalarm-${process.pid}`;
const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
let host: SingleHost;
let t: TestControlPlane;
let rev1: string;
let rev2: string;
let burn: string;

async function cli(service: string, ...args: string[]): Promise<any> {
  const { stdout } = await run(aws, [service, "--endpoint-url", t.endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

const scope: ServiceScope = { ecs: () => t.ecs, cluster };
const service = async (name: string) => (await cli("ecs", "describe-services", "--cluster", cluster, "--services", name)).services[0];
const primary = (svc: any) => svc.deployments.find((d: any) => d.status === "PRIMARY");
// Waiting polls with the JS SDK, which costs no process per call; the CLI's 2.9 model has no
// currentServiceDeployment either (it drops members it does not know).
const polled = async (name: string) => (await t.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))).services![0] as any;
const currentArn = async (name: string) => (await polled(name)).currentServiceDeployment as string;
const serviceDeployment = async (arn: string) => (await t.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0];

/** The service's tasks that are not STOPPED, as [task definition, lastStatus]. */
async function liveTasks(name: string): Promise<[string, string][]> {
  const arns = (await t.ecs.send(new ListTasksCommand({ cluster, serviceName: name }))).taskArns ?? [];
  if (arns.length === 0) return [];
  const tasks = (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
  return tasks.filter((x) => x.lastStatus !== "STOPPED").map((x) => [x.taskDefinitionArn!, x.lastStatus!]);
}

/** An alarm on a metric no task reports, kept in whatever state SetAlarmState gives it; its window is 2 s × `periods`. */
async function quietAlarm(name: string, periods: number): Promise<void> {
  await cli("cloudwatch", "put-metric-alarm", "--alarm-name", name, "--namespace", "AWS/ECS", "--metric-name", "CPUUtilization",
    "--dimensions", `Name=ClusterName,Value=${cluster}`, `Name=ServiceName,Value=${name}-nothing`, "--statistic", "Average",
    "--period", "2", "--evaluation-periods", String(periods), "--threshold", "90", "--comparison-operator", "GreaterThanThreshold", "--treat-missing-data", "ignore");
}

/** The --deployment-configuration shorthand watching `alarms` (100/200, rollback). */
const watching = (alarms: string[], enable = true) => `maximumPercent=200,minimumHealthyPercent=100,alarms={alarmNames=[${alarms.join(",")}],enable=${enable},rollback=true}`;

/** Creates `name` (2 tasks of rev1) with `alarms` (enabled or not), and waits for its first deployment to complete. */
async function alarmedService(name: string, alarms: string[], enable = true): Promise<any> {
  await cli("ecs", "create-service", "--cluster", cluster, "--service-name", name, "--task-definition", rev1, "--desired-count", "2", "--deployment-configuration", watching(alarms, enable));
  await eventually(`${name}'s first deployment to complete`, async () => {
    const s = await polled(name);
    return primary(s)?.rolloutState === "COMPLETED" && s.runningCount === 2 ? s : undefined;
  }, 60_000, 300);
  return service(name);
}

beforeAll(async () => {
  if (!existsSync(aws)) throw new Error("Debian's awscli is required (/usr/bin/aws)");
  host = await startSingleHost(cluster, { BERTH_RECONCILE_INTERVAL_MS: "300", BERTH_METRIC_PERIOD_MS: "2000" }, undefined, { BERTH_STATS_REPORT_INTERVAL: "1s" });
  t = host.t;
  rev1 = await registerFamily(scope, "alarmed", sleeper());
  rev2 = await registerFamily(scope, "alarmed", sleeper({ environment: [{ name: "RELEASE", value: "2" }] }));
  // A release that burns a CPU: its CPUUtilization (of 128 units reserved) goes far past 50 %.
  burn = await registerFamily(scope, "alarmed", sleeper({ cpu: 128, command: ["sh", "-c", "trap 'exit 0' TERM; while :; do :; done"] }));
}, 120_000);

afterAll(async () => {
  await host?.stop();
});

describe("deployment alarms", () => {
  it("refuses alarms enabled without an alarm name, naming the field", async () => {
    const err = await cli("ecs", "create-service", "--cluster", cluster, "--service-name", "none", "--task-definition", "alarmed:1", "--desired-count", "1",
      "--deployment-configuration", JSON.stringify({ alarms: { alarmNames: [], enable: true, rollback: false } })).then(() => "", (e) => String(e.stderr));
    expect(err).toMatch(/InvalidParameterException.*deploymentConfiguration\.alarms\.alarmNames: at least one CloudWatch alarm name is required when enable is true/);
  });

  it("an alarm going into ALARM fails the deployment and rolls it back to the previous task definition", async () => {
    await quietAlarm("fail-alarm", 3);
    const created = await alarmedService("failing", ["fail-alarm"]);
    expect(created.deploymentConfiguration.alarms).toEqual({ alarmNames: ["fail-alarm"], enable: true, rollback: true });
    const first = primary(created);
    const firstArn = await currentArn("failing");

    const updated = (await cli("ecs", "update-service", "--cluster", cluster, "--service", "failing", "--task-definition", rev2)).service;
    const failing = primary(updated);
    const failingArn = await currentArn("failing");
    expect(failingArn).not.toBe(firstArn);
    // Once the new revision runs and its deployment is watched, the alarm fires.
    await eventually("a task of the new revision running, its deployment watched", async () => {
      const running = (await liveTasks("failing")).some(([td, st]) => td === rev2 && st === "RUNNING");
      return running && (await serviceDeployment(failingArn)).alarms?.status === "MONITORING" ? true : undefined;
    }, 60_000, 300);
    await cli("cloudwatch", "set-alarm-state", "--alarm-name", "fail-alarm", "--state-value", "ALARM", "--state-reason", "testing the deployment rollback");

    await eventually("the rollback to finish: 2 tasks of rev1 and nothing else", async () => {
      const s = await polled("failing");
      const live = await liveTasks("failing");
      const done = primary(s)?.rolloutState === "COMPLETED" && s.deployments.length === 1 && live.length === 2 && live.every(([td, st]) => td === rev1 && st === "RUNNING");
      return done ? true : undefined;
    }, 60_000, 300);
    const end = await service("failing");
    const rollback = primary(end);
    expect(rollback).toMatchObject({ taskDefinition: rev1, desiredCount: 2, runningCount: 2, rolloutStateReason: `ECS deployment ${rollback.id} completed.` });
    expect(rollback.id).not.toBe(first.id);
    expect(end.taskDefinition).toBe(rev1);
    const messages = (end.events as any[]).map((e) => e.message);
    const failedAt = messages.indexOf(`(service failing) (deployment ${failing.id}) deployment failed: alarm detected.`);
    const rollingAt = messages.indexOf(`(service failing) rolling back to deployment ${first.id}.`);
    expect(failedAt).toBeGreaterThan(0);
    // Newest first: the rollback's event comes after (above) the failure's.
    expect(rollingAt).toBeGreaterThanOrEqual(0);
    expect(rollingAt).toBeLessThan(failedAt);

    // The service deployment the alarm failed: rolled back, its alarms check TRIGGERED.
    const sd = await serviceDeployment(failingArn);
    expect(sd).toMatchObject({
      status: "ROLLBACK_SUCCESSFUL",
      statusReason: "ECS deployment alarms: alarm(s) in ALARM state: fail-alarm.",
      alarms: { status: "TRIGGERED", alarmNames: ["fail-alarm"], triggeredAlarmNames: ["fail-alarm"] },
      rollback: { reason: "ECS deployment alarms: alarm(s) in ALARM state: fail-alarm." },
      deploymentConfiguration: { alarms: { alarmNames: ["fail-alarm"], enable: true, rollback: true } },
    });
    expect(sd.rollback?.serviceRevisionArn).toBe((await serviceDeployment(firstArn)).targetServiceRevision?.arn);
    expect((await serviceDeployment(firstArn)).alarms).toEqual({ status: "MONITORING_COMPLETE", alarmNames: ["fail-alarm"], triggeredAlarmNames: [] });
    const listed = (await t.ecs.send(new ListServiceDeploymentsCommand({ cluster, service: "failing" }))).serviceDeployments!;
    expect(listed.map((d) => [d.serviceDeploymentArn, d.status])).toEqual([[failingArn, "ROLLBACK_SUCCESSFUL"], [firstArn, "SUCCESSFUL"]]);
  }, 180_000);

  it("an alarm that stays OK: the deployment bakes for the alarm's window after the old tasks are gone, then completes", async () => {
    await quietAlarm("ok-alarm", 3);
    await cli("cloudwatch", "set-alarm-state", "--alarm-name", "ok-alarm", "--state-value", "OK", "--state-reason", "all is well");
    // Created unwatched (no bake to wait for), then updated to rev2 with the alarms turned on; a
    // name with no alarm behind it is passed over, as ECS's DescribeAlarms poll does.
    const created = await alarmedService("steady", ["ok-alarm", "no-such-alarm"], false);
    expect(created.deploymentConfiguration.alarms).toEqual({ alarmNames: ["ok-alarm", "no-such-alarm"], enable: false, rollback: true });
    const updated = (await cli("ecs", "update-service", "--cluster", cluster, "--service", "steady", "--task-definition", rev2, "--deployment-configuration", watching(["ok-alarm", "no-such-alarm"]))).service;
    const arn = await currentArn("steady");
    expect(primary(updated).taskDefinition).toBe(rev2);

    // The old tasks are gone and two new ones run: steady, yet IN_PROGRESS, baking.
    const steadyAt = await eventually("only rev2 tasks running", async () => {
      const live = await liveTasks("steady");
      return live.length === 2 && live.every(([td, st]) => td === rev2 && st === "RUNNING") ? Date.now() : undefined;
    }, 60_000, 200);
    const baking = await polled("steady");
    expect(primary(baking)).toMatchObject({ taskDefinition: rev2, rolloutState: "IN_PROGRESS" });
    expect((await serviceDeployment(arn)).alarms).toEqual({ status: "MONITORING", alarmNames: ["ok-alarm", "no-such-alarm"], triggeredAlarmNames: [] });

    const done = await eventually("the deployment to complete after its bake", async () => {
      const s = await polled("steady");
      return primary(s)?.rolloutState === "COMPLETED" ? { s: await service("steady"), at: Date.now() } : undefined;
    }, 60_000, 200);
    // The bake is one window of ok-alarm (3 × 2 s), counted from the round that saw the service
    // steady, a moment after this test did.
    expect(done.at - steadyAt).toBeGreaterThanOrEqual(4500);
    expect(done.s.deployments.map((d: any) => [d.taskDefinition, d.rolloutState])).toEqual([[rev2, "COMPLETED"]]);
    expect(done.s.events[0].message).toBe("(service steady) has reached a steady state.");
    expect(done.s.events[1].message).toBe(`(service steady) (deployment ${primary(done.s).id}) deployment completed.`);
    expect(await serviceDeployment(arn)).toMatchObject({ status: "SUCCESSFUL", alarms: { status: "MONITORING_COMPLETE", alarmNames: ["ok-alarm", "no-such-alarm"], triggeredAlarmNames: [] } });
    expect((await liveTasks("steady")).map(([td]) => td)).toEqual([rev2, rev2]);
  }, 180_000);

  it("a real breach: a release burning CPU drives its CPUUtilization alarm into ALARM, and the deployment rolls back", async () => {
    // Watched from the update on (no bake for the first deployment); one breaching 2 s datapoint
    // of 15 fires it, and the 30 s window is the bake, so the breach lands well within it.
    await cli("cloudwatch", "put-metric-alarm", "--alarm-name", "burn-cpu", "--namespace", "AWS/ECS", "--metric-name", "CPUUtilization",
      "--dimensions", `Name=ClusterName,Value=${cluster}`, "Name=ServiceName,Value=burning", "--statistic", "Maximum", "--period", "2",
      "--evaluation-periods", "15", "--datapoints-to-alarm", "1", "--threshold", "50", "--comparison-operator", "GreaterThanThreshold", "--treat-missing-data", "notBreaching");
    await cli("ecs", "create-service", "--cluster", cluster, "--service-name", "burning", "--task-definition", rev1, "--desired-count", "2");
    await eventually("burning's first deployment to complete", async () => {
      const s = await polled("burning");
      return primary(s)?.rolloutState === "COMPLETED" && s.runningCount === 2 ? true : undefined;
    }, 60_000, 300);
    await cli("ecs", "update-service", "--cluster", cluster, "--service", "burning", "--task-definition", burn,
      "--deployment-configuration", "maximumPercent=200,minimumHealthyPercent=100,alarms={alarmNames=[burn-cpu],enable=true,rollback=true}");
    const arn = await currentArn("burning");

    await eventually("the rollback to finish: 2 tasks of rev1 and nothing else", async () => {
      const s = await polled("burning");
      const live = await liveTasks("burning");
      return primary(s)?.rolloutState === "COMPLETED" && s.deployments.length === 1 && live.length === 2 && live.every(([td, st]) => td === rev1 && st === "RUNNING") ? true : undefined;
    }, 90_000, 300);
    const sd = await serviceDeployment(arn);
    expect(sd).toMatchObject({ status: "ROLLBACK_SUCCESSFUL", alarms: { status: "TRIGGERED", alarmNames: ["burn-cpu"], triggeredAlarmNames: ["burn-cpu"] } });
    const history = (await cli("cloudwatch", "describe-alarm-history", "--alarm-name", "burn-cpu", "--history-item-type", "StateUpdate")).AlarmHistoryItems as any[];
    expect(history.map((h) => h.HistorySummary)).toContain("Alarm updated from OK to ALARM");
    const messages = ((await service("burning")).events as any[]).map((e) => e.message);
    expect(messages.some((m) => /^\(service burning\) \(deployment ecs-svc\/\d{19}\) deployment failed: alarm detected\.$/.test(m))).toBe(true);
  }, 180_000);
});

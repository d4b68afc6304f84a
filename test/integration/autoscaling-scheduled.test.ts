// Application Auto Scaling scheduled actions through Debian's AWS CLI v2 (the flow) and boto3
// (the refusals and paging, in one process): a one-time at() action a few seconds ahead, written
// in Tokyo wall-clock time with --timezone, raises a service's minimum from 1 to 3; the leader's
// schedule loop sets the target's capacities and the service's desired count, both recorded in
// describe-scaling-activities in AWS's words, and real tasks follow. Recurring rate() actions are
// driven through the leader's firing step with its clock a minute ahead (AWS's granularity is a
// minute), twice, as two leaders in a row would: the time fires once; and across a real leader
// change, no time fires twice and the new leader fires its own.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CreateServiceCommand, DescribeServicesCommand, ListTasksCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileControlPlaneConfig, core, startControlPlane, type ControlPlane } from "@berth/controlplane";
import { eventually, startSingleHost, testCaKeyFile, testLogger, type SingleHost } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";
import { TEST_IMAGE } from "../support/image.js";

const run = promisify(execFile);
const cluster = `sa-${process.pid}`;
// A short leader lease, so the handover test's second replica takes over in seconds.
const cpEnv = { BERTH_LEADER_TTL: "2" };
const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
const dim = ["--service-namespace", "ecs", "--scalable-dimension", "ecs:service:DesiredCount"];
const target = (service: string) => [...dim, "--resource-id", `service/${cluster}/${service}`];
let host: SingleHost;

async function scaling(...args: string[]): Promise<any> {
  const { stdout } = await run("/usr/bin/aws", ["application-autoscaling", "--endpoint-url", host.t.endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

/** `at(…)` for `seconds` from now in `timeZone`'s wall-clock time. */
function atAhead(seconds: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).formatToParts(
    new Date(Date.now() + seconds * 1000),
  );
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `at(${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second})`;
}

async function desiredCount(service: string): Promise<number> {
  return (await host.t.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0].desiredCount!;
}

async function activities(service: string): Promise<any[]> {
  return (await scaling("describe-scaling-activities", ...target(service))).ScalingActivities;
}

beforeAll(async () => {
  host = await startSingleHost(cluster, cpEnv);
  await host.t.ecs.send(new RegisterTaskDefinitionCommand({ family: "sa-idle", containerDefinitions: [{ name: "app", image: TEST_IMAGE, command: ["sleep", "3600"], memory: 16, essential: true, stopTimeout: 1 }] }));
  for (const [serviceName, desired] of [["web", 1], ["bad", 0], ["batch", 3], ["handover", 1]] as const) {
    await host.t.ecs.send(new CreateServiceCommand({ cluster, serviceName, taskDefinition: "sa-idle", desiredCount: desired }));
  }
}, 120_000);

afterAll(async () => {
  await host?.stop();
});

describe("scheduled actions", () => {
  it("refuses bad input with AWS's error types and writes nothing; describes with filters and pages (boto3)", async () => {
    const rid = `service/${cluster}/bad`;
    const r = await boto3Json<Record<string, any>>(
      host.t.endpoint,
      `
import datetime
from botocore.exceptions import ClientError
aas = boto3.client("application-autoscaling", endpoint_url=${JSON.stringify(host.t.endpoint)}, region_name="us-east-1", aws_access_key_id="berth", aws_secret_access_key="berth")
T = dict(ServiceNamespace="ecs", ScalableDimension="ecs:service:DesiredCount", ResourceId="${rid}")
def call(f, **kw):
    try:
        out = f(**kw); out.pop("ResponseMetadata", None); return out
    except ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"]]
act = {"MinCapacity": 1, "MaxCapacity": 2}
out = {}
out["unregistered"] = call(aas.put_scheduled_action, ScheduledActionName="a", Schedule="cron(0 8 * * ? *)", ScalableTargetAction=act, **T)
aas.register_scalable_target(MinCapacity=0, MaxCapacity=4, **T)
out["badCron"] = call(aas.put_scheduled_action, ScheduledActionName="a", Schedule="cron(0 25 * * ? *)", ScalableTargetAction=act, **T)
out["badRate"] = call(aas.put_scheduled_action, ScheduledActionName="a", Schedule="rate(0 minutes)", ScalableTargetAction=act, **T)
out["badZone"] = call(aas.put_scheduled_action, ScheduledActionName="a", Schedule="cron(0 8 * * ? *)", Timezone="Mars/Olympus", ScalableTargetAction=act, **T)
out["minAboveMax"] = call(aas.put_scheduled_action, ScheduledActionName="a", Schedule="cron(0 8 * * ? *)", ScalableTargetAction={"MinCapacity": 5, "MaxCapacity": 2}, **T)
out["endBeforeStart"] = call(aas.put_scheduled_action, ScheduledActionName="a", Schedule="rate(1 hour)", ScalableTargetAction=act, StartTime=datetime.datetime(2030, 1, 2, tzinfo=datetime.timezone.utc), EndTime=datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc), **T)
out["noSchedule"] = call(aas.put_scheduled_action, ScheduledActionName="a", ScalableTargetAction=act, **T)
out["after"] = aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"]
out["deleteMissing"] = call(aas.delete_scheduled_action, ScheduledActionName="a", **T)
for n in ("n1", "n2", "n3"):
    aas.put_scheduled_action(ScheduledActionName=n, Schedule="cron(0 8 * * ? *)", ScalableTargetAction=act, **T)
p1 = aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=T["ResourceId"], MaxResults=2)
p2 = aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=T["ResourceId"], MaxResults=2, NextToken=p1["NextToken"])
out["pages"] = [[a["ScheduledActionName"] for a in p1["ScheduledActions"]], [a["ScheduledActionName"] for a in p2["ScheduledActions"]], "NextToken" in p2]
out["byName"] = [a["ScheduledActionName"] for a in aas.describe_scheduled_actions(ServiceNamespace="ecs", ScheduledActionNames=["n3", "nope"])["ScheduledActions"]]
out["otherDimension"] = aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=T["ResourceId"], ScalableDimension="dynamodb:table:ReadCapacityUnits")["ScheduledActions"]
out["badToken"] = call(aas.describe_scheduled_actions, ServiceNamespace="ecs", NextToken="nope")
aas.deregister_scalable_target(**T)
out["goneWithTarget"] = aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=T["ResourceId"])["ScheduledActions"]
print(json.dumps(out, default=str))
`,
      "1.29.0",
    );
    // an unregistered target
    expect(r.unregistered).toEqual(["ObjectNotFoundException", `No scalable target registered for service namespace: ecs, resource ID: ${rid}, scalable dimension: ecs:service:DesiredCount`]);
    // schedules that do not parse, a zone that does not exist, min above max, EndTime before StartTime, no schedule
    expect(r.badCron).toEqual(["ValidationException", "Invalid Schedule Expression cron(0 25 * * ? *). Hours: 25 is outside 0-23."]);
    expect(r.badRate).toEqual(["ValidationException", "Invalid Schedule Expression rate(0 minutes). The rate's value must be a positive whole number."]);
    expect(r.badZone).toEqual(["ValidationException", expect.stringMatching(/^Timezone: Mars\/Olympus is not a valid time zone/)]);
    expect(r.minAboveMax).toEqual(["ValidationException", "Minimum capacity cannot be larger than maximum capacity (ScalableTargetAction.MinCapacity 5, MaxCapacity 2)"]);
    expect(r.endBeforeStart).toEqual(["ValidationException", "EndTime: 2030-01-01T00:00:00.000Z must be after StartTime 2030-01-02T00:00:00.000Z"]);
    expect(r.noSchedule[0]).toBe("ValidationException");
    // none of them wrote anything
    expect(r.after).toEqual([]);
    expect(r.deleteMissing).toEqual([
      "ObjectNotFoundException",
      `No scheduled action found for service namespace: ecs, resource ID: ${rid}, scalable dimension: ecs:service:DesiredCount, scheduled action name: a`,
    ]);
    // pages of two, by name; the names filter; another dimension has none; a token berth did not give
    expect(r.pages).toEqual([["n1", "n2"], ["n3"], false]);
    expect(r.byName).toEqual(["n3"]);
    expect(r.otherDimension).toEqual([]);
    expect(r.badToken[0]).toBe("InvalidNextTokenException");
    // DeregisterScalableTarget deletes the target's scheduled actions (as AWS does)
    expect(r.goneWithTarget).toEqual([]);
  });

  it("an at() a few seconds ahead in Tokyo time raises the minimum to 3: desired 1 -> 3, in AWS's activity words (AWS CLI)", async () => {
    await scaling("register-scalable-target", ...target("web"), "--min-capacity", "1", "--max-capacity", "4");
    // Ten seconds of lead: a CLI call can take two or three on a loaded machine.
    const schedule = atAhead(10, "Asia/Tokyo");
    expect(await scaling("put-scheduled-action", ...target("web"), "--scheduled-action-name", "scale-up", "--schedule", schedule, "--timezone", "Asia/Tokyo", "--scalable-target-action", "MinCapacity=3,MaxCapacity=6")).toBeUndefined();
    expect(await desiredCount("web")).toBe(1);
    const [described] = (await scaling("describe-scheduled-actions", "--service-namespace", "ecs", "--resource-id", `service/${cluster}/web`)).ScheduledActions;
    expect(described).toMatchObject({
      ScheduledActionName: "scale-up",
      ServiceNamespace: "ecs",
      Schedule: schedule,
      Timezone: "Asia/Tokyo",
      ResourceId: `service/${cluster}/web`,
      ScalableDimension: "ecs:service:DesiredCount",
      ScalableTargetAction: { MinCapacity: 3, MaxCapacity: 6 },
    });
    expect(described.ScheduledActionARN).toMatch(new RegExp(`^arn:aws:autoscaling:us-east-1:000000000000:scheduledAction:[0-9a-f-]{36}:resource/ecs/service/${cluster}/web:scheduledActionName/scale-up$`));
    expect(Date.parse(described.CreationTime)).toBeGreaterThan(Date.now() - 60_000);

    await eventually("the action to set the desired count", async () => ((await desiredCount("web")) === 3 ? true : undefined), 20_000);
    const [t] = (await scaling("describe-scalable-targets", "--service-namespace", "ecs", "--resource-ids", `service/${cluster}/web`)).ScalableTargets;
    expect(t).toMatchObject({ MinCapacity: 3, MaxCapacity: 6 });
    const [desired, capacity] = await eventually("the desired count activity to settle", async () => {
      const all = await activities("web");
      return all[0]?.StatusCode === "Successful" ? all : undefined;
    });
    expect(capacity).toMatchObject({
      Description: "Setting min capacity to 3 and max capacity to 6",
      Cause: "scheduled action name scale-up was triggered",
      StatusCode: "Successful",
      StatusMessage: "Successfully set min capacity to 3 and max capacity to 6",
    });
    expect(desired).toMatchObject({
      Description: "Setting desired count to 3.",
      Cause: "minimum capacity was set to 3",
      StatusCode: "Successful",
      StatusMessage: "Successfully set desired count to 3. Change successfully fulfilled by ecs.",
    });
    expect(desired.EndTime).toBeDefined();
    // Real tasks follow the new desired count.
    await eventually("three running tasks", async () => (((await host.t.ecs.send(new ListTasksCommand({ cluster, serviceName: "web", desiredStatus: "RUNNING" }))).taskArns ?? []).length === 3 ? true : undefined), 30_000);

    await scaling("delete-scheduled-action", ...target("web"), "--scheduled-action-name", "scale-up");
    expect((await scaling("describe-scheduled-actions", "--service-namespace", "ecs", "--resource-id", `service/${cluster}/web`)).ScheduledActions).toEqual([]);
    await scaling("deregister-scalable-target", ...target("web"));
  });

  it("a rate() action fires each time once (the firing step a minute ahead, twice); suspended targets do not fire; a pending desired count is finished", async () => {
    const ctx = host.t.cp.ctx;
    await scaling("register-scalable-target", ...target("batch"), "--min-capacity", "1", "--max-capacity", "5", "--suspended-state", "ScheduledScalingSuspended=true");
    await scaling("put-scheduled-action", ...target("batch"), "--scheduled-action-name", "shrink", "--schedule", "rate(1 minute)", "--scalable-target-action", "MaxCapacity=2");
    const ahead: typeof ctx = { ...ctx, now: () => Date.now() + 61_000 };
    // suspended: nothing fires
    expect(await core.fireDueScheduledActions(ahead, () => true)).toEqual({ fired: 0, failed: 0, desiredChanged: 0 });
    await scaling("register-scalable-target", ...target("batch"), "--suspended-state", "ScheduledScalingSuspended=false");
    // resumed: the minute's time fires once, the second round finds nothing due. (The desired
    // count may be finished by this call or by the running leader's next tick, whichever comes first.)
    expect(await core.fireDueScheduledActions(ahead, () => true)).toMatchObject({ fired: 1, failed: 0 });
    expect(await core.fireDueScheduledActions(ahead, () => true)).toMatchObject({ fired: 0, failed: 0 });
    await eventually("the desired count to follow the new maximum", async () => ((await desiredCount("batch")) === 2 ? true : undefined), 10_000);
    const [desired, capacity] = await eventually("the desired count activity to settle", async () => {
      const all = await activities("batch");
      return all[0]?.StatusCode === "Successful" ? all : undefined;
    });
    expect(capacity).toMatchObject({ Description: "Setting max capacity to 2", Cause: "scheduled action name shrink was triggered", StatusCode: "Successful" });
    expect(desired).toMatchObject({ Description: "Setting desired count to 2.", Cause: "maximum capacity was set to 2", StatusCode: "Successful" });

    // As if a leader died after its write and before UpdateService: the stored mark (and the
    // InProgress activity) make the next round finish it.
    const rec = await core.recordScalingActivity(ctx, { cluster, service: "batch", resourceId: `service/${cluster}/batch`, description: "Setting desired count to 1.", cause: "maximum capacity was set to 1", statusCode: "InProgress", statusMessage: "Setting desired count to 1.", startMs: Date.now() });
    const cur = (await ctx.store.scalableTargets.get(cluster, "batch"))!;
    await ctx.store.scalableTargets.update({ ...cur.value, maxCapacity: 1, pendingDesired: { desiredCount: 1, activityRecordId: rec.id } }, cur.modRevision);
    await eventually("the leader to finish the pending change", async () => ((await desiredCount("batch")) === 1 ? true : undefined), 10_000);
    // (Found by id: the activities fired with the clock a minute ahead sort above it.)
    const settled = await eventually("the activity to settle", async () => {
      const a = (await activities("batch")).find((x) => x.ActivityId === rec.activityId);
      return a?.StatusCode === "Successful" ? a : undefined;
    });
    expect(settled).toMatchObject({ ActivityId: rec.activityId, StatusMessage: "Successfully set desired count to 1. Change successfully fulfilled by ecs." });
    expect((await ctx.store.scalableTargets.get(cluster, "batch"))!.value.pendingDesired).toBeUndefined();
  });
});

describe("across a leader change", () => {
  let other: ControlPlane;

  afterAll(async () => {
    await other?.close();
  });

  it("each scheduled time fires once: the new leader repeats none of the old leader's and fires its own", async () => {
    other = await startControlPlane(
      compileControlPlaneConfig({ etcdEndpoints: host.t.etcd.endpoint, apiAddress: "127.0.0.1:0", grpcAddress: "127.0.0.1:0", caKeyFile: testCaKeyFile }, cpEnv),
      testLogger(),
    );
    expect(host.t.cp.isLeader()).toBe(true);
    await scaling("register-scalable-target", ...target("handover"), "--min-capacity", "1", "--max-capacity", "4");
    await scaling("put-scheduled-action", ...target("handover"), "--scheduled-action-name", "before", "--schedule", atAhead(8, "UTC"), "--scalable-target-action", "MinCapacity=2");
    await eventually("the first leader to fire", async () => ((await desiredCount("handover")) === 2 ? true : undefined), 20_000);
    await host.t.cp.stopLeading();
    await eventually("the second replica to lead", async () => (other.isLeader() ? true : undefined), 15_000);
    await scaling("put-scheduled-action", ...target("handover"), "--scheduled-action-name", "after", "--schedule", atAhead(8, "UTC"), "--scalable-target-action", "MinCapacity=0,MaxCapacity=1");
    await eventually("the new leader to fire", async () => ((await desiredCount("handover")) === 1 ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 2500));
    // Two activities per action (capacities, then the desired count), each once, newest first.
    const all = await activities("handover");
    expect(all.map((a) => [a.Description, a.Cause, a.StatusCode])).toEqual([
      ["Setting desired count to 1.", "maximum capacity was set to 1", "Successful"],
      ["Setting min capacity to 0 and max capacity to 1", "scheduled action name after was triggered", "Successful"],
      ["Setting desired count to 2.", "minimum capacity was set to 2", "Successful"],
      ["Setting min capacity to 2", "scheduled action name before was triggered", "Successful"],
    ]);
  });
});

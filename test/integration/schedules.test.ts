// Scheduled tasks through the real clients: EventBridge Scheduler (rest-json) and EventBridge
// rules (JSON 1.1) with Debian's AWS CLI v2 and boto3, schedules that run real tasks on the
// agent, a failed run recorded and shown by `berth schedules`, and one scheduled time firing
// exactly once across a leader change. AWS's granularity is a minute, so the firing tests use
// one-time at() schedules a few seconds ahead; cron and rate arithmetic is unit-tested
// (core/schedule-expression.test.ts, core/schedule-due.test.ts).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { DeregisterTaskDefinitionCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileControlPlaneConfig, core, startControlPlane, type ControlPlane } from "@berth/controlplane";
import { eventually, startSingleHost, testCaKeyFile, testLogger, type SingleHost } from "../support/berth.js";
import { berthBin } from "../support/berth-cli.js";
import { TEST_IMAGE } from "../support/image.js";

const run = promisify(execFile);
const cluster = `sched-${process.pid}`;
const clusterArn = `arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`;
const role = "arn:aws:iam::000000000000:role/berth-scheduler";
// Access keys are configured, so every call's SigV4 is checked under its API's signing name
// (`scheduler`, `events`), percent-encoded ARNs in rest-json paths included.
const keysEnv = { BERTH_LEADER_TTL: "2", BERTH_ACCESS_KEYS: "AKIDEXAMPLE:dummy-secret" };
const env = { ...process.env, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "dummy-secret", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
let host: SingleHost;
let endpoint: string;

/** `aws <service> --endpoint-url … <args>` with Debian's CLI v2, its JSON answer parsed. */
async function aws(service: string, ...args: string[]): Promise<any> {
  const { stdout } = await run("/usr/bin/aws", [service, "--endpoint-url", endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

/** The CLI's error text for a call that must fail. */
async function awsError(service: string, ...args: string[]): Promise<string> {
  const err = await aws(service, ...args).then(
    () => undefined,
    (e: { stderr?: string }) => e,
  );
  if (!err) throw new Error(`aws ${service} ${args[0]} succeeded`);
  return String(err.stderr);
}

/** A boto3 script (the pyenv python3: botocore 1.43 knows ActionAfterCompletion); prints JSON. */
async function py(body: string): Promise<any> {
  // at_ahead(s, tz) is computed right before the call, so the interpreter's start-up does not eat the lead.
  const prelude = [
    "import boto3, json, datetime, zoneinfo",
    `c = boto3.client("scheduler", endpoint_url="${endpoint}", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret")`,
    `def at_ahead(s, tz="UTC"): return "at(" + (datetime.datetime.now(zoneinfo.ZoneInfo(tz)) + datetime.timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%S") + ")"`,
    `target = lambda family: {"Arn": "${clusterArn}", "RoleArn": "${role}", "EcsParameters": {"TaskDefinitionArn": family, "TaskCount": 1, "LaunchType": "EC2"}}`,
  ].join("\n");
  const script = `${prelude}\n${body}`;
  const { stdout } = await run("python3", ["-c", script], { env });
  return JSON.parse(stdout);
}

/** Every task (running or stopped) that a schedule or rule started. */
async function tasksStartedBy(startedBy: string): Promise<string[]> {
  const arns: string[] = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
    arns.push(...((await host.t.ecs.send(new ListTasksCommand({ cluster, startedBy, desiredStatus }))).taskArns ?? []));
  }
  return arns;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Scheduler target running `family` once in the test cluster. */
const target = (family: string) => JSON.stringify({ Arn: clusterArn, RoleArn: role, EcsParameters: { TaskDefinitionArn: family, TaskCount: 1, LaunchType: "EC2" } });

beforeAll(async () => {
  host = await startSingleHost(cluster, keysEnv);
  endpoint = host.t.endpoint;
  // sched-huge asks for more memory than any host has: its runs find no capacity.
  for (const [family, memory] of [["sched-sleep", 16], ["sched-gone", 16], ["sched-huge", 4_000_000]] as const) {
    await host.t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: "main", image: TEST_IMAGE, memory, essential: true, stopTimeout: 1, command: ["sleep", "30"] }],
      }),
    );
  }
}, 90_000);

afterAll(async () => {
  await host?.stop();
});

describe("EventBridge Scheduler through the AWS CLI", () => {
  // The CLI's start-up is most of these tests' time: the ones that share no schedule run side by
  // side (the boto3 one, which finds no schedule left at all, after them).
  it.concurrent("creates, reads, lists, updates and deletes schedules and groups, tags on groups", async () => {
    const g = await aws("scheduler", "create-schedule-group", "--name", "ops", "--tags", "Key=team,Value=infra");
    expect(g.ScheduleGroupArn).toBe("arn:aws:scheduler:us-east-1:000000000000:schedule-group/ops");
    const created = await aws(
      "scheduler", "create-schedule", "--name", "nightly", "--group-name", "ops",
      "--schedule-expression", "cron(30 2 ? * MON-FRI *)", "--schedule-expression-timezone", "America/New_York",
      "--flexible-time-window", "Mode=FLEXIBLE,MaximumWindowInMinutes=15", "--target", target("sched-sleep"),
    );
    expect(created.ScheduleArn).toBe("arn:aws:scheduler:us-east-1:000000000000:schedule/ops/nightly");
    // Independent reads side by side: the CLI's start-up is most of each call's time.
    const [got, listed] = await Promise.all([aws("scheduler", "get-schedule", "--name", "nightly", "--group-name", "ops"), aws("scheduler", "list-schedules", "--group-name", "ops")]);
    expect(got).toMatchObject({
      Name: "nightly", GroupName: "ops", State: "ENABLED", ScheduleExpression: "cron(30 2 ? * MON-FRI *)", ScheduleExpressionTimezone: "America/New_York",
      FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 },
      Target: { Arn: clusterArn, RoleArn: role, EcsParameters: { TaskDefinitionArn: "sched-sleep", TaskCount: 1, LaunchType: "EC2" } },
    });
    expect(typeof got.CreationDate).toBe("string"); // the CLI renders rest-json's epoch seconds as a date
    expect(listed.Schedules.map((s: { Name: string }) => s.Name)).toEqual(["nightly"]);
    await Promise.all([
      aws("scheduler", "update-schedule", "--name", "nightly", "--group-name", "ops", "--schedule-expression", "rate(6 hours)", "--state", "DISABLED", "--flexible-time-window", "Mode=OFF", "--target", target("sched-sleep")),
      aws("scheduler", "tag-resource", "--resource-arn", g.ScheduleGroupArn, "--tags", "Key=env,Value=test"),
    ]);
    await aws("scheduler", "untag-resource", "--resource-arn", g.ScheduleGroupArn, "--tag-keys", "team");
    const [disabled, tags, groups] = await Promise.all([
      aws("scheduler", "list-schedules", "--state", "DISABLED"),
      aws("scheduler", "list-tags-for-resource", "--resource-arn", g.ScheduleGroupArn),
      aws("scheduler", "list-schedule-groups"),
    ]);
    expect(disabled.Schedules).toMatchObject([{ Name: "nightly", GroupName: "ops", State: "DISABLED", Target: { Arn: clusterArn } }]);
    expect(tags.Tags).toEqual([{ Key: "env", Value: "test" }]);
    expect(groups.ScheduleGroups.map((x: { Name: string }) => x.Name)).toEqual(["default", "ops"]);
    const updated = (await host.t.cp.ctx.store.schedules.get("ops", "nightly"))!.value;
    expect(updated).toMatchObject({ scheduleExpression: "rate(6 hours)", state: "DISABLED", flexibleTimeWindow: { mode: "OFF" } });
    await aws("scheduler", "delete-schedule", "--name", "nightly", "--group-name", "ops");
    expect(await awsError("scheduler", "get-schedule", "--name", "nightly", "--group-name", "ops")).toMatch(/ResourceNotFoundException.*Schedule nightly does not exist/);
    await aws("scheduler", "delete-schedule-group", "--name", "ops");
    expect(await host.t.cp.ctx.store.scheduleGroups.get("ops")).toBeUndefined();
  });

  it.concurrent.each([
    // an hour that does not exist
    ["cron(0 25 * * ? *)", "UTC", /ValidationException.*Invalid Schedule Expression cron\(0 25 \* \* \? \*\)\. Hours: 25 is outside 0-23/],
    // a time zone that is no IANA name
    ["rate(1 hour)", "Mars/Olympus", /ValidationException.*Invalid ScheduleExpressionTimezone Mars\/Olympus/],
  ])("refuses %s in %s and writes nothing", async (expression, tz, why) => {
    const out = await awsError("scheduler", "create-schedule", "--name", "bad", "--schedule-expression", expression, "--schedule-expression-timezone", tz, "--flexible-time-window", "Mode=OFF", "--target", target("sched-sleep"));
    expect(out).toMatch(why);
    expect(await host.t.cp.ctx.store.schedules.get("default", "bad")).toBeUndefined();
  });

  it.concurrent("refuses a request signed with a wrong secret in the Scheduler's error shape", async () => {
    const wrong = await run("/usr/bin/aws", ["scheduler", "--endpoint-url", endpoint, "list-schedules"], { env: { ...env, AWS_SECRET_ACCESS_KEY: "wrong" } }).then(
      () => "",
      (e: { stderr?: string }) => String(e.stderr),
    );
    expect(wrong).toMatch(/InvalidSignatureException|SignatureDoesNotMatch|signature/i);
  });

  it("answers boto3 bad input with the Scheduler's error codes and writes nothing", async () => {
    const cases: [string, string, string, RegExp][] = [
      // Unix cron's five fields
      ["cron(0 12 * * *)", "UTC", "target('sched-sleep')", /has 6 fields/],
      // both day fields given
      ["cron(0 12 * * * *)", "UTC", "target('sched-sleep')", /Exactly one of Day-of-month and Day-of-week/],
      // a cluster that does not exist
      ["rate(1 hour)", "UTC", `dict(target('sched-sleep'), Arn='arn:aws:ecs:us-east-1:000000000000:cluster/nope')`, /cluster .*cluster\/nope does not exist/],
      // a task definition that does not exist
      ["rate(1 hour)", "UTC", "target('no-such-family')", /TaskDefinitionArn: task definition no-such-family/],
      // a target that is not a cluster
      ["rate(1 hour)", "UTC", `{'Arn': 'arn:aws:lambda:us-east-1:000000000000:function:f', 'RoleArn': '${role}'}`, /must be a cluster ARN/],
      // a flexible window without its length
      ["rate(1 hour)", "UTC", "target('sched-sleep')", /MaximumWindowInMinutes is required/],
    ];
    const calls = cases.map(([expr, tz, tgt], i) => `  try:
    c.create_schedule(Name="bad${i}", ScheduleExpression="${expr}", ScheduleExpressionTimezone="${tz}", FlexibleTimeWindow=${i === 5 ? '{"Mode": "FLEXIBLE"}' : '{"Mode": "OFF"}'}, Target=${tgt})
    out.append(["created", ""])
  except botocore.exceptions.ClientError as e:
    out.append([e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]])`);
    const got = await py(`import botocore\nout = []\nif True:\n${calls.join("\n")}\nprint(json.dumps(out))`);
    expect(got.map((g: string[]) => g[0])).toEqual(["ValidationException", "ValidationException", "ResourceNotFoundException", "ResourceNotFoundException", "ValidationException", "ValidationException"]);
    expect(got.map((g: unknown[]) => g[2])).toEqual([400, 400, 404, 404, 400, 400]);
    cases.forEach(([, , , why], i) => expect(got[i][1]).toMatch(why));
    expect((await host.t.cp.ctx.store.schedules.list("/berth/v1/schedules/")).items.map((x) => x.value.name)).toEqual([]);
  });
});

describe("firing", () => {
  // Two schedules a few seconds ahead, waited for side by side (the leader's rounds fire both).
  it.concurrent("a one-time at() schedule a few seconds ahead (boto3, Berlin time, ActionAfterCompletion DELETE) runs its task exactly once", async () => {
    const name = `once-${process.pid}`;
    const made = await py(`r = c.create_schedule(Name="${name}", ScheduleExpression=at_ahead(3, "Europe/Berlin"), ScheduleExpressionTimezone="Europe/Berlin",
  FlexibleTimeWindow={"Mode": "OFF"}, ActionAfterCompletion="DELETE",
  Target={"Arn": "${clusterArn}", "RoleArn": "${role}", "Input": json.dumps({"containerOverrides": [{"name": "main", "command": ["sleep", "20"]}]}),
          "EcsParameters": {"TaskDefinitionArn": "sched-sleep", "TaskCount": 1, "Group": "nightly-jobs", "Tags": [{"purpose": "test"}]}})
g = c.get_schedule(Name="${name}")
print(json.dumps({"arn": r["ScheduleArn"], "after": g["ActionAfterCompletion"], "expr": g["ScheduleExpression"]}))`);
    expect(made.after).toBe("DELETE");
    const startedBy = `schedule/default/${name}`;
    const [task] = await eventually("the scheduled task", async () => ((await tasksStartedBy(startedBy)).length > 0 ? tasksStartedBy(startedBy) : undefined), 20_000);
    // The target's parameters are the RunTask's: its group, tags and Input as the overrides.
    const described = (await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [task], include: ["TAGS"] }))).tasks![0];
    expect(described).toMatchObject({ group: "nightly-jobs", startedBy, overrides: { containerOverrides: [{ name: "main", command: ["sleep", "20"] }] } });
    expect(described.tags).toEqual(expect.arrayContaining([{ key: "purpose", value: "test" }]));
    // Once run, the one-time schedule deletes itself; a few more rounds start nothing else.
    const gone = await eventually("the schedule to be deleted after its run", async () => {
      const r = await py(`try:\n  c.get_schedule(Name="${name}")\n  print(json.dumps(False))\nexcept c.exceptions.ResourceNotFoundException as e:\n  print(json.dumps(True))`);
      return r === true ? true : undefined;
    }, 10_000, 500);
    expect(gone).toBe(true);
    await sleep(3000);
    expect(await tasksStartedBy(startedBy)).toEqual([task]);
  });

  it.concurrent("a run that fails (its task definition deregistered) is recorded and shown by berth schedules; the schedule stays", async () => {
    await py(`c.create_schedule(Name="hourly", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"}, Target=target("sched-sleep"))
c.create_schedule(Name="doomed", ScheduleExpression=at_ahead(3), FlexibleTimeWindow={"Mode": "OFF"}, Target=target("sched-gone"))
print("{}")`);
    await host.t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "sched-gone:1" }));
    const table = await eventually("berth schedules to show the failure", async () => {
      const { stdout } = await run(process.execPath, [berthBin, "schedules", "--endpoint", endpoint, "--cluster", cluster], { env });
      return /FAILED: .*sched-gone/.test(stdout) ? stdout : undefined;
    }, 20_000, 500);
    // The rate schedule's next runs are listed, one hour apart.
    const hourly = table.split("\n").findIndex((l) => l.includes("default/hourly"));
    expect(hourly).toBeGreaterThan(0);
    expect(table).toMatch(/rate\(1 hour\)/);
    expect(await aws("scheduler", "get-schedule", "--name", "doomed")).toMatchObject({ Name: "doomed", State: "ENABLED" });
    expect(await tasksStartedBy("schedule/default/doomed")).toEqual([]);
    await aws("scheduler", "delete-schedule", "--name", "doomed");
    await aws("scheduler", "delete-schedule", "--name", "hourly");
  });

  it("a recurring schedule whose run finds no capacity records why and keeps its next run (the firing step driven a minute ahead)", async () => {
    await py(`c.create_schedule(Name="greedy", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow={"Mode": "OFF"}, Target=target("sched-huge"))\nprint("{}")`);
    const created = (await host.t.cp.ctx.store.schedules.get("default", "greedy"))!.value;
    const ahead: typeof host.t.cp.ctx = { ...host.t.cp.ctx, now: () => created.anchorMs + 61_000 };
    expect(await core.fireDueSchedules(ahead, () => true)).toEqual({ fired: 0, failed: 1, deleted: 0 });
    expect(await core.fireDueSchedules(ahead, () => true)).toEqual({ fired: 0, failed: 0, deleted: 0 });
    const after = (await host.t.cp.ctx.store.schedules.get("default", "greedy"))!.value;
    expect(after.handledThroughMs).toBe(created.anchorMs + 60_000);
    expect(after.lastError).toMatchObject({ scheduledMs: created.anchorMs + 60_000, taskArns: [] });
    expect(after.lastError!.error).toMatch(/started 0 of 1 tasks: RESOURCE:MEMORY/);
    const [row] = (await core.scheduleOverview(ahead, cluster)).filter((r) => r.name === "default/greedy");
    expect(row.next[0]).toBe(created.anchorMs + 120_000);
    expect(await tasksStartedBy("schedule/default/greedy")).toEqual([]);
    await aws("scheduler", "delete-schedule", "--name", "greedy");
  });
});

describe("EventBridge rules through the AWS CLI", () => {
  it.concurrent("puts a scheduled rule with an ECS target, lists, disables, enables, removes and deletes", async () => {
    const put = await aws("events", "put-rule", "--name", "nightly-report", "--schedule-expression", "cron(0 3 * * ? *)", "--description", "report");
    expect(put.RuleArn).toBe("arn:aws:events:us-east-1:000000000000:rule/nightly-report");
    const targets = JSON.stringify([{ Id: "report", Arn: clusterArn, RoleArn: role, EcsParameters: { TaskDefinitionArn: "sched-sleep", TaskCount: 2, LaunchType: "EC2", Tags: [{ Key: "job", Value: "report" }] } }]);
    expect(await aws("events", "put-targets", "--rule", "nightly-report", "--targets", targets)).toEqual({ FailedEntryCount: 0, FailedEntries: [] });
    const [listedTargets, described] = await Promise.all([aws("events", "list-targets-by-rule", "--rule", "nightly-report"), aws("events", "describe-rule", "--name", "nightly-report")]);
    expect(listedTargets.Targets).toEqual(JSON.parse(targets));
    expect(described).toMatchObject({ Name: "nightly-report", ScheduleExpression: "cron(0 3 * * ? *)", State: "ENABLED", EventBusName: "default" });
    // Three independent checks side by side, all while the rule keeps its one target.
    await Promise.all([
      (async () => {
        await aws("events", "disable-rule", "--name", "nightly-report");
        expect((await aws("events", "list-rules", "--name-prefix", "nightly")).Rules).toMatchObject([{ Name: "nightly-report", State: "DISABLED" }]);
        await aws("events", "enable-rule", "--name", "nightly-report");
      })(),
      (async () => expect(await awsError("events", "delete-rule", "--name", "nightly-report")).toMatch(/ValidationException.*Rule can't be deleted since it has targets/))(),
      (async () => {
        // A target naming a missing cluster is refused per entry; the rule keeps its good target.
        const bad = JSON.stringify([{ Id: "nowhere", Arn: "arn:aws:ecs:us-east-1:000000000000:cluster/nope", EcsParameters: { TaskDefinitionArn: "sched-sleep" } }]);
        const refused = await aws("events", "put-targets", "--rule", "nightly-report", "--targets", bad);
        expect(refused).toMatchObject({ FailedEntryCount: 1, FailedEntries: [{ TargetId: "nowhere", ErrorCode: "ResourceNotFoundException" }] });
        expect((await host.t.cp.ctx.store.eventRules.get("default", "nightly-report"))!.value.targets.map((x) => x.id)).toEqual(["report"]);
      })(),
    ]);
    await aws("events", "remove-targets", "--rule", "nightly-report", "--ids", "report");
    await aws("events", "delete-rule", "--name", "nightly-report");
    expect(await awsError("events", "describe-rule", "--name", "nightly-report")).toMatch(/ResourceNotFoundException.*Rule nightly-report does not exist/);
  });

  it.concurrent.each([
    // a cron with both day fields
    ["cron(0 3 * * * *)", /ValidationException.*Parameter ScheduleExpression is not valid/],
    // at() is the Scheduler's, not a rule's
    ["at(2030-01-01T00:00:00)", /ValidationException.*Parameter ScheduleExpression is not valid/],
  ])("refuses %s", async (expression, why) => {
    expect(await awsError("events", "put-rule", "--name", "bad-rule", "--schedule-expression", expression)).toMatch(why);
    expect(await host.t.cp.ctx.store.eventRules.get("default", "bad-rule")).toBeUndefined();
  });

  it("a scheduled rule runs each target's tasks once per scheduled time (the firing step driven a minute ahead)", async () => {
    await aws("events", "put-rule", "--name", "every-minute", "--schedule-expression", "rate(1 minute)");
    const targets = JSON.stringify([
      { Id: "pair", Arn: clusterArn, EcsParameters: { TaskDefinitionArn: "sched-sleep", TaskCount: 2 } },
      { Id: "gone", Arn: clusterArn, EcsParameters: { TaskDefinitionArn: "sched-sleep" } },
    ]);
    expect((await aws("events", "put-targets", "--rule", "every-minute", "--targets", targets)).FailedEntryCount).toBe(0);
    // AWS's granularity is a minute: rather than wait, run the leader's firing step (real etcd,
    // real RunTask) with its clock 61 s ahead, twice, as two leaders in a row would.
    const ahead: typeof host.t.cp.ctx = { ...host.t.cp.ctx, now: () => Date.now() + 61_000 };
    const first = await core.fireDueSchedules(ahead, () => true);
    const again = await core.fireDueSchedules(ahead, () => true);
    expect(first).toEqual({ fired: 2, failed: 0, deleted: 0 });
    expect(again).toEqual({ fired: 0, failed: 0, deleted: 0 });
    expect(await tasksStartedBy("events-rule/every-minute")).toHaveLength(3);
    const rule = (await host.t.cp.ctx.store.eventRules.get("default", "every-minute"))!.value;
    expect(rule.lastRun?.taskArns).toHaveLength(1);
    await aws("events", "remove-targets", "--rule", "every-minute", "--ids", "pair", "gone");
    await aws("events", "delete-rule", "--name", "every-minute");
  });
});

describe("across a leader change", () => {
  let other: ControlPlane;

  afterAll(async () => {
    await other?.close();
  });

  it("each scheduled time fires exactly once: a new leader neither repeats a recorded run nor one whose record it lost", async () => {
    other = await startControlPlane(
      compileControlPlaneConfig({ etcdEndpoints: host.t.etcd.endpoint, apiAddress: "127.0.0.1:0", grpcAddress: "127.0.0.1:0", caKeyFile: testCaKeyFile }, keysEnv),
      testLogger(),
    );
    expect(host.t.cp.isLeader()).toBe(true);
    await py(`c.create_schedule(Name="handover", ScheduleExpression=at_ahead(2), FlexibleTimeWindow={"Mode": "OFF"}, Target=target("sched-sleep"))\nprint("{}")`);
    const [first] = await eventually("the first leader to fire", async () => ((await tasksStartedBy("schedule/default/handover")).length > 0 ? tasksStartedBy("schedule/default/handover") : undefined), 20_000);
    const recorded = await eventually("the run recorded", async () => {
      const s = await other.ctx.store.schedules.get("default", "handover");
      return s?.value.lastRun ? s : undefined;
    });
    // As if the first leader died after starting the task but before its bookkeeping landed:
    // the record goes back to "not yet handled".
    const before = recorded.value.handledThroughMs;
    await other.ctx.store.schedules.update({ ...recorded.value, handledThroughMs: recorded.value.createdAtMs, lastRun: undefined }, recorded.modRevision);
    await host.t.cp.stopLeading();
    await eventually("the second replica to lead", async () => (other.isLeader() ? true : undefined), 15_000);
    // The new leader repeats the run with the same derived clientToken: the first run's task comes back, none is added.
    const redone = await eventually("the new leader to record the time", async () => {
      const s = await other.ctx.store.schedules.get("default", "handover");
      return s?.value.lastRun ? s.value : undefined;
    }, 15_000);
    expect(redone.handledThroughMs).toBe(before);
    expect(redone.lastRun!.taskArns).toEqual([first]);
    // A fresh schedule fires once under the new leader.
    await py(`c.create_schedule(Name="after-handover", ScheduleExpression=at_ahead(2), FlexibleTimeWindow={"Mode": "OFF"}, Target=target("sched-sleep"))\nprint("{}")`);
    await eventually("the new leader to fire", async () => ((await tasksStartedBy("schedule/default/after-handover")).length > 0 ? true : undefined), 20_000);
    await sleep(3000);
    expect(await tasksStartedBy("schedule/default/handover")).toEqual([first]);
    expect(await tasksStartedBy("schedule/default/after-handover")).toHaveLength(1);
  });
});

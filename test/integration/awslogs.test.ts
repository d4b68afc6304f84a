import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { eventually, startSingleHost, startTestAgent, type SingleHost, type TestControlPlane } from "../support/berth.js";

// awslogs and the CloudWatch Logs API through the real AWS CLI v2: containers' lines reach the
// log store over the agent's session with ECS's stream names, and `aws logs` reads them back.
const run = promisify(execFile);
const aws = "/usr/bin/aws";
const cluster = `awslogs-${process.pid}`;
const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
let host: SingleHost;
let t: TestControlPlane;
let tmp: string;
let logs: CloudWatchLogsClient;

async function cli(service: "ecs" | "logs", ...args: string[]): Promise<any> {
  const { stdout } = await run(aws, [service, "--endpoint-url", t.endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

/** The CLI's error for a call that must fail: its stderr (type and message). */
async function cliError(service: "ecs" | "logs", ...args: string[]): Promise<string> {
  try {
    await cli(service, ...args);
  } catch (err) {
    return String((err as { stderr?: string }).stderr);
  }
  throw new Error(`aws ${service} ${args.join(" ")} succeeded`);
}

/** Registers a one-container busybox task definition logging with awslogs and runs one task. */
async function runLogging(family: string, script: string, options?: Record<string, string>): Promise<{ taskId: string; taskArn: string }> {
  const file = join(tmp, `${family}.json`);
  const logConfiguration = { logDriver: "awslogs", ...(options ? { options } : {}) };
  await writeFile(file, JSON.stringify({ family, containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", memory: 32, command: ["sh", "-c", script], logConfiguration }] }));
  const registered = await cli("ecs", "register-task-definition", "--cli-input-json", `file://${file}`);
  // The options register verbatim, as ECS keeps them.
  expect(registered.taskDefinition.containerDefinitions[0].logConfiguration).toEqual(logConfiguration);
  const res = await cli("ecs", "run-task", "--cluster", cluster, "--task-definition", family);
  expect(res.failures).toEqual([]);
  const taskArn: string = res.tasks[0].taskArn;
  return { taskArn, taskId: taskArn.split("/").pop()! };
}

/** Every message of a stream, paging get-log-events forward from the head as clients do. */
async function allMessages(group: string, stream: string, limit = 10_000): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await cli("logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream, "--start-from-head", "--limit", String(limit), ...(token ? ["--next-token", token] : []));
    out.push(...page.events.map((e: { message: string }) => e.message));
    if (page.nextForwardToken === token) return out;
    token = page.nextForwardToken;
  }
}

/** Every message of a stream through the SDK (cheaper to poll than the CLI); undefined while it does not exist. */
async function sdkMessages(group: string, stream: string): Promise<string[] | undefined> {
  const got: string[] = [];
  let nextToken: string | undefined;
  for (;;) {
    const page = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken })).catch(() => undefined);
    if (!page) return undefined;
    got.push(...(page.events ?? []).map((e) => e.message ?? ""));
    if (page.nextForwardToken === nextToken) return got;
    nextToken = page.nextForwardToken;
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "berth-awslogs-"));
  // Signatures are checked (the CLI's and the SDK's key, and the test support's ECS client's), so
  // every Logs call here also proves it is verified under the `logs` signing name.
  host = await startSingleHost(cluster, { BERTH_LOG_SWEEP_INTERVAL_MS: "300", BERTH_ACCESS_KEYS: "berth:berth,AKIDEXAMPLE:dummy-secret" });
  t = host.t;
  logs = new CloudWatchLogsClient({ endpoint: t.endpoint, region: "us-east-1", credentials: { accessKeyId: "berth", secretAccessKey: "berth" }, maxAttempts: 1 });
});

afterAll(async () => {
  logs?.destroy();
  await host?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe("awslogs through the AWS CLI", () => {
  it("ships every line exactly once with ECS's stream name, across an agent crash and restart", async () => {
    const group = "/berth/restart";
    const { taskId } = await runLogging("awslogs-restart", "i=0; while [ $i -lt 60 ]; do i=$((i+1)); echo line-$i; sleep 0.1; done", {
      "awslogs-group": group,
      "awslogs-stream-prefix": "web",
      "awslogs-create-group": "true",
      "awslogs-region": "us-east-1",
    });
    const stream = `web/app/${taskId}`;
    // Some lines are stored, then the agent is killed (-9) mid-output and started again. The
    // waits poll with the SDK (a CLI call takes a second or more); the CLI reads what they found.
    await eventually("the first lines to be stored", async () => (((await sdkMessages(group, stream)) ?? []).length >= 5 ? true : undefined), 30_000, 100);
    await host.restartAgent();
    await eventually("all 60 lines", async () => (((await sdkMessages(group, stream)) ?? []).length >= 60 ? true : undefined), 60_000, 300);
    // No duplicate arrives late either: a second on, the reads below (side by side, the CLI's
    // start-up being most of each one's time) still find the 60 lines once each.
    await new Promise((r) => setTimeout(r, 1000));
    const [lines, pagedBy25, streams, filtered, paged] = await Promise.all([
      allMessages(group, stream),
      // paged 25 at a time, the forward tokens cover all 60
      allMessages(group, stream, 25),
      cli("logs", "describe-log-streams", "--log-group-name", group),
      // filter-log-events with a plain term, as `aws logs tail --filter-pattern` sends it
      cli("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "line-5"),
      // paged through nextToken, page by page, the CLI (its paginator) still gets all 60
      cli("logs", "filter-log-events", "--log-group-name", group, "--page-size", "7"),
    ]);
    expect(lines).toEqual(Array.from({ length: 60 }, (_, i) => `line-${i + 1}`));
    expect(pagedBy25).toEqual(lines);
    expect(streams.logStreams.map((s: { logStreamName: string }) => s.logStreamName)).toEqual([stream]);
    expect(streams.logStreams[0].arn).toBe(`arn:aws:logs:us-east-1:000000000000:log-group:${group}:log-stream:${stream}`);
    expect(filtered.events.map((e: { message: string }) => e.message)).toEqual(["line-5", ...Array.from({ length: 10 }, (_, i) => `line-${50 + i}`)]);
    expect(new Set(filtered.events.map((e: { logStreamName: string }) => e.logStreamName))).toEqual(new Set([stream]));
    expect(paged.events).toHaveLength(60);
  });

  it("ships a backlog of long lines (more than gRPC's 4 MiB a message in 1,000 lines) read after an agent restart, without breaking the session", async () => {
    const group = "/berth/burst";
    // 800 lines of 8 KiB each, written at once while the agent is down: ~6.5 MiB of backlog.
    const { taskArn, taskId } = await runLogging("awslogs-burst", "sleep 3; l=$(head -c 8000 /dev/zero | tr '\\0' x); i=0; while [ $i -lt 800 ]; do i=$((i+1)); echo \"$i $l\"; done; sleep 30", {
      "awslogs-group": group,
      "awslogs-stream-prefix": "b",
      "awslogs-create-group": "true",
    });
    await eventually("the task to run", async () => ((await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0]?.lastStatus === "RUNNING" ? true : undefined));
    await host.agent.kill();
    await new Promise((r) => setTimeout(r, 4000));
    host.agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, dataDir: host.agent.dataDir });
    const lines = await eventually("all 800 long lines", async () => {
      // Paged with the SDK (the CLI's output of 6.5 MB would pass execFile's buffer).
      const got: string[] = [];
      let nextToken: string | undefined;
      for (;;) {
        const page = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: `b/app/${taskId}`, startFromHead: true, nextToken })).catch(() => undefined);
        if (!page) return undefined;
        got.push(...(page.events ?? []).map((e) => e.message ?? ""));
        if (page.nextForwardToken === nextToken) break;
        nextToken = page.nextForwardToken;
      }
      return got.length >= 800 ? got : undefined;
    }, 30_000, 500);
    expect(lines.map((l) => Number(l.split(" ")[0]))).toEqual(Array.from({ length: 800 }, (_, i) => i + 1));
    expect(lines.every((l) => l.endsWith("x".repeat(8000)))).toBe(true);
    // The session held: no batch went over gRPC's message limit (which ends the session).
    expect(host.agent.output()).not.toContain("Received message larger than max");
  });

  it("fills in the console's defaults for a definition without options, creating /ecs/<family>; aws logs tail prints its lines", async () => {
    const { taskId } = await runLogging("awslogs-defaults", "echo hello-from-defaults; sleep 3; echo second-line; sleep 30");
    const groups = await eventually("the default group", async () => {
      const g = await cli("logs", "describe-log-groups", "--log-group-name-prefix", "/ecs/awslogs-defaults");
      return g.logGroups.length > 0 ? g.logGroups : undefined;
    });
    expect(groups[0]).toMatchObject({ logGroupName: "/ecs/awslogs-defaults", arn: "arn:aws:logs:us-east-1:000000000000:log-group:/ecs/awslogs-defaults:*" });
    // `aws logs tail --follow`, as the user runs it, bounded: it prints the first line,
    // then the one written seconds later from its next FilterLogEvents poll.
    const follow = spawn(aws, ["logs", "tail", "/ecs/awslogs-defaults", "--follow", "--endpoint-url", t.endpoint], { env });
    let followed = "";
    follow.stdout.on("data", (b: Buffer) => (followed += b.toString()));
    try {
      await eventually("tail --follow to print both lines", async () => (followed.includes("second-line") ? true : undefined), 30_000, 200);
    } finally {
      follow.kill();
    }
    expect(followed).toContain(`ecs/app/${taskId} hello-from-defaults`);
    expect(followed.split("\n").filter((l) => l.includes("hello-from-defaults"))).toHaveLength(1);
    const { stdout } = await run(aws, ["logs", "tail", "/ecs/awslogs-defaults", "--endpoint-url", t.endpoint], { env });
    expect(stdout).toContain(`ecs/app/${taskId} second-line`);
    // The agent says which options it filled in.
    const said = host.agent.output().split("\n").find((l) => l.includes("awslogs options left out") && l.includes(taskId));
    expect(JSON.parse(said!)).toMatchObject({ defaulted: ["awslogs-group", "awslogs-stream-prefix", "awslogs-region"], group: "/ecs/awslogs-defaults", createGroup: true });
  });

  it("fails a container whose group does not exist as ECS does, and runs it once the group is there", async () => {
    const group = "/berth/missing";
    const first = await runLogging("awslogs-missing", "echo early-line; sleep 30", { "awslogs-group": group, "awslogs-stream-prefix": "p" });
    // Polled with the SDK, read with the CLI.
    await eventually("the task to stop", async () => ((await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [first.taskArn] }))).tasks?.[0]?.lastStatus === "STOPPED" ? true : undefined));
    const stopped = (await cli("ecs", "describe-tasks", "--cluster", cluster, "--tasks", first.taskArn)).tasks[0];
    expect(stopped.lastStatus).toBe("STOPPED");
    expect(stopped.containers[0].reason).toBe(
      "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.",
    );
    expect((await cli("logs", "describe-log-groups", "--log-group-name-prefix", group)).logGroups).toEqual([]);
    await cli("logs", "create-log-group", "--log-group-name", group);
    const second = await cli("ecs", "run-task", "--cluster", cluster, "--task-definition", "awslogs-missing");
    const taskId = second.tasks[0].taskArn.split("/").pop();
    await eventually("the line", async () => (((await sdkMessages(group, `p/app/${taskId}`)) ?? []).length > 0 ? true : undefined));
    expect(await allMessages(group, `p/app/${taskId}`)).toEqual(["early-line"]);
  });

  it("drops events past retention with the sweep and counts them in the metrics", async () => {
    const group = "/berth/retention";
    await cli("logs", "create-log-group", "--log-group-name", group);
    await cli("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "s");
    const now = Date.now();
    const put = await cli("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "s", "--log-events", `timestamp=${now - 2 * 86_400_000},message=old`, `timestamp=${now - 2 * 86_400_000 + 1},message=old2`);
    expect(put?.rejectedLogEventsInfo).toBeUndefined();
    await cli("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "s", "--log-events", `timestamp=${now},message=new`);
    expect(await allMessages(group, "s")).toEqual(["old", "old2", "new"]);
    await cli("logs", "put-retention-policy", "--log-group-name", group, "--retention-in-days", "1");
    const [described, kept] = await Promise.all([cli("logs", "describe-log-groups", "--log-group-name-prefix", group), allMessages(group, "s")]);
    expect(described.logGroups[0].retentionInDays).toBe(1);
    expect(kept).toEqual(["new"]);
    const metrics = await eventually("the sweep to drop the old segment", async () => {
      const text = await (await fetch(`${t.endpoint}/metrics`)).text();
      return /berth_logs_dropped_bytes_total\{reason="retention"\} [1-9]/.test(text) ? text : undefined;
    });
    expect(metrics).toMatch(/berth_logs_bytes_on_disk [1-9]/);
    expect(metrics).toMatch(/berth_logs_events_ingested_total [1-9]/);
    // An event past retention is now refused by index, as CloudWatch Logs reports it.
    const late = await cli("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "s", "--log-events", `timestamp=${now - 2 * 86_400_000},message=late`);
    expect(late.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 0 });
  });

  it("FilterLogEvents interleaves streams by time, with a stream prefix and a time range (SDK)", async () => {
    const group = "/berth/filter";
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const now = Date.now();
    for (const [stream, offsets] of [["app/a", [0, 2, 4]], ["app/b", [1, 3]], ["other", [5]]] as const) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
      await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: offsets.map((o) => ({ timestamp: now + o, message: `${stream}-${o}` })) }));
    }
    const messages = (r: { events?: { message?: string }[] }) => (r.events ?? []).map((e) => e.message);
    expect(messages(await logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNamePrefix: "app/" })))).toEqual(["app/a-0", "app/b-1", "app/a-2", "app/b-3", "app/a-4"]);
    expect(messages(await logs.send(new FilterLogEventsCommand({ logGroupName: group, startTime: now + 1, endTime: now + 3 })))).toEqual(["app/b-1", "app/a-2", "app/b-3"]);
    // Page by page through nextToken, interleaved order kept across pages.
    const paged: (string | undefined)[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: group, limit: 2, nextToken }));
      paged.push(...messages(page));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(paged).toEqual(["app/a-0", "app/b-1", "app/a-2", "app/b-3", "app/a-4", "other-5"]);
    // GetLogEvents without startFromHead gives the newest; its backward token pages older.
    const newest = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "app/a", limit: 1 }));
    expect(messages(newest)).toEqual(["app/a-4"]);
    expect(messages(await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "app/a", limit: 2, nextToken: newest.nextBackwardToken })))).toEqual(["app/a-0", "app/a-2"]);
    // Errors come back as the SDK's own exception classes.
    await expect(logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "nope" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "app/a" }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  it("answers bad input with CloudWatch Logs' error types, and DeleteLogGroup removes everything", async () => {
    // The calls that need no group run beside the ones on /berth/errors, which run in its order.
    await Promise.all([
      (async () => expect(await cliError("logs", "get-log-events", "--log-group-name", "/nope", "--log-stream-name", "s")).toMatch(/ResourceNotFoundException.*The specified log group does not exist\./))(),
      (async () => expect(await cliError("logs", "create-log-group", "--log-group-name", "bad name!")).toMatch(/InvalidParameterException.*'bad name!' at 'logGroupName'/))(),
      (async () => expect(await cliError("logs", "describe-metric-filters")).toMatch(/UnsupportedFeatureException/))(),
      (async () => {
        // A wrong secret is refused in the Logs API's shape.
        const wrong = await run(aws, ["logs", "describe-log-groups", "--endpoint-url", t.endpoint], { env: { ...env, AWS_SECRET_ACCESS_KEY: "wrong" } }).catch((err) => err);
        expect(String(wrong.stderr)).toMatch(/InvalidSignatureException/);
      })(),
      (async () => {
        await cli("logs", "create-log-group", "--log-group-name", "/berth/errors");
        const [again, retention, pattern, stream] = await Promise.all([
          cliError("logs", "create-log-group", "--log-group-name", "/berth/errors"),
          cliError("logs", "put-retention-policy", "--log-group-name", "/berth/errors", "--retention-in-days", "2"),
          cliError("logs", "filter-log-events", "--log-group-name", "/berth/errors", "--filter-pattern", '{ $.level = "x" }'),
          cliError("logs", "create-log-stream", "--log-group-name", "/berth/errors", "--log-stream-name", "a:b"),
        ]);
        expect(again).toMatch(/ResourceAlreadyExistsException.*The specified log group already exists/);
        expect(retention).toMatch(/InvalidParameterException.*retentionInDays: 2 is not one of/);
        expect(pattern).toMatch(/InvalidParameterException.*not supported/);
        expect(stream).toMatch(/InvalidParameterException.*at 'logStreamName'/);
        await cli("logs", "delete-log-group", "--log-group-name", "/berth/errors");
        const [listed, deletedAgain] = await Promise.all([cli("logs", "describe-log-groups", "--log-group-name-prefix", "/berth/errors"), cliError("logs", "delete-log-group", "--log-group-name", "/berth/errors")]);
        expect(listed.logGroups).toEqual([]);
        expect(deletedAgain).toMatch(/ResourceNotFoundException/);
      })(),
    ]);
  });
});

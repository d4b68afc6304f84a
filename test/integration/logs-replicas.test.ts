import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  type GetLogEventsCommandOutput,
} from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { compileControlPlaneConfig, keys, startControlPlane, type ControlPlane } from "@berth/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, testCaKeyFile, testLogger, type SingleHost } from "../support/berth.js";
import { TEST_IMAGE } from "../support/image.js";
import { freePort } from "../support/ports.js";

// Two control-plane replicas on one etcd, each with its own log store. The agent's session is
// held by the first (A), so its awslogs lines are stored there; PutLogEvents sent to the second
// (B) are stored there. Every Logs read, through either replica, sees both stores' lines.
const keysEnv = { BERTH_ACCESS_KEYS: "AKIDEXAMPLE:dummy-secret" };
const cluster = `logs-rep-${process.pid}`;
const group = "/logs/replicas";
let host: SingleHost;
let b: ControlPlane;
let bLogDir: string;
let logsA: CloudWatchLogsClient;
let logsB: CloudWatchLogsClient;
let agentStream: string;

const client = (endpoint: string) => new CloudWatchLogsClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" }, maxAttempts: 1 });

/** Every message of a stream, paging GetLogEvents from the head `limit` at a time. */
async function allMessages(logs: CloudWatchLogsClient, stream: string, limit: number): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page: GetLogEventsCommandOutput = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, limit, nextToken: token }));
    out.push(...(page.events ?? []).map((e) => e.message!));
    if (page.nextForwardToken === token) return out;
    token = page.nextForwardToken;
  }
  throw new Error("GetLogEvents never returned its token unchanged");
}

beforeAll(async () => {
  host = await startSingleHost(cluster, keysEnv);
  bLogDir = await mkdtemp(join(tmpdir(), "berth-logs-b-"));
  b = await startControlPlane(
    compileControlPlaneConfig({ etcdEndpoints: host.t.etcd.endpoint, apiAddress: "127.0.0.1:0", grpcAddress: "127.0.0.1:0", caKeyFile: testCaKeyFile, logDir: bLogDir }, keysEnv),
    testLogger(),
  );
  logsA = client(host.t.endpoint);
  logsB = client(`http://127.0.0.1:${b.apiPort}`);
  await host.t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "logs-rep",
      containerDefinitions: [
        {
          name: "app",
          image: TEST_IMAGE,
          memory: 16,
          command: ["sh", "-c", "for i in 1 2 3; do echo agent-line-$i; done; sleep 600"],
          stopTimeout: 1,
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": group, "awslogs-stream-prefix": "rep", "awslogs-create-group": "true" } },
        },
      ],
    }),
  );
  const arn = (await host.t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "logs-rep" }))).tasks![0].taskArn!;
  await eventually("the task to run", async () => ((await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0].lastStatus === "RUNNING" ? true : undefined), 60_000);
  agentStream = `rep/app/${arn.split("/").pop()}`;
  // Stored by A, whose replica holds the agent's session.
  await eventually("the agent's lines in A's store", async () => ((await allMessages(logsA, agentStream, 100).catch(() => [])).length === 3 ? true : undefined), 30_000);
}, 120_000);

afterAll(async () => {
  logsA?.destroy();
  logsB?.destroy();
  await b?.close();
  await host?.stop();
  if (bLogDir) await rm(bLogDir, { recursive: true, force: true });
});

describe("CloudWatch Logs through either of two replicas", () => {
  it("B serves the lines A stored: GetLogEvents, FilterLogEvents, DescribeLogStreams, DescribeLogGroups", async () => {
    expect(await allMessages(logsB, agentStream, 2)).toEqual(["agent-line-1", "agent-line-2", "agent-line-3"]);
    const filtered = await logsB.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNamePrefix: "rep/" }));
    expect(filtered.events!.map((e) => [e.logStreamName, e.message])).toEqual([1, 2, 3].map((i) => [agentStream, `agent-line-${i}`]));
    const streams = await logsB.send(new DescribeLogStreamsCommand({ logGroupName: group }));
    expect(streams.logStreams!.map((s) => s.logStreamName)).toEqual([agentStream]);
    expect((await logsB.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups!.map((g) => g.logGroupName)).toEqual([group]);
  });

  it("a stream split between the stores reads as one, in time order, paged across both; A sees B's lines", async () => {
    // The same stream written through each replica (as when its writer moved between them).
    const now = Date.now();
    // The group was created on A (awslogs-create-group); etcd records it, so B takes lines for it
    // (making it in its own store) and refuses to create it again.
    await expect(logsB.send(new CreateLogGroupCommand({ logGroupName: group }))).rejects.toMatchObject({ name: "ResourceAlreadyExistsException" });
    await logsB.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "split" }));
    await logsB.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "split", logEvents: [0, 2, 4].map((o) => ({ timestamp: now + o, message: `b-${o}` })) }));
    await logsA.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "split" }));
    await logsA.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "split", logEvents: [1, 3].map((o) => ({ timestamp: now + o, message: `a-${o}` })) }));
    const want = ["b-0", "a-1", "b-2", "a-3", "b-4"];
    for (const logs of [logsA, logsB]) {
      expect(await allMessages(logs, "split", 2)).toEqual(want);
      const filtered = await logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNames: ["split"], limit: 2 }));
      expect(filtered.events!.map((e) => e.message)).toEqual(["b-0", "a-1"]);
      const rest = await logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNames: ["split"], nextToken: filtered.nextToken }));
      expect(rest.events!.map((e) => e.message)).toEqual(["b-2", "a-3", "b-4"]);
      const split = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: "split" }))).logStreams!;
      expect(split).toMatchObject([{ logStreamName: "split", firstEventTimestamp: now, lastEventTimestamp: now + 4 }]);
    }
    // eventIds are unique across the stores.
    const all = await logsA.send(new FilterLogEventsCommand({ logGroupName: group }));
    expect(new Set(all.events!.map((e) => e.eventId)).size).toBe(all.events!.length);
  });

  it("a group only B holds is found through A; retention set through A reaches B's store", async () => {
    await logsB.send(new CreateLogGroupCommand({ logGroupName: "/only/b" }));
    await logsB.send(new CreateLogStreamCommand({ logGroupName: "/only/b", logStreamName: "s" }));
    await logsB.send(new PutLogEventsCommand({ logGroupName: "/only/b", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "from-b" }] }));
    const got = await logsA.send(new GetLogEventsCommand({ logGroupName: "/only/b", logStreamName: "s", startFromHead: true }));
    expect(got.events!.map((e) => e.message)).toEqual(["from-b"]);
    await logsA.send(new PutRetentionPolicyCommand({ logGroupName: "/only/b", retentionInDays: 7 }));
    expect((await logsB.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/only/" }))).logGroups).toMatchObject([{ logGroupName: "/only/b", retentionInDays: 7 }]);
    // A group created through A and written first through B carries A's retention there.
    await logsA.send(new CreateLogGroupCommand({ logGroupName: "/made/on-a" }));
    await logsA.send(new PutRetentionPolicyCommand({ logGroupName: "/made/on-a", retentionInDays: 3 }));
    await logsB.send(new CreateLogStreamCommand({ logGroupName: "/made/on-a", logStreamName: "s" }));
    await logsB.send(new PutLogEventsCommand({ logGroupName: "/made/on-a", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "via-b" }] }));
    expect((await logsA.send(new GetLogEventsCommand({ logGroupName: "/made/on-a", logStreamName: "s" }))).events!.map((e) => e.message)).toEqual(["via-b"]);
    // Nowhere: still ECS's ResourceNotFoundException.
    await expect(logsA.send(new GetLogEventsCommand({ logGroupName: "/nowhere", logStreamName: "s" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("an advertised replica that does not answer fails the read clearly; once it is gone the others answer alone", async () => {
    // A replica that advertises an address nothing answers on (as one that hangs would).
    const ghost = keys.replica("ghost:1:1");
    const kv = host.t.cp.ctx.store.kv;
    await kv.commit(host.t.cp.ctx.store.txn().put(ghost, { id: "ghost:1:1", apiUrl: `http://127.0.0.1:${await freePort()}`, startedAtMs: Date.now() }));
    try {
      const err = await logsA.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: agentStream, startFromHead: true })).catch((e: Error) => e);
      expect(err).toMatchObject({ name: "ServiceUnavailableException", message: expect.stringMatching(/^replica ghost:1:1 \(http:\/\/127\.0\.0\.1:\d+\), which holds part of the log store, did not answer/) });
    } finally {
      await kv.commit(host.t.cp.ctx.store.txn().delete(ghost));
    }
    // B closes (its advertisement goes with it): A answers with its own lines, without B's.
    await b.close();
    expect(await allMessages(logsA, agentStream, 2)).toEqual(["agent-line-1", "agent-line-2", "agent-line-3"]);
    expect(await allMessages(logsA, "split", 10)).toEqual(["a-1", "a-3"]);
  });
});

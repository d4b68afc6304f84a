import { spawn } from "node:child_process";
import { CloudWatchLogsClient, GetLogEventsCommand, type GetLogEventsCommandOutput } from "@aws-sdk/client-cloudwatch-logs";
import { CreateClusterCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { eventually, removeDir, startTestAgent, startTestControlPlane, type TestAgent, type TestControlPlane } from "../support/berth.js";
import { docker, removeContainersByLabel } from "../support/docker.js";
import { TEST_IMAGE } from "../support/image.js";
import { BENCH_PREFIX, DOCKER_CLI } from "./docker-cli.js";
import { progress, waitFor } from "./report.js";

/** Benchmark 7's figures, milliseconds and lines. */
export interface LogIngestResult {
  lines: number;
  /** Bytes of one line (they are all the same length). */
  lineBytes: number;
  /** dockerd's timestamps of the first and last line: how long the container took to write them. */
  writeMs: number;
  /** From the first line's timestamp until the Logs API returned every line (GetLogEvents paging). */
  berthIngestMs: number;
  /** `docker logs CONTAINER` reading the whole output once it was all written. */
  dockerLogsMs: number;
  /** GetLogEvents paging the whole stream from the head once it was all stored. */
  berthReadMs: number;
}

const group = `/${BENCH_PREFIX}/logs`;

/**
 * One container writes `lines` lines of ~100 bytes (awk, then it sleeps) with the awslogs driver
 * through a real control plane and agent: the agent reads its json-file log, ships batches over
 * its session, and the control plane appends them to its log store. Measured: the time from
 * the first line (dockerd's own timestamp) until GetLogEvents, polled every 100 ms for the
 * stream's newest event, returns the last line; then `docker logs` reading the same
 * container's output in full, and GetLogEvents reading the stored stream in full.
 */
export async function benchLogIngest(lines: number): Promise<LogIngestResult> {
  const cluster = `${BENCH_PREFIX}-logs-${process.pid}`;
  let t: TestControlPlane | undefined;
  let agent: TestAgent | undefined;
  let logs: CloudWatchLogsClient | undefined;
  try {
    t = await startTestControlPlane();
    const ecs = t.ecs;
    logs = new CloudWatchLogsClient({ endpoint: t.endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" }, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    agent = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: { BERTH_LOG_LEVEL: "info", ECS_CONTAINER_STOP_TIMEOUT: "1s" } });
    await eventually("the agent to register", async () => ((await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns?.length ? true : undefined), 30_000);
    const line = "%07d berth benchmark log line: the quick brown fox jumps over the lazy dog, twice over";
    const script = `awk 'BEGIN { for (i = 1; i <= ${lines}; i++) printf "${line}\\n", i }'; exec sleep 100000`;
    const family = `${BENCH_PREFIX}-logs`;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [
          {
            name: "main",
            image: TEST_IMAGE,
            memory: 32,
            stopTimeout: 1,
            command: ["sh", "-c", script],
            logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": group, "awslogs-stream-prefix": "bench", "awslogs-create-group": "true", "awslogs-region": "us-east-1" } },
          },
        ],
      }),
    );
    const arn = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }))).tasks?.[0]?.taskArn;
    if (!arn) throw new Error("RunTask placed no task");
    const stream = `bench/main/${arn.split("/").pop()}`;

    // Poll the stream's newest event as a tail would (the agent ships a container's lines in
    // order, so the last line stored means all are); a cheap poll, so the reader takes little
    // from the control plane it measures. The read-back below counts every line.
    const last = String(lines).padStart(7, "0");
    let newest = "";
    const started = Date.now();
    const p = progress(`awslogs ingestion of ${lines} lines`);
    await waitFor(p, started, async () => {
      const page = await logs!.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: false, limit: 1 })).catch((err: Error) => {
        if (err.name === "ResourceNotFoundException") return undefined; // the stream is not made yet
        throw err;
      });
      newest = page?.events?.at(-1)?.message ?? newest;
      return { ok: newest.startsWith(last), text: `newest stored: ${newest.slice(0, 7) || "none"}` };
    }, 300_000, 100);
    const doneAt = Date.now();

    const [container] = await docker().listContainers({ filters: { label: [`com.amazonaws.ecs.task-arn=${arn}`] } });
    const stamped = await dockerLogs(container.Id, true);
    const stampOf = (l: string) => Date.parse(l.slice(0, l.indexOf(" ")).replace(/(\.\d{3})\d*/, "$1"));
    const firstAt = stampOf(stamped.first);
    const writeMs = stampOf(stamped.last) - firstAt;
    const lineBytes = Buffer.byteLength(stamped.first.slice(stamped.first.indexOf(" ") + 1)) + 1;

    // The same output read back by both, each once it is complete.
    const plain = await dockerLogs(container.Id, false);
    if (plain.lines !== lines) throw new Error(`docker logs read ${plain.lines} lines`);
    const dockerLogsMs = plain.ms;
    const berthReadStarted = Date.now();
    let readBack = 0;
    let token: string | undefined;
    for (;;) {
      const page: GetLogEventsCommandOutput = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken: token }));
      readBack += page.events?.length ?? 0;
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    const berthReadMs = Date.now() - berthReadStarted;
    if (readBack !== lines) throw new Error(`GetLogEvents read back ${readBack} lines`);
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    return { lines, lineBytes, writeMs, berthIngestMs: doneAt - firstAt, dockerLogsMs, berthReadMs };
  } finally {
    logs?.destroy();
    await agent?.stop().catch(() => undefined);
    await t?.stop().catch(() => undefined);
    await removeContainersByLabel(`com.amazonaws.ecs.cluster=${cluster}`).catch(() => undefined);
    if (agent) await removeDir(agent.dataDir).catch(() => undefined);
  }
}

/**
 * Runs `docker logs [--timestamps] ID` as a user would and counts its stdout lines as they
 * stream (the output is tens of MB, more than a buffered exec holds): the count, the first and
 * last line, and the milliseconds until the command exited.
 */
function dockerLogs(id: string, timestamps: boolean): Promise<{ lines: number; first: string; last: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(DOCKER_CLI, ["logs", ...(timestamps ? ["--timestamps"] : []), id], { env: { ...process.env, DOCKER_API_VERSION: "1.41" }, stdio: ["ignore", "pipe", "inherit"] });
    let lines = 0;
    let first = "";
    let tail = "";
    let last = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const text = tail + chunk;
      const parts = text.split("\n");
      tail = parts.pop()!;
      if (lines === 0 && parts.length > 0) first = parts[0];
      lines += parts.length;
      if (parts.length > 0) last = parts.at(-1)!;
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve({ lines, first, last, ms: Date.now() - started }) : reject(new Error(`docker logs exited ${code}`))));
  });
}

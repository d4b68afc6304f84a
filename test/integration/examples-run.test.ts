import { execFile } from "node:child_process";
import http from "node:http";
import { promisify } from "node:util";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateClusterCommand, DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { core } from "@berth/controlplane";
import { eventually, removeDir, startTestAgent, startTestControlPlane, type TestAgent, type TestControlPlane } from "../support/berth.js";
import { docker, removeContainersByLabel } from "../support/docker.js";
import { ensureExampleImages } from "../support/example-images.js";
import { examplePath } from "../support/examples.js";

// The ECS guide's three task definitions, registered verbatim with the AWS CLI from their files
// and run as an ECS user runs them: web-app and batch-processor on FARGATE, microservice on EC2
// capacity, all three awsvpc, two logging with awslogs. Images are the local stand-ins named as
// the examples name them (no registry is reachable here).
const run = promisify(execFile);
const cluster = `examples-${process.pid}`;
const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
const zone = "us-east-1a";
const network = { awsvpcConfiguration: { subnets: [core.defaultSubnets("us-east-1")[0].subnetId] } };
let t: TestControlPlane;
let ec2: TestAgent;
let fargate: TestAgent;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  await ensureExampleImages();
  t = await startTestControlPlane();
  await t.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  // One EC2 instance and the cluster's Fargate capacity, both in the default subnet's zone.
  ec2 = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: { BERTH_AVAILABILITY_ZONE: zone } });
  fargate = await startTestAgent({ grpcAddress: t.grpcAddress, cluster, env: { BERTH_AVAILABILITY_ZONE: zone, BERTH_AGENT_FARGATE: "1" } });
  logs = new CloudWatchLogsClient({ endpoint: t.endpoint, region: "us-east-1", credentials: { accessKeyId: "berth", secretAccessKey: "berth" } });
  // Side by side: the CLI's start-up is most of each call's time.
  await Promise.all(
    (["web-app", "microservice", "batch-processor"] as const).map((name) => run("/usr/bin/aws", ["ecs", "register-task-definition", "--endpoint-url", t.endpoint, "--cli-input-json", `file://${examplePath(name)}`], { env })),
  );
}, 120_000);

afterAll(async () => {
  logs?.destroy();
  await ec2?.stop();
  await fargate?.stop();
  await removeContainersByLabel(`com.amazonaws.ecs.cluster=${cluster}`);
  // A task that failed mid-test leaves its pause container (berth's label, not ECS's).
  await removeContainersByLabel(`com.berth.cluster=${cluster}`);
  await t?.stop();
  await Promise.all([ec2, fargate].map((a) => a && removeDir(a.dataDir)));
});

const describeTask = async (arn: string): Promise<Task> => (await t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
async function until(arn: string, status: string): Promise<Task> {
  let last: Task | undefined;
  try {
    return await eventually(`task ${arn} ${status}`, async () => {
      last = await describeTask(arn);
      return last.lastStatus === status ? last : undefined;
    }, 60_000);
  } catch (err) {
    // Say where it stuck: the task's and its containers' states and reasons.
    const containers = last?.containers?.map((c) => `${c.name}=${c.lastStatus}${c.reason ? ` (${c.reason})` : ""}`).join(", ");
    throw new Error(`${(err as Error).message}; last ${last?.lastStatus} ${last?.stoppedReason ?? ""} [${containers}]`, { cause: err });
  }
}
const detail = (task: Task, name: string) => task.attachments?.[0]?.details?.find((d) => d.name === name)?.value;

/** One GET to the task's own address, as `curl http://<privateIPv4Address>/` would. */
function get(ip: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: ip, port, path: "/", timeout: 5_000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(body));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
  });
}

/** The messages of a log group whose text matches, as `aws logs tail` polls them. */
async function logLines(group: string, match: RegExp): Promise<string[] | undefined> {
  const res = await logs.send(new FilterLogEventsCommand({ logGroupName: group })).catch(() => undefined);
  const lines = (res?.events ?? []).map((e) => e.message ?? "").filter((m) => match.test(m));
  return lines.length > 0 ? lines : undefined;
}

describe("the guide's examples run verbatim", () => {
  it("web-app on FARGATE answers on its own address, port 80, and its output reaches /ecs/web-app", async () => {
    const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "web-app", launchType: "FARGATE", networkConfiguration: network }));
    expect(res.failures).toEqual([]);
    const task = await until(res.tasks![0].taskArn!, "RUNNING");
    expect(task).toMatchObject({ launchType: "FARGATE", platformVersion: "1.4.0", cpu: "256", memory: "512" });
    expect(task.attachments?.[0]).toMatchObject({ type: "ElasticNetworkInterface", status: "ATTACHED" });
    const ip = detail(task, "privateIPv4Address")!;
    expect(ip).toMatch(/^172\.31\.\d+\.\d+$/);
    expect(detail(task, "networkInterfaceId")).toMatch(/^eni-[0-9a-f]{17}$/);
    expect(await eventually("web-app to answer", () => get(ip, 80).catch(() => undefined), 20_000)).toContain("berth web-app");
    // The definition names the group but no prefix: the console's default `ecs` completes it.
    const lines = await eventually("web-app's access log in /ecs/web-app", () => logLines("/ecs/web-app", /response:200/), 30_000);
    expect(lines.length).toBeGreaterThan(0);
    await t.ecs.send(new StopTaskCommand({ cluster, task: task.taskArn }));
    await until(task.taskArn!, "STOPPED");
  });

  it("microservice on EC2 capacity: api-service reaches redis-cache on localhost:6379", async () => {
    const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "microservice", launchType: "EC2", networkConfiguration: network }));
    expect(res.failures).toEqual([]);
    const task = await until(res.tasks![0].taskArn!, "RUNNING");
    expect(task.containers?.map((c) => c.name).sort()).toEqual(["api-service", "redis-cache"]);
    // Both containers share the task's one interface, as on ECS.
    const ip = detail(task, "privateIPv4Address")!;
    expect(task.containers?.every((c) => c.networkInterfaces?.[0]?.privateIpv4Address === ip)).toBe(true);
    const [api] = await docker().listContainers({ filters: { label: [`com.amazonaws.ecs.task-arn=${task.taskArn}`, "com.amazonaws.ecs.container-name=api-service"] } });
    const output = await eventually("api-service to reach redis-cache", async () => {
      const buf = (await docker().getContainer(api.Id).logs({ stdout: true, stderr: true })) as Buffer;
      return buf.toString().includes("reached-redis") ? buf.toString() : undefined;
    }, 20_000);
    expect(output).toContain("PONG");
    expect(await eventually("api-service on 3000", () => get(ip, 3000).catch(() => undefined), 20_000)).toContain("api");
    await t.ecs.send(new StopTaskCommand({ cluster, task: task.taskArn }));
    await until(task.taskArn!, "STOPPED");
  });

  it("batch-processor on FARGATE runs to completion, its output in the console's default group", async () => {
    const res = await t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "batch-processor", launchType: "FARGATE", networkConfiguration: network }));
    expect(res.failures).toEqual([]);
    const task = await until(res.tasks![0].taskArn!, "STOPPED");
    expect(task.containers?.[0]).toMatchObject({ name: "data-processor", exitCode: 0 });
    // No awslogs options at all: group /ecs/<family>, prefix ecs, as the console fills them in.
    const lines = await eventually("batch output in /ecs/batch-processor", () => logLines("/ecs/batch-processor", /processing my-data-bucket|batch done/), 30_000);
    expect(lines).toEqual(["processing my-data-bucket", "batch done"]);
  });
});

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { DescribeTasksCommand, ECSClient, type NetworkConfiguration, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type ContainerDefinition, type Volume } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { core } from "@berth/controlplane";
import { eventually, startSingleHost, type SingleHost } from "../support/berth.js";
import { docker, shInContainer } from "../support/docker.js";

// The task metadata endpoint and task role credentials end to end (docs/TASK-METADATA.md): a
// bridge task reads its own metadata, stats and credentials at 169.254.170.2 with busybox's
// wget, and so does an awsvpc task from its own namespace; the credentials sign a ListTasks that SigV4 (switched on) accepts, a tampered token is
// refused, and a stopped task's are revoked; a made-up endpoint id reads nothing; and boto3 and
// the AWS CLI inside a host-network task (the host's /usr bind-mounted, as busybox has neither)
// list their own cluster's tasks with no credentials configured.
const cluster = `tmeta-${process.pid}`;
const image = "berth-test/busybox:latest";
const roleArn = "arn:aws:iam::000000000000:role/tmeta-app";
const zone = "us-east-1a";
let host: SingleHost;

const shIn = (containerId: string, script: string) => shInContainer(containerId, script);

/** Runs one task of `family` and waits until it runs; its ARN and first container's Docker id. */
async function runTask(family: string, networkConfiguration?: NetworkConfiguration): Promise<{ arn: string; dockerId: string }> {
  const res = await host.t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: family, networkConfiguration }));
  expect(res.failures).toEqual([]);
  const arn = res.tasks![0]!.taskArn!;
  const task = await eventually(`${family} to run`, async () => {
    const d = (await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
    return d?.lastStatus === "RUNNING" ? d : undefined;
  });
  return { arn, dockerId: task.containers![0]!.runtimeId! };
}

async function register(family: string, containerDefinitions: ContainerDefinition[], extra: { taskRoleArn?: string; networkMode?: "host" | "bridge" | "awsvpc"; volumes?: Volume[] } = {}): Promise<void> {
  await host.t.ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions, ...extra }));
}

/** An ECS client signing with a task's credentials, as an SDK inside it would. */
const taskClient = (c: { AccessKeyId: string; SecretAccessKey: string; Token: string }) =>
  new ECSClient({ endpoint: host.t.endpoint, region: "us-east-1", credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.Token }, maxAttempts: 1 });

beforeAll(async () => {
  // SigV4 on: only configured keys, and berth-issued task credentials, get through.
  // The zone has a default subnet, so awsvpc tasks get an address (see awsvpc.test.ts).
  host = await startSingleHost(cluster, { BERTH_ACCESS_KEYS: "AKIDEXAMPLE:dummy-secret" }, undefined, { BERTH_AVAILABILITY_ZONE: zone });
  // sleep as PID 1 ignores SIGTERM: a short stopTimeout keeps StopTask quick.
  const sleeper: ContainerDefinition = { name: "app", image, memory: 32, command: ["sleep", "600"], stopTimeout: 2 };
  await register("tmeta-role", [sleeper], { taskRoleArn: roleArn });
  await register("tmeta-plain", [sleeper]);
  await register("tmeta-vpc", [sleeper], { networkMode: "awsvpc", taskRoleArn: roleArn });
}, 120_000);

afterAll(async () => {
  await host?.stop();
});

describe("task metadata endpoint v4", () => {
  it("a bridge task reads its own task, container and stats documents at $ECS_CONTAINER_METADATA_URI_V4", async () => {
    const { arn, dockerId } = await runTask("tmeta-plain");
    const uri = (await shIn(dockerId, 'echo "$ECS_CONTAINER_METADATA_URI_V4"')).trim();
    expect(uri).toMatch(/^http:\/\/169\.254\.170\.2\/v4\/[0-9a-f]{8}-[0-9a-f]{32}$/);
    // No role, no credentials URI.
    expect((await shIn(dockerId, 'echo "${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-none}"')).trim()).toBe("none");

    const task = JSON.parse(await shIn(dockerId, 'wget -qO- "$ECS_CONTAINER_METADATA_URI_V4/task"'));
    expect(task).toMatchObject({
      Cluster: expect.stringContaining(`:cluster/${cluster}`),
      TaskARN: arn,
      Family: "tmeta-plain",
      Revision: "1",
      DesiredStatus: "RUNNING",
      KnownStatus: "RUNNING",
      LaunchType: "EC2",
      Containers: [{ Name: "app", DockerId: dockerId, Image: image, KnownStatus: "RUNNING", Type: "NORMAL", Limits: { Memory: 32 } }],
    });
    expect(task.Containers[0].ImageID).toMatch(/^sha256:/);
    expect(task.Containers[0].Networks[0]).toMatchObject({ NetworkMode: "bridge", IPv4Addresses: [expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/)] });

    const own = JSON.parse(await shIn(dockerId, 'wget -qO- "$ECS_CONTAINER_METADATA_URI_V4"'));
    expect(own).toMatchObject({ Name: "app", DockerId: dockerId, ContainerARN: expect.stringContaining(`:container/${cluster}/`) });

    const stats = JSON.parse(await shIn(dockerId, 'wget -qO- "$ECS_CONTAINER_METADATA_URI_V4/stats"'));
    expect(stats.memory_stats?.usage).toBeGreaterThan(0);
    expect(stats.cpu_stats?.cpu_usage?.total_usage).toBeGreaterThan(0);
    const taskStats = JSON.parse(await shIn(dockerId, 'wget -qO- "$ECS_CONTAINER_METADATA_URI_V4/task/stats"'));
    expect(Object.keys(taskStats)).toEqual([dockerId]);

    // An id of the same agent with a made-up MAC (the only way to name another task's) reads nothing.
    const forged = await shIn(dockerId, 'wget -qO- "${ECS_CONTAINER_METADATA_URI_V4%-*}-00000000000000000000000000000000/task" || echo refused');
    expect(forged.trim()).toBe("refused");
  }, 60_000);
});

describe("task metadata endpoint from an awsvpc task", () => {
  it("an awsvpc task, in its own namespace behind the CNI bridge, reaches 169.254.170.2 for its metadata and credentials", async () => {
    const subnet = core.defaultSubnets("us-east-1").find((s) => s.availabilityZone === zone)!;
    const { arn, dockerId } = await runTask("tmeta-vpc", { awsvpcConfiguration: { subnets: [subnet.subnetId] } });
    const described = (await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
    const ip = described.attachments?.[0]?.details?.find((d) => d.name === "privateIPv4Address")?.value;
    expect(ip).toMatch(/^172\.31\./);
    const task = JSON.parse(await shIn(dockerId, 'wget -qO- "$ECS_CONTAINER_METADATA_URI_V4/task"'));
    expect(task).toMatchObject({ TaskARN: arn, Containers: [{ Name: "app", Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: [ip] }] }] });
    const creds = JSON.parse(await shIn(dockerId, 'wget -qO- "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"'));
    expect(creds).toMatchObject({ RoleArn: roleArn, AccessKeyId: expect.stringMatching(/^ASIA/) });
    // Stopped here, so the agent releases the namespace and its address before the host goes.
    await host.t.ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await eventually("the awsvpc task to stop", async () => ((await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]?.lastStatus === "STOPPED" ? true : undefined));
  }, 60_000);
});

describe("task role credentials", () => {
  it("a task with taskRoleArn gets credentials that sign berth calls until it stops, kept only in memory and re-sent after an agent restart; a tampered token is refused", async () => {
    const { arn, dockerId } = await runTask("tmeta-role");
    const creds = JSON.parse(await shIn(dockerId, 'wget -qO- "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"'));
    expect(creds).toMatchObject({ RoleArn: roleArn, AccessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/), Expiration: expect.stringMatching(/Z$/) });
    expect(Date.parse(creds.Expiration) - Date.now()).toBeGreaterThan(5 * 3600_000);

    const good = taskClient(creds);
    const listed = await good.send(new ListTasksCommand({ cluster }));
    expect(listed.taskArns).toContain(arn);

    const tampered = taskClient({ ...creds, Token: creds.Token.slice(0, -4) + (creds.Token.endsWith("AAAA") ? "BBBB" : "AAAA") });
    await expect(tampered.send(new ListTasksCommand({ cluster }))).rejects.toMatchObject({ name: "UnrecognizedClientException" });
    const noToken = taskClient({ ...creds, Token: undefined as unknown as string });
    await expect(noToken.send(new ListTasksCommand({ cluster }))).rejects.toMatchObject({ name: "UnrecognizedClientException" });

    // Held in memory only: nothing in the agent's data folder has the secret or the token.
    for (const f of await readdir(host.agent.dataDir)) {
      const text = await readFile(join(host.agent.dataDir, f), "utf8").catch(() => "");
      expect(text).not.toContain(creds.SecretAccessKey);
      expect(text).not.toContain(creds.Token);
    }
    // A restarted agent answers the same path (derived ids) with fresh credentials its new session brought.
    await host.restartAgent();
    const fresh = await eventually("credentials after the agent restarted", async () => {
      const c = JSON.parse(await shIn(dockerId, 'wget -qO- "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"'));
      return c.AccessKeyId && c.AccessKeyId !== creds.AccessKeyId ? c : undefined;
    });
    const freshClient = taskClient(fresh);
    expect((await freshClient.send(new ListTasksCommand({ cluster }))).taskArns).toContain(arn);

    await host.t.ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await eventually("the role task to stop", async () => {
      const d = (await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
      return d?.lastStatus === "STOPPED" ? true : undefined;
    });
    // A stopped task's credentials are revoked before they expire.
    await expect(good.send(new ListTasksCommand({ cluster }))).rejects.toMatchObject({ name: "UnrecognizedClientException" });
    await expect(freshClient.send(new ListTasksCommand({ cluster }))).rejects.toMatchObject({ name: "UnrecognizedClientException" });
    for (const c of [good, tampered, noToken, freshClient]) c.destroy();
  }, 60_000);

  it("boto3 and the AWS CLI inside a host-network task list their own cluster's tasks with no credentials configured", async () => {
    // The host's Python, boto3 and AWS CLI, mounted where they live (busybox has none of them).
    const volumes: Volume[] = [
      { name: "usr", host: { sourcePath: "/usr" } },
      { name: "lib", host: { sourcePath: "/usr/lib" } },
      { name: "lib64", host: { sourcePath: "/usr/lib64" } },
    ];
    const mountPoints = [
      { sourceVolume: "usr", containerPath: "/usr", readOnly: true },
      { sourceVolume: "lib", containerPath: "/lib", readOnly: true },
      { sourceVolume: "lib64", containerPath: "/lib64", readOnly: true },
    ];
    const py = `import boto3, json, sys\nc = boto3.client("ecs", endpoint_url=sys.argv[1])\nprint(json.dumps(c.list_tasks(cluster=sys.argv[2])["taskArns"]))`;
    const script = `/usr/bin/python3 -c "$PY" "$BERTH" "$CLUSTER" && /usr/bin/aws ecs list-tasks --cluster "$CLUSTER" --endpoint-url "$BERTH" --output json; echo "exit=$?"; sleep 600`;
    await register(
      "tmeta-sdk",
      [
        {
          name: "app",
          image,
          memory: 256,
          command: ["sh", "-c", script],
          environment: [
            { name: "PY", value: py },
            { name: "BERTH", value: host.t.endpoint },
            { name: "CLUSTER", value: cluster },
            { name: "HOME", value: "/tmp" },
            { name: "AWS_PAGER", value: "" },
          ],
          mountPoints,
        },
      ],
      { taskRoleArn: roleArn, networkMode: "host", volumes },
    );
    const { arn, dockerId } = await runTask("tmeta-sdk");
    const logs = await eventually("the SDK calls to finish", async () => {
      const text = (await docker().getContainer(dockerId).logs({ stdout: true, stderr: true })).toString("utf8");
      return text.includes("exit=") ? text : undefined;
    }, 30_000);
    expect(logs).toContain("exit=0");
    // boto3's line and the CLI's document both name the task itself.
    const boto3Line = logs.split("\n").find((l) => l.includes("[\""));
    expect(boto3Line).toContain(arn);
    expect(logs).toContain(`"taskArns"`);
    expect(logs.split(arn).length).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

import { DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost } from "../support/berth.js";
import { shInContainer } from "../support/docker.js";

// Task role credentials rotate before they expire (docs/TASK-METADATA.md): with a 4 s validity
// the control plane sends new ones once less than half is left, the task's credentials URI
// serves the new ones, both sign until their own expiration, and an expired one is refused
// with ExpiredTokenException, as AWS refuses an expired session token.
const cluster = `tcred-${process.pid}`;
const roleArn = "arn:aws:iam::000000000000:role/tcred-app";
let host: SingleHost;

type Creds = { AccessKeyId: string; SecretAccessKey: string; Token: string; Expiration: string };

/** The credentials the task's container reads at 169.254.170.2, as an SDK inside it would. */
async function credentialsOf(containerId: string): Promise<Creds> {
  return JSON.parse(await shInContainer(containerId, 'wget -qO- "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"')) as Creds;
}

const list = (c: Creds) => {
  const client = new ECSClient({ endpoint: host.t.endpoint, region: "us-east-1", credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.Token }, maxAttempts: 1 });
  return client.send(new ListTasksCommand({ cluster })).finally(() => client.destroy());
};

beforeAll(async () => {
  host = await startSingleHost(cluster, { BERTH_ACCESS_KEYS: "AKIDEXAMPLE:dummy-secret", BERTH_TASK_CREDENTIALS_TTL_MS: "4000" });
  await host.t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "tcred",
      taskRoleArn: roleArn,
      containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", memory: 32, command: ["sleep", "600"], stopTimeout: 2 }],
    }),
  );
}, 120_000);

afterAll(async () => {
  await host?.stop();
});

describe("task role credential rotation", () => {
  it("new credentials arrive before the old expire; each signs until its expiration, then ExpiredTokenException", async () => {
    const arn = (await host.t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: "tcred" }))).tasks![0]!.taskArn!;
    const task = await eventually("the task to run", async () => {
      const d = (await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
      return d?.lastStatus === "RUNNING" ? d : undefined;
    });
    const dockerId = task.containers![0]!.runtimeId!;
    const first = await credentialsOf(dockerId);
    expect((await list(first)).taskArns).toContain(arn);

    const second = await eventually("rotated credentials", async () => {
      const c = await credentialsOf(dockerId);
      return c.AccessKeyId !== first.AccessKeyId ? c : undefined;
    }, 10_000, 250);
    expect(Date.parse(second.Expiration)).toBeGreaterThan(Date.parse(first.Expiration));
    expect((await list(second)).taskArns).toContain(arn);

    // Expiration is written in whole seconds: a second past it, the first has surely expired.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(first.Expiration) + 1100 - Date.now())));
    await expect(list(first)).rejects.toMatchObject({ name: "ExpiredTokenException" });
    // What the task reads now still works: it is always a fresh one.
    expect((await list(await credentialsOf(dockerId))).taskArns).toContain(arn);
  }, 60_000);
});

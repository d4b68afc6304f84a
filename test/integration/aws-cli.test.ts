import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { examplePath } from "../support/examples.js";

// The README's walkthrough, through the real clients a user has: Debian's AWS CLI v2 and boto3.
const run = promisify(execFile);
const aws = "/usr/bin/aws";
const localWeb = fileURLToPath(new URL("../../docs/examples/local-web.json", import.meta.url));
const cluster = `cli-${process.pid}`;
let host: SingleHost;
let t: TestControlPlane;

const env = { ...process.env, AWS_ACCESS_KEY_ID: "berth", AWS_SECRET_ACCESS_KEY: "berth", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };

async function ecs(...args: string[]): Promise<any> {
  const { stdout } = await run(aws, ["ecs", "--endpoint-url", t.endpoint, "--output", "json", ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

beforeAll(async () => {
  if (!existsSync(aws)) throw new Error("Debian's awscli is required (/usr/bin/aws)");
  host = await startSingleHost(cluster);
  t = host.t;
});

afterAll(async () => {
  await host?.stop();
});

describe("the AWS CLI walkthrough", () => {
  it("registers the guide's examples verbatim with --cli-input-json, revisions counting up", async () => {
    // Three families side by side (the CLI's start-up is most of a call's time), each at revision 1.
    const first = await Promise.all((["web-app", "microservice", "batch-processor"] as const).map((name) => ecs("register-task-definition", "--cli-input-json", `file://${examplePath(name)}`)));
    expect(first.map((res) => res.taskDefinition.revision)).toEqual([1, 1, 1]);
    const again = await ecs("register-task-definition", "--cli-input-json", `file://${examplePath("web-app")}`);
    expect(again.taskDefinition.taskDefinitionArn).toBe("arn:aws:ecs:us-east-1:000000000000:task-definition/web-app:2");
    const [families, described] = await Promise.all([ecs("list-task-definition-families"), ecs("describe-task-definition", "--task-definition", "web-app")]);
    expect(families.families.sort()).toEqual(["batch-processor", "microservice", "web-app"]);
    expect(described.taskDefinition.revision).toBe(2);
    expect((await ecs("deregister-task-definition", "--task-definition", "web-app:1")).taskDefinition.status).toBe("INACTIVE");
  });

  it("runs the local web server, reaches it on its dynamic port, and stops it", async () => {
    await ecs("register-task-definition", "--cli-input-json", `file://${localWeb}`);
    const res = await ecs("run-task", "--cluster", cluster, "--task-definition", "local-web", "--count", "2");
    expect(res.failures).toEqual([]);
    expect(res.tasks).toHaveLength(2);
    const arn = res.tasks[0].taskArn;
    const port = await eventually("the task to run with a bound port", async () => {
      const d = await ecs("describe-tasks", "--cluster", cluster, "--tasks", arn);
      return d.tasks[0].lastStatus === "RUNNING" ? d.tasks[0].containers[0].networkBindings[0].hostPort : undefined;
    });
    const page = await (await fetch(`http://127.0.0.1:${port}/index.html`)).text();
    expect(page.trim()).toBe("hello from berth");
    expect((await ecs("list-tasks", "--cluster", cluster, "--family", "local-web")).taskArns).toHaveLength(2);
    await ecs("stop-task", "--cluster", cluster, "--task", arn, "--reason", "done");
    await eventually("the task to stop", async () => {
      const d = await ecs("describe-tasks", "--cluster", cluster, "--tasks", arn);
      return d.tasks[0].lastStatus === "STOPPED" ? true : undefined;
    });
    expect((await ecs("list-tasks", "--cluster", cluster, "--desired-status", "STOPPED")).taskArns).toEqual([arn]);
  });

  // The next four read or touch different things (one task running throughout): side by side.
  it.concurrent("describes the container instance with resources, connection and counts", async () => {
    const [arn] = (await ecs("list-container-instances", "--cluster", cluster)).containerInstanceArns;
    const ci = (await ecs("describe-container-instances", "--cluster", cluster, "--container-instances", arn)).containerInstances[0];
    expect(ci.agentConnected).toBe(true);
    expect(ci.runningTasksCount).toBe(1);
    const mem = (list: { name: string; integerValue: number }[]) => list.find((r) => r.name === "MEMORY")!.integerValue;
    expect(mem(ci.registeredResources) - mem(ci.remainingResources)).toBe(64);
  });

  it.concurrent("puts the README's custom attribute on the agent's own instance and filters by it", async () => {
    // The agent registers some 30 built-in attributes (ecs.*, com.amazonaws.ecs.capability.*);
    // none of them count against ECS's limit of 10 custom attributes.
    const instance: string = (await ecs("list-container-instances", "--cluster", cluster, "--query", "containerInstanceArns[0]")) as string;
    const before = (await ecs("describe-container-instances", "--cluster", cluster, "--container-instances", instance)).containerInstances[0];
    expect(before.attributes.length).toBeGreaterThan(10);
    const put = await ecs("put-attributes", "--cluster", cluster, "--attributes", `name=stack,value=prod,targetType=container-instance,targetId=${instance}`);
    expect(put.attributes).toEqual([{ name: "stack", value: "prod", targetType: "container-instance", targetId: instance }]);
    expect((await ecs("list-container-instances", "--cluster", cluster, "--filter", "attribute:stack == prod")).containerInstanceArns).toEqual([instance]);
    const after = (await ecs("describe-container-instances", "--cluster", cluster, "--container-instances", instance)).containerInstances[0];
    expect(after.attributes).toContainEqual({ name: "stack", value: "prod" });
    expect(after.attributes).toHaveLength(before.attributes.length + 1);
    await ecs("delete-attributes", "--cluster", cluster, "--attributes", `name=stack,targetType=container-instance,targetId=${instance}`);
  });

  it.concurrent("answers ECS error shapes the CLI understands", async () => {
    await expect(ecs("describe-task-definition", "--task-definition", "nope:7")).rejects.toMatchObject({
      stderr: expect.stringMatching(/ClientException/),
    });
  });

  it.concurrent("serves boto3 too", async () => {
    const script = `import boto3, json
c = boto3.client("ecs", endpoint_url="${t.endpoint}", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
print(json.dumps(c.list_clusters()["clusterArns"]))`;
    const { stdout } = await run("/usr/bin/python3", ["-c", script], { env });
    expect(JSON.parse(stdout)).toContain(`arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`);
  });

  it("creates the README's DAEMON service with --scheduling-strategy and deletes it without --force", async () => {
    await ecs("register-task-definition", "--cli-input-json", `file://${localWeb}`);
    const created = await ecs("create-service", "--cluster", cluster, "--service-name", "node-agent", "--task-definition", "local-web", "--scheduling-strategy", "DAEMON");
    expect(created.service).toMatchObject({ schedulingStrategy: "DAEMON", desiredCount: 1 });
    await eventually("the daemon task running", async () => {
      const s = (await ecs("describe-services", "--cluster", cluster, "--services", "node-agent")).services[0];
      return s.runningCount === 1 && s.desiredCount === 1 ? s : undefined;
    });
    expect((await ecs("delete-service", "--cluster", cluster, "--service", "node-agent")).service.status).toBe("DRAINING");
  });
});

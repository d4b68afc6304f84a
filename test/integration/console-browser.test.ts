// The web console in a real browser (Debian's chromium, headless, through playwright-core)
// against a control plane with a real agent: the pages list what the ECS API lists, actions
// in the console change what the API reports, live updates arrive without a reload, keyboard
// navigation works and axe-core finds no serious or critical problem on any page. Each page's
// screenshot goes to docs/console/.
import {
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
} from "@aws-sdk/client-ecs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost } from "../support/berth.js";
import { launchBrowser, requireBuiltConsole, screenshot, seriousAxeViolations } from "../support/browser.js";
import { TEST_IMAGE } from "../support/image.js";

const cluster = `console-${process.pid}`;
let host: SingleHost;
let browser: Browser;
let page: Page;
let base: string;
let stopped = false;
let jobTaskId = "";

const web: ContainerDefinition = {
  name: "web",
  image: TEST_IMAGE,
  memory: 24,
  cpu: 64,
  essential: true,
  stopTimeout: 1,
  portMappings: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }],
  command: ["sh", "-c", "trap 'exit 0' TERM; echo hello from web; while true; do echo tick; sleep 1; done"],
};
const job: ContainerDefinition = { name: "job", image: TEST_IMAGE, memory: 16, essential: true, command: ["sh", "-c", "echo bye; exit 3"] };

const ecs = () => host.t.ecs;
const serviceOf = async () => (await ecs().send(new DescribeServicesCommand({ cluster, services: ["web"] }))).services![0];
const runningIds = async (filter: { serviceName?: string } = {}) =>
  ((await ecs().send(new ListTasksCommand({ cluster, desiredStatus: "RUNNING", ...filter }))).taskArns ?? []).map((a) => a.slice(a.lastIndexOf("/") + 1)).sort();

/** Opens a console page and waits for its heading. */
async function open(path: string, heading: string | RegExp): Promise<void> {
  await page.goto(`${base}/console/${path}`);
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

/** Fails naming each serious or critical axe-core violation on the page. */
async function expectAccessible(): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

/** The text and tag of the focused element (evaluated in the page, as a string: the tests compile without DOM types). */
const focused = () => page.evaluate<{ text: string; tag: string }>("({ text: document.activeElement?.textContent ?? '', tag: document.activeElement?.tagName ?? '' })");

/** One Application Auto Scaling call (JSON 1.1, unsigned: this control plane has no keys). */
async function scaling(op: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${base}/`, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `AnyScaleFrontendService.${op}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${op}: ${res.status} ${await res.text()}`);
}

/** Waits until the live feed says it is on (so a later change must arrive through it). */
const untilLive = () => page.getByTestId("live").filter({ hasText: "Live updates on" }).waitFor({ timeout: 15_000 });

beforeAll(async () => {
  // Stats every second (the agent inherits it), so the task page's sparklines have samples soon.
  process.env.BERTH_STATS_REPORT_INTERVAL = "1s";
  host = await startSingleHost(cluster, { BERTH_RECONCILE_INTERVAL_MS: "300" });
  delete process.env.BERTH_STATS_REPORT_INTERVAL;
  base = host.t.endpoint;
  await ecs().send(new RegisterTaskDefinitionCommand({ family: "web", networkMode: "bridge", containerDefinitions: [web] }));
  await ecs().send(new RegisterTaskDefinitionCommand({ family: "job", networkMode: "bridge", containerDefinitions: [job] }));
  await ecs().send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: "web", desiredCount: 1 }));
  const ran = await ecs().send(new RunTaskCommand({ cluster, taskDefinition: "job" }));
  jobTaskId = ran.tasks![0].taskArn!.split("/").pop()!;
  await eventually("the service to run its task and the job to stop", async () => {
    const s = await serviceOf();
    const t = (await ecs().send(new DescribeTasksCommand({ cluster, tasks: [jobTaskId] }))).tasks![0];
    return s.runningCount === 1 && t.lastStatus === "STOPPED" ? true : undefined;
  }, 60_000, 300);
  await requireBuiltConsole(base);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  if (!stopped) await host?.stop();
});

describe("console pages list what the API lists", () => {
  it("clusters: the cluster with its counts and resource bars", async () => {
    await open("", "Clusters");
    const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: cluster }) });
    await card.waitFor();
    const ci = (await ecs().send(new DescribeContainerInstancesCommand({ cluster, containerInstances: (await ecs().send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns! }))).containerInstances!;
    const cpu = ci[0].registeredResources!.find((r) => r.name === "CPU")!.integerValue!;
    expect(await card.getByRole("meter", { name: "CPU reserved" }).getAttribute("aria-valuemax")).toBe(String(cpu));
    await card.getByText("1 running").waitFor();
    await card.getByText("1 stopped").waitFor();
    await untilLive();
    await expectAccessible();
    await screenshot(page, "clusters");
  });

  it("services: the service with its desired and running counts, and its page with deployments and events", async () => {
    await open(`clusters/${cluster}/services`, `Services of ${cluster}`);
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "web", exact: true }) });
    expect(await row.getByTestId("desired").textContent()).toBe("1");
    expect(await row.getByTestId("running").textContent()).toBe("1");
    await expectAccessible();
    await screenshot(page, "services");
    // Auto scaling settings come from the Application Auto Scaling API on the same endpoint.
    const resource = { ServiceNamespace: "ecs", ResourceId: `service/${cluster}/web`, ScalableDimension: "ecs:service:DesiredCount" };
    await scaling("RegisterScalableTarget", { ...resource, MinCapacity: 1, MaxCapacity: 4 });
    await scaling("PutScalingPolicy", {
      ...resource,
      PolicyName: "cpu50",
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" } },
    });
    await row.getByRole("link", { name: "web", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Service web" }).waitFor();
    const s = await serviceOf();
    await page.getByText(s.deployments![0].id!, { exact: true }).waitFor();
    await page.getByRole("list", { name: "Latest service events" }).getByText(s.events![0].message!).first().waitFor();
    await page.getByRole("heading", { level: 2, name: "Auto scaling" }).waitFor();
    await page.getByText("1 to 4 tasks").first().waitFor();
    await page.getByText("cpu50: keep ECSServiceAverageCPUUtilization at 50").first().waitFor();
    await page.getByText("ROLLING", { exact: true }).first().waitFor();
    await expectAccessible();
    await screenshot(page, "service");
    // The later tests scale by hand: no policy of this one's may act meanwhile.
    await scaling("DeregisterScalableTarget", resource);
  });

  it("tasks: the ids ListTasks gives, filtered by family and status", async () => {
    await open(`clusters/${cluster}/tasks`, `Tasks of ${cluster}`);
    const ids = await runningIds();
    for (const id of ids) await page.getByRole("link", { name: id }).waitFor();
    expect(await page.getByRole("table").getByRole("row").count()).toBe(ids.length + 1);
    await page.getByLabel("Desired status").selectOption("STOPPED");
    await page.getByLabel("Family").selectOption("job");
    await page.getByRole("link", { name: jobTaskId }).waitFor();
    expect(page.url()).toContain("status=STOPPED");
    await expectAccessible();
    await screenshot(page, "tasks");
  });

  it("a stopped task shows its exit code and reason, and its log", async () => {
    await page.getByRole("link", { name: jobTaskId }).click();
    await page.getByRole("heading", { level: 1, name: `Task ${jobTaskId}` }).waitFor();
    const t = (await ecs().send(new DescribeTasksCommand({ cluster, tasks: [jobTaskId] }))).tasks![0];
    expect(await page.getByTestId("exit-code").textContent()).toBe("3");
    expect(await page.getByTestId("stopped-reason").textContent()).toBe(t.stoppedReason);
    expect(t.stoppedReason).toMatch(/Essential container in task exited/);
    await page.getByRole("log", { name: "Log of container job" }).getByText("bye").waitFor();
    await expectAccessible();
  });

  it("a running task shows its host port and follows its log live", async () => {
    const [id] = await runningIds({ serviceName: "web" });
    await open(`clusters/${cluster}/tasks/${id}`, `Task ${id}`);
    const t = (await ecs().send(new DescribeTasksCommand({ cluster, tasks: [id] }))).tasks![0];
    const hostPort = t.containers![0].networkBindings![0].hostPort!;
    await page.getByRole("cell", { name: new RegExp(`:${hostPort}->8080/tcp`) }).waitFor();
    const log = page.getByRole("log", { name: "Log of container web" });
    await log.getByText("hello from web").waitFor();
    const ticks = await log.getByText("tick").count();
    // Lines written after the page opened arrive on the followed stream.
    await eventually("new log lines", async () => ((await log.getByText("tick").count()) > ticks + 1 ? true : undefined), 15_000, 300);
    // The agents' stats through GET /berth/v1/task-stats: the page polls every 5 s.
    await page.getByRole("img", { name: /CPU of web: .* now/ }).first().waitFor({ timeout: 20_000 });
    await page.getByRole("img", { name: /Memory of web: .* now/ }).first().waitFor({ timeout: 5_000 });
    await expectAccessible();
    await screenshot(page, "task");
  });

  it("instances: zone and agent connection as DescribeContainerInstances reports them", async () => {
    await open(`clusters/${cluster}/instances`, `Container instances of ${cluster}`);
    const arns = (await ecs().send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns!;
    const [ci] = (await ecs().send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances!;
    const id = ci.containerInstanceArn!.split("/").pop()!;
    const row = page.getByRole("row").filter({ hasText: id });
    await row.getByText("CONNECTED", { exact: true }).waitFor();
    const zone = ci.attributes!.find((a) => a.name === "ecs.availability-zone")?.value;
    if (zone) await row.getByRole("cell", { name: zone, exact: true }).waitFor();
    await row.getByRole("link", { name: `${ci.runningTasksCount} running tasks on ${id}` }).waitFor();
    await expectAccessible();
    await screenshot(page, "instances");
  });

  it("task definitions: families, revisions and one revision's JSON", async () => {
    await open("task-definitions", "Task definitions");
    await page.getByRole("link", { name: "web", exact: true }).click();
    await page.getByRole("link", { name: "web:1" }).click();
    await page.getByRole("heading", { level: 1, name: "Task definition web:1" }).waitFor();
    const td = (await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:1" }))).taskDefinition!;
    const json = JSON.parse((await page.getByLabel("JSON of web:1").textContent()) ?? "{}");
    expect(json.taskDefinitionArn).toBe(td.taskDefinitionArn);
    expect(json.containerDefinitions[0].image).toBe(TEST_IMAGE);
    await expectAccessible();
    await screenshot(page, "task-definition");
  });
});

describe("console actions and live updates", () => {
  it("scaling a service from the console changes its desired count and the running tasks follow", async () => {
    await open(`clusters/${cluster}/services/web`, "Service web");
    await page.getByLabel("Desired count").fill("2");
    await page.getByRole("button", { name: "Scale" }).click();
    const dialog = page.getByRole("dialog", { name: "Scale web" });
    await dialog.getByText("from 1 to 2").waitFor();
    await dialog.getByRole("button", { name: "Scale" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect((await serviceOf()).desiredCount).toBe(2);
    await eventually("two running tasks", async () => ((await runningIds({ serviceName: "web" })).length === 2 ? true : undefined), 60_000, 300);
    // The second task's start reaches the open page through the change stream.
    await page.getByTestId("running").filter({ hasText: "2" }).waitFor({ timeout: 20_000 });
  });

  it("a change made elsewhere appears without a reload", async () => {
    await open(`clusters/${cluster}/tasks`, `Tasks of ${cluster}`);
    await untilLive();
    const before = await page.getByRole("table").getByRole("row").count();
    const marker = await page.evaluate<number>("window.marker = Math.random()");
    const ran = await ecs().send(new RunTaskCommand({ cluster, taskDefinition: "web" }));
    const id = ran.tasks![0].taskArn!.split("/").pop()!;
    await page.getByRole("link", { name: id }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole("table").getByRole("row").count()).toBe(before + 1);
    // Still the same document: nothing reloaded it.
    expect(await page.evaluate<number>("window.marker")).toBe(marker);
  });

  it("drain and activate an instance, each confirmed", async () => {
    await open(`clusters/${cluster}/instances`, `Container instances of ${cluster}`);
    const arn = (await ecs().send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns![0];
    const status = async () => (await ecs().send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }))).containerInstances![0].status;
    await page.getByRole("button", { name: "Drain" }).click();
    // Cancel first: nothing changes.
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    expect(await status()).toBe("ACTIVE");
    await page.getByRole("button", { name: "Drain" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Drain" }).click();
    await page.getByRole("button", { name: "Activate" }).waitFor();
    expect(await status()).toBe("DRAINING");
    await page.getByRole("button", { name: "Activate" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Activate" }).click();
    await page.getByRole("button", { name: "Drain" }).waitFor();
    expect(await status()).toBe("ACTIVE");
  });

  it("stop a task and deregister a task definition, each confirmed", async () => {
    const ids = await runningIds();
    const standalone = (await ecs().send(new DescribeTasksCommand({ cluster, tasks: ids }))).tasks!.find((t) => !t.group?.startsWith("service:"))!;
    const id = standalone.taskArn!.split("/").pop()!;
    await open(`clusters/${cluster}/tasks/${id}`, `Task ${id}`);
    await page.getByRole("button", { name: "Stop task" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Stop" }).click();
    await eventually("the task to be stopping", async () => {
      const t = (await ecs().send(new DescribeTasksCommand({ cluster, tasks: [id] }))).tasks![0];
      return t.desiredStatus === "STOPPED" && t.stoppedReason === "Stopped from the berth console" ? true : undefined;
    });
    await page.getByTestId("stopped-reason").filter({ hasText: "Stopped from the berth console" }).waitFor();

    await open("task-definitions/job/1", "Task definition job:1");
    await page.getByRole("button", { name: "Deregister" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Deregister" }).click();
    await page.getByText("INACTIVE", { exact: true }).waitFor();
    expect((await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: "job:1" }))).taskDefinition!.status).toBe("INACTIVE");
  });

  it("force a new deployment and delete a service, each confirmed", async () => {
    await ecs().send(new CreateServiceCommand({ cluster, serviceName: "spare", taskDefinition: "web", desiredCount: 0 }));
    const first = (await ecs().send(new DescribeServicesCommand({ cluster, services: ["spare"] }))).services![0].deployments![0].id!;
    await open(`clusters/${cluster}/services/spare`, "Service spare");
    await page.getByRole("button", { name: "Force new deployment" }).click();
    await page.getByRole("dialog", { name: "Redeploy spare" }).getByRole("button", { name: "Deploy" }).click();
    const primary = await eventually("a new primary deployment", async () => {
      const d = (await ecs().send(new DescribeServicesCommand({ cluster, services: ["spare"] }))).services![0].deployments!.find((x) => x.status === "PRIMARY")!;
      return d.id !== first ? d.id! : undefined;
    });
    await page.getByText(primary, { exact: true }).waitFor();
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog", { name: "Delete spare" }).getByRole("button", { name: "Delete" }).click();
    // Back on the services list, which no longer offers it as active.
    await page.getByRole("heading", { level: 1, name: `Services of ${cluster}` }).waitFor();
    const s = (await ecs().send(new DescribeServicesCommand({ cluster, services: ["spare"] }))).services![0];
    expect(["DRAINING", "INACTIVE"]).toContain(s.status);
  });
});

describe("console keyboard use", () => {
  it("skip link, navigation links and the confirmation dialog work from the keyboard", async () => {
    await open("", "Clusters");
    await page.keyboard.press("Tab");
    expect((await focused()).text).toBe("Skip to content");
    await page.keyboard.press("Tab");
    expect((await focused()).text).toBe("berth console");
    // Tab along the main navigation to "Task definitions" and follow it with Enter.
    let found = false;
    for (let i = 0; i < 8 && !found; i++) {
      await page.keyboard.press("Tab");
      found = (await focused()).text === "Task definitions";
    }
    expect(found).toBe(true);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Task definitions" }).waitFor();
    // Focus moves to the new page's heading, as after a page load.
    expect((await focused()).tag).toBe("H1");

    // A filter changed from the keyboard keeps focus on the filter (only the query changes).
    await open(`clusters/${cluster}/tasks`, `Tasks of ${cluster}`);
    await page.getByLabel("Desired status").focus();
    await page.keyboard.press("ArrowDown");
    await page.waitForURL(/status=STOPPED/);
    await page.getByRole("link", { name: jobTaskId }).waitFor();
    expect((await focused()).tag).toBe("SELECT");

    await open(`clusters/${cluster}/services/web`, "Service web");
    await page.getByRole("button", { name: "Force new deployment" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Redeploy web" });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect((await focused()).text).toBe("Force new deployment");
    expect((await serviceOf()).deployments).toHaveLength(1);
  });
});

describe("console without its API", () => {
  it("says clearly that the API is unreachable", async () => {
    await open(`clusters/${cluster}/services`, `Services of ${cluster}`);
    stopped = true;
    await host.stop();
    await page.getByTestId("live").filter({ hasText: "Live updates lost" }).waitFor({ timeout: 15_000 });
    await page.getByRole("link", { name: "Instances" }).click();
    await page.getByRole("alert").filter({ hasText: "The berth API is unreachable" }).waitFor();
    await screenshot(page, "unreachable");
  });
});

// Prometheus HTTP service discovery end to end: a real control plane and agent, a task whose
// container opts in with PROMETHEUS_EXPORTER_PORT behind a dynamic host port, the SD answer
// read over HTTP, then Debian's real Prometheus pointed at it discovering and scraping both the
// agent and the task's exporter through the shipped scrape config, and the shipped Grafana
// dashboard's queries parsed by promtool and run against that Prometheus.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys } from "@berth/controlplane";
import { eventually, startSingleHost, type SingleHost } from "../support/berth.js";
import { TEST_IMAGE } from "../support/image.js";
import { freePort, LOOPBACK } from "../support/ports.js";

const execFileAsync = promisify(execFile);

const repo = fileURLToPath(new URL("../..", import.meta.url));
const cluster = `promsd-${process.pid}`;
const family = "local-exporter";
const metricsPath = "/stats/prometheus";
let host: SingleHost;
let sdUrl: string;
let taskArn: string;
let hostPort: number;
let hostIp: string;

interface Group {
  targets: string[];
  labels: Record<string, string>;
}

const sd = async (): Promise<{ status: number; type: string | null; groups: Group[] }> => {
  const res = await fetch(sdUrl);
  return { status: res.status, type: res.headers.get("content-type"), groups: (await res.json()) as Group[] };
};

/** Every PromQL expression of deploy/grafana/berth.json (which must be JSON to get this far). */
function dashboardExprs(): string[] {
  const dashboard = JSON.parse(readFileSync(join(repo, "deploy/grafana/berth.json"), "utf8")) as { panels: { targets?: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  expect(exprs.length).toBeGreaterThan(20);
  return exprs;
}

beforeAll(async () => {
  host = await startSingleHost(cluster);
  sdUrl = `${host.t.endpoint}/prometheus/sd`;
  // docs/examples/local-exporter.json: busybox httpd serving one exposition file, opted in with
  // PROMETHEUS_EXPORTER_PORT and PROMETHEUS_EXPORTER_PATH, published on a dynamic host port.
  await host.t.ecs.send(new RegisterTaskDefinitionCommand(JSON.parse(readFileSync(join(repo, "docs/examples/local-exporter.json"), "utf8")) as RegisterTaskDefinitionCommandInput));
  const run = await host.t.ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
  expect(run.failures).toEqual([]);
  taskArn = run.tasks![0].taskArn!;
  const running = await eventually("the exporter task to run", async () => {
    const t = (await host.t.ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0];
    return t.lastStatus === "RUNNING" ? t : undefined;
  });
  hostPort = running.containers![0].networkBindings!.find((b) => b.containerPort === 8080)!.hostPort!;
  const instances = (await host.t.cp.ctx.store.instances.list(keys.instances(cluster))).items;
  hostIp = instances[0].value.hostIp;
}, 60_000);

afterAll(async () => {
  await host?.stop();
});

describe("GET /prometheus/sd", () => {
  it("lists the agent's /metrics and the task's exporter on its dynamic host port, with labels", async () => {
    const { status, type, groups } = await sd();
    expect(status).toBe(200);
    expect(type).toBe("application/json");
    expect(hostPort).toBeGreaterThan(0);
    const agent = groups.filter((g) => g.labels.__meta_berth_role === "agent" && g.labels.cluster === cluster);
    expect(agent).toHaveLength(1);
    expect(agent[0].targets).toEqual([`${hostIp}:${host.agent.introspectionPort}`]);
    expect(agent[0].labels).toMatchObject({ __meta_berth_cluster: cluster, __meta_berth_container_instance_status: "ACTIVE" });
    expect(agent[0].labels.__meta_berth_container_instance_arn).toMatch(new RegExp(`:container-instance/${cluster}/${agent[0].labels.container_instance_id}$`));
    expect(agent[0].labels.__meta_berth_availability_zone).toBeTruthy();

    const tasks = groups.filter((g) => g.labels.__meta_berth_task_arn === taskArn);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].targets).toEqual([`${hostIp}:${hostPort}`]);
    expect(tasks[0].labels).toMatchObject({
      cluster,
      family,
      task_id: taskArn.split("/").at(-1),
      container: "exporter",
      __metrics_path__: metricsPath,
      __meta_berth_role: "task",
      __meta_berth_task_family: family,
      __meta_berth_task_revision: "1",
      __meta_berth_container_name: "exporter",
      __meta_berth_container_port: "8080",
      __meta_berth_host_port: String(hostPort),
      __meta_berth_container_instance_id: agent[0].labels.container_instance_id,
      __meta_berth_availability_zone: agent[0].labels.__meta_berth_availability_zone,
    });
    // The exporter answers where the SD says it is.
    const scraped = await fetch(`http://${tasks[0].targets[0]}${tasks[0].labels.__metrics_path__}`);
    expect(await scraped.text()).toBe("berth_demo_up 1\n");
  });

  it("Debian's Prometheus on deploy/prometheus/prometheus.yml discovers and scrapes agent, task and control plane; every dashboard query runs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "berth-prometheus-"));
    const port = await freePort();
    // The shipped config, pointed at this control plane and sped up.
    const shipped = await readFile(join(repo, "deploy/prometheus/prometheus.yml"), "utf8");
    const apiAddress = new URL(host.t.endpoint).host;
    const config = shipped.replaceAll("127.0.0.1:7070", apiAddress).replaceAll(/(scrape|evaluation|refresh)_interval: \d+s/g, "$1_interval: 1s");
    expect(config.match(new RegExp(apiAddress, "g"))).toHaveLength(3);
    expect(config).not.toMatch(/interval: (?!1s)/);
    await writeFile(join(dir, "prometheus.yml"), config);
    let prom: ChildProcess | undefined;
    let output = "";
    const api = async <T>(path: string): Promise<T> => {
      const body = (await (await fetch(`http://${LOOPBACK}:${port}${path}`)).json()) as { status: string; data: T; error?: string };
      if (body.status !== "success") throw new Error(`${path}: ${body.error}`);
      return body.data;
    };
    try {
      prom = spawn("/usr/bin/prometheus", [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=${LOOPBACK}:${port}`,
      ], { stdio: ["ignore", "pipe", "pipe"] });
      prom.stdout!.on("data", (b: Buffer) => (output += b.toString()));
      prom.stderr!.on("data", (b: Buffer) => (output += b.toString()));
      interface ActiveTarget { labels: Record<string, string>; scrapePool: string; health: string; scrapeUrl: string }
      const up = await eventually("Prometheus to scrape the agent, the task and the control plane", async () => {
        if (prom!.exitCode !== null) throw new Error(`prometheus exited ${prom!.exitCode}: ${output.slice(-2000)}`);
        const active = (await api<{ activeTargets: ActiveTarget[] }>("/api/v1/targets?state=active")).activeTargets;
        const agent = active.find((a) => a.scrapePool === "berth-agent" && a.labels.cluster === cluster);
        const task = active.find((a) => a.scrapePool === "berth-tasks" && a.labels.task_id === taskArn.split("/").at(-1));
        const cp = active.find((a) => a.scrapePool === "berth-controlplane");
        return [agent, task, cp].every((x) => x?.health === "up") ? { agent: agent!, task: task! } : undefined;
      }, 20_000, 250);
      expect(up.agent.scrapeUrl).toBe(`http://${hostIp}:${host.agent.introspectionPort}/metrics`);
      expect(up.agent.labels).toMatchObject({ cluster, component: "agent", job: "berth-agent" });
      expect(up.task.scrapeUrl).toBe(`http://${hostIp}:${hostPort}${metricsPath}`);
      expect(up.task.labels).toMatchObject({ cluster, family, container: "exporter", revision: "1", job: "berth-tasks" });
      // The scraped series carry the target's plain labels.
      const query = (q: string) => api<{ result: { metric: Record<string, string> }[] }>(`/api/v1/query?query=${encodeURIComponent(q)}`);
      const demo = await eventually("the exporter's series in Prometheus", async () => {
        const r = (await query(`berth_demo_up{cluster="${cluster}"}`)).result;
        return r.length > 0 ? r : undefined;
      }, 5_000, 250);
      expect(demo.map((r) => r.metric)).toEqual([expect.objectContaining({ cluster, family, container: "exporter", task_id: taskArn.split("/").at(-1) })]);

      // Every metric the dashboard reads is one berth exports (seen by this Prometheus), and
      // every expression evaluates, with Grafana's variables filled in.
      const exprs = dashboardExprs();
      const used = new Set(exprs.flatMap((e) => e.match(/berth_[a-z_]+/g) ?? []));
      await eventually("every metric the dashboard uses to be scraped", async () => {
        const names = new Set(await api<string[]>("/api/v1/label/__name__/values"));
        const missing = [...used].filter((n) => !names.has(n));
        if (missing.length > 0) throw new Error(`not scraped: ${missing.join(", ")}`);
        return true;
      }, 10_000, 500);
      for (const e of exprs) {
        const { result } = await query(e.replaceAll("$__rate_interval", "5s").replaceAll("$cluster", cluster).replaceAll("$family", ".*"));
        // Rates need two samples in their window (Prometheus has just started); the count of
        // disconnected instances is rightly empty. Everything else has data here.
        if (!e.includes("rate(") && !e.includes('connection="disconnected"')) expect(result.length, e).toBeGreaterThan(0);
      }
    } finally {
      if (prom && prom.exitCode === null) {
        const exited = new Promise((r) => prom!.once("exit", r));
        process.kill(prom.pid!, "SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    }
  }, 45_000);

  it("promtool parses every dashboard expression", async () => {
    const dir = await mkdtemp(join(tmpdir(), "berth-dashboard-"));
    try {
      // A rules file is what promtool parses PromQL from: one recording rule per expression.
      const rules = dashboardExprs().map((e, i) => `      - record: dashboard_expr_${i}\n        expr: ${JSON.stringify(e.replaceAll("$__rate_interval", "1m"))}`);
      await writeFile(join(dir, "rules.yml"), `groups:\n  - name: dashboard\n    rules:\n${rules.join("\n")}\n`);
      // Not spawnSync: the control plane runs in this process, and a blocked event loop for the
      // seconds promtool takes misses the agent's heartbeats and ends its session.
      const r = await execFileAsync("/usr/bin/promtool", ["check", "rules", join(dir, "rules.yml")], { encoding: "utf8", timeout: 30_000 }).then(
        (out) => ({ ...out, status: 0 }),
        (err: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: err.stdout ?? "", stderr: err.stderr ?? "", status: err.code ?? 1 }),
      );
      expect(`${r.stdout}${r.stderr}`).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(r.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a stopped task leaves the list; the agent stays", async () => {
    await host.t.ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
    const groups = await eventually("the task to leave the SD answer", async () => {
      const { groups } = await sd();
      return groups.some((g) => g.labels.__meta_berth_task_arn === taskArn) ? undefined : groups;
    });
    expect(groups.filter((g) => g.labels.__meta_berth_role === "agent" && g.labels.cluster === cluster)).toHaveLength(1);
  });

  it("a restarted agent on another introspection port is listed at the new port", async () => {
    const before = host.agent.introspectionPort;
    const agent = await host.restartAgent();
    expect(agent.introspectionPort).not.toBe(before);
    await eventually("the SD answer to show the agent's new port", async () => {
      const { groups } = await sd();
      const mine = groups.filter((g) => g.labels.__meta_berth_role === "agent" && g.labels.cluster === cluster);
      return mine.length === 1 && mine[0].targets[0] === `${hostIp}:${agent.introspectionPort}` ? true : undefined;
    }, 15_000);
  });
});

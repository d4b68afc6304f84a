import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { homedir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { portIsFree, processFacts, signalPid } from "../proc.js";

// `cluster create --with-prometheus`: Debian's Prometheus as a process on this host, its
// config, data, pid file and log in the cluster's folder, scraping the control plane and
// discovering every agent and opted-in task through the control plane's HTTP SD. `cluster
// delete` stops it and removes the folder.

/** Debian's prometheus binary (package `prometheus`). */
export const PROMETHEUS_BIN = "/usr/bin/prometheus";
/** Default port of the cluster's Prometheus on 127.0.0.1. */
export const PROMETHEUS_PORT = 9090;

/** The folder of a cluster's host-side files: ~/.berth/clusters/NAME (XDG_STATE_HOME/berth/clusters/NAME when set). */
export function clusterDataDir(cluster: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME ? join(env.XDG_STATE_HOME, "berth") : join(homedir(), ".berth");
  return join(base, "clusters", cluster);
}

/**
 * The Prometheus configuration for a cluster whose API is on 127.0.0.1:apiPort, in the shape
 * of deploy/prometheus/prometheus.yml: the control plane by hand, agents and task exporters
 * through `/prometheus/sd` (node addresses on the cluster network reach from this host).
 */
export function prometheusConfig(cluster: string, apiPort: number): string {
  const sd = [{ url: `http://127.0.0.1:${apiPort}/prometheus/sd`, refresh_interval: "15s" }];
  const keep = (role: string) => ({ source_labels: ["__meta_berth_role"], regex: role, action: "keep" });
  const zone = { source_labels: ["__meta_berth_availability_zone"], target_label: "availability_zone" };
  return stringify({
    global: { scrape_interval: "15s", evaluation_interval: "15s", external_labels: { berth_cluster: cluster } },
    scrape_configs: [
      { job_name: "berth-controlplane", metrics_path: "/metrics", static_configs: [{ targets: [`127.0.0.1:${apiPort}`], labels: { component: "controlplane" } }] },
      { job_name: "berth-agent", honor_labels: true, http_sd_configs: sd, relabel_configs: [keep("agent"), { target_label: "component", replacement: "agent" }, zone] },
      { job_name: "berth-tasks", http_sd_configs: sd, relabel_configs: [keep("task"), { source_labels: ["__meta_berth_task_revision"], target_label: "revision" }, zone] },
    ],
    // Written out in full, as deploy/prometheus's file is, rather than with YAML anchors.
  }, { aliasDuplicateObjects: false });
}

/** The argv that starts the cluster's Prometheus from its folder. */
export function prometheusArgs(dir: string, port: number): string[] {
  return [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // A test cluster's metrics are worth a day, not Prometheus' default fortnight.
    "--storage.tsdb.retention.time=1d",
  ];
}

/**
 * Starts the cluster's Prometheus and waits until it is ready; returns its URL. Checked first:
 * the binary is there and the port is free, each a clear error before anything is made.
 */
export async function startPrometheus(cluster: string, apiPort: number, port: number): Promise<string> {
  if (!existsSync(PROMETHEUS_BIN)) throw new Error(`--with-prometheus: ${PROMETHEUS_BIN} is missing; install Debian's prometheus package (apt-get install prometheus)`);
  if (!(await portIsFree(port))) throw new Error(`--prometheus-port: 127.0.0.1:${port} is in use; choose another with --prometheus-port`);
  const dir = join(clusterDataDir(cluster), "prometheus");
  mkdirSync(join(dir, "data"), { recursive: true });
  writeFileSync(join(dir, "prometheus.yml"), prometheusConfig(cluster, apiPort));
  const log = openSync(join(dir, "prometheus.log"), "a");
  try {
    // Its own session, so it outlives this command and a Ctrl-C in the terminal that ran it.
    const child = spawn(PROMETHEUS_BIN, prometheusArgs(dir, port), { detached: true, stdio: ["ignore", log, log] });
    child.unref();
    writeFileSync(join(dir, "prometheus.pid"), `${child.pid}\n`);
  } finally {
    closeSync(log);
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!(await ready(port))) {
    if (Date.now() > deadline || !(await runningPrometheus(dir))) {
      const tail = readFileSync(join(dir, "prometheus.log"), "utf8").split("\n").slice(-10).join("\n");
      throw new Error(`Prometheus did not become ready at ${url} within 30 s; its log (${join(dir, "prometheus.log")}) ends:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return url;
}

/** The pid of the cluster's Prometheus when the pid file names a live prometheus started from `dir`. */
async function runningPrometheus(dir: string): Promise<number | undefined> {
  const pid = Number(readFileSyncOr(join(dir, "prometheus.pid")).trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const facts = await processFacts(pid);
  // A reused pid is never signalled: it must be prometheus, started with this folder's config.
  return facts && facts.cmdline[0] === PROMETHEUS_BIN && facts.cmdline.includes(`--config.file=${join(dir, "prometheus.yml")}`) ? pid : undefined;
}

/**
 * Stops the cluster's Prometheus (SIGTERM, then SIGKILL after 10 s) and removes its folder;
 * true when there was one to stop or remove.
 */
export async function stopPrometheus(cluster: string): Promise<boolean> {
  const dir = join(clusterDataDir(cluster), "prometheus");
  if (!existsSync(dir)) return false;
  const pid = await runningPrometheus(dir);
  if (pid !== undefined) {
    signalPid(pid, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while ((await runningPrometheus(dir)) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if ((await runningPrometheus(dir)) !== undefined) signalPid(pid, "SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true });
  return true;
}

function readFileSyncOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function ready(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/-/ready", timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

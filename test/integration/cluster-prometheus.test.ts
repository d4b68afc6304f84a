import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCluster } from "@berth/controlplane";
import { eventually, removeDir, startSingleHost, type SingleHost } from "../support/berth.js";
import { freePort } from "../support/ports.js";

// What `cluster create --with-prometheus` runs, against a real control plane and agent (no
// Docker-in-Docker): Debian's Prometheus as a process with its config, data, pid file and log
// in the cluster's folder, finding the agent through the control plane's /prometheus/sd, and
// what `cluster delete` does to it: stopped, folder gone.
const cluster = `prom-${process.pid}`;
let host: SingleHost;
let state: string;
const savedState = process.env.XDG_STATE_HOME;

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), "berth-state-"));
  process.env.XDG_STATE_HOME = state;
  host = await startSingleHost(cluster);
}, 60_000);

afterAll(async () => {
  await localCluster.stopPrometheus(cluster).catch(() => false);
  await host?.stop();
  if (savedState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedState;
  await removeDir(state);
});

describe("the cluster's Prometheus", () => {
  it("runs from the cluster's folder, discovers the agent through /prometheus/sd, and stops with delete", async () => {
    const port = await freePort();
    const url = await localCluster.startPrometheus(cluster, host.t.cp.apiPort, port);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const dir = join(localCluster.clusterDataDir(cluster), "prometheus");
    expect(dir.startsWith(state)).toBe(true);
    const pid = Number((await readFile(join(dir, "prometheus.pid"), "utf8")).trim());
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    // The agent is listed at its host address (whatever that is here) and introspection port.
    await eventually("the agent and the control plane among Prometheus' targets", async () => {
      const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: { labels: Record<string, string>; scrapePool: string }[] } };
      const jobs = body.data.activeTargets.map((t) => `${t.scrapePool} ${t.labels.instance}`);
      const agent = jobs.some((j) => j.startsWith("berth-agent ") && j.endsWith(`:${host.agent.introspectionPort}`));
      return agent && jobs.includes(`berth-controlplane 127.0.0.1:${host.t.cp.apiPort}`) ? true : undefined;
    }, 30_000, 500);
    expect(await localCluster.stopPrometheus(cluster)).toBe(true);
    await eventually("Prometheus gone", async () => (existsSync(`/proc/${pid}`) ? undefined : true), 15_000, 100);
    expect(existsSync(dir)).toBe(false);
    expect(await localCluster.stopPrometheus(cluster)).toBe(false);
  });

  it("refuses a port in use before starting anything", async () => {
    await expect(localCluster.startPrometheus(cluster, host.t.cp.apiPort, host.t.cp.apiPort)).rejects.toThrow(/--prometheus-port: 127\.0\.0\.1:\d+ is in use/);
    expect(existsSync(join(localCluster.clusterDataDir(cluster), "prometheus"))).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { clusterDataDir, prometheusArgs, prometheusConfig } from "./prometheus.js";

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[] }[];
  http_sd_configs?: { url: string }[];
  relabel_configs?: { source_labels?: string[]; regex?: string; action?: string }[];
}

describe("prometheusConfig", () => {
  const config = parse(prometheusConfig("lab", 17070)) as { global: { external_labels: Record<string, string> }; scrape_configs: ScrapeConfig[] };
  const job = (name: string) => config.scrape_configs.find((j) => j.job_name === name)!;

  it.each([
    // the control plane by hand, on the published API port
    ["berth-controlplane", undefined],
    // agents and task exporters through the control plane's HTTP SD, each keeping its role
    ["berth-agent", "agent"],
    ["berth-tasks", "task"],
  ])("prometheusConfig: job %s", (name, role) => {
    const j = job(name);
    if (role === undefined) expect(j.static_configs?.[0].targets).toEqual(["127.0.0.1:17070"]);
    else {
      expect(j.http_sd_configs).toEqual([{ url: "http://127.0.0.1:17070/prometheus/sd", refresh_interval: "15s" }]);
      expect(j.relabel_configs?.[0]).toEqual({ source_labels: ["__meta_berth_role"], regex: role, action: "keep" });
    }
  });

  it("prometheusConfig: names the cluster and has no YAML anchors", () => {
    expect(config.global.external_labels).toEqual({ berth_cluster: "lab" });
    expect(prometheusConfig("lab", 17070)).not.toMatch(/[&*]a\d/);
  });
});

describe("prometheusArgs and clusterDataDir", () => {
  it.each([
    // XDG_STATE_HOME when set
    [{ XDG_STATE_HOME: "/state" }, "/state/berth/clusters/lab"],
    // else ~/.berth
    [{ HOME: "/home/u" }, /\/\.berth\/clusters\/lab$/],
  ])("clusterDataDir(%j)", (env, want) => {
    const dir = clusterDataDir("lab", env as NodeJS.ProcessEnv);
    if (typeof want === "string") expect(dir).toBe(want);
    else expect(dir).toMatch(want);
  });

  it("prometheusArgs: config, data and a loopback listen address from the folder", () => {
    expect(prometheusArgs("/d", 9091)).toEqual(["--config.file=/d/prometheus.yml", "--storage.tsdb.path=/d/data", "--web.listen-address=127.0.0.1:9091", "--storage.tsdb.retention.time=1d"]);
  });
});

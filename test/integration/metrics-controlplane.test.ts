// The control plane's metrics registry rendered as a replica serves it, checked by the real
// `promtool check metrics`, with store counts fed through the collector callbacks.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createControlPlaneMetrics } from "@berth/controlplane";

function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync("/usr/bin/promtool", ["check", "metrics"], { input: text, encoding: "utf8", timeout: 30_000 });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

describe("control plane metrics", () => {
  it("promtool check metrics accepts the control plane's exposition", async () => {
    const metrics = createControlPlaneMetrics({
      taskCounts: async () => [
        { cluster: "prod", status: "RUNNING", count: 12 },
        { cluster: "prod", status: "PENDING", count: 2 },
        { cluster: "dev", status: "STOPPED", count: 40 },
      ],
      instanceCounts: async () => [
        { cluster: "prod", connection: "connected", status: "ACTIVE", count: 3 },
        { cluster: "prod", connection: "disconnected", status: "ACTIVE", count: 1 },
      ],
    });
    for (const status of [200, 200, 400, 500]) metrics.startApiRequest("RunTask")(status);
    metrics.apiRequests.inc({ action: "DescribeTasks", outcome: "success" });
    metrics.agentSessionsOpen.inc();
    metrics.agentStateChanges.inc({ kind: "task" });
    metrics.agentStateChanges.inc({ kind: "container" }, 3);
    metrics.etcdTxnConflicts.inc();

    const text = await metrics.registry.metrics();
    expect(text).toContain('berth_tasks{cluster="prod",status="RUNNING"} 12');
    expect(text).toContain('berth_container_instances{cluster="prod",connection="disconnected",status="ACTIVE"} 1');
    expect(text).toContain('berth_api_requests_total{action="RunTask",outcome="success"} 2');
    expect(text).toContain('berth_api_request_duration_seconds_bucket{le="+Inf",action="RunTask"} 4');
    expect(text).toContain("berth_agent_sessions_open 1");
    expect(text).toContain('berth_agent_state_changes_total{kind="container"} 3');
    expect(text).toContain("berth_etcd_txn_conflicts_total 1");
    expect(text).toContain("process_resident_memory_bytes");
    const check = promtoolCheck(text);
    expect(check.output).toBe("");
    expect(check.status).toBe(0);
  });
});

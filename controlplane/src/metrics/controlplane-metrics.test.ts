import { describe, expect, it } from "vitest";
import { createControlPlaneMetrics } from "./controlplane-metrics.js";
import { apiOutcome } from "./outcome.js";

describe("control plane metrics", () => {
  it.each([
    // ok
    [200, "success"],
    // redirects are not errors
    [304, "success"],
    // the caller's mistake
    [400, "client_error"],
    // signature refused
    [403, "client_error"],
    // ours
    [500, "server_error"],
    // unavailable
    [503, "server_error"],
  ])("apiOutcome: %d is %s", (status, outcome) => {
    expect(apiOutcome(status)).toBe(outcome);
  });

  it("createControlPlaneMetrics: store counts restated on each scrape, stale rows dropped", async () => {
    let rows = [{ cluster: "prod", status: "RUNNING", count: 3 }, { cluster: "prod", status: "PENDING", count: 1 }];
    const m = createControlPlaneMetrics({ taskCounts: async () => rows, processMetrics: false });
    m.setInstanceCounts(async () => [{ cluster: "prod", connection: "connected", status: "ACTIVE", count: 2 }]);
    let text = await m.registry.metrics();
    expect(text).toContain('berth_tasks{cluster="prod",status="RUNNING"} 3');
    expect(text).toContain('berth_tasks{cluster="prod",status="PENDING"} 1');
    expect(text).toContain('berth_container_instances{cluster="prod",connection="connected",status="ACTIVE"} 2');
    rows = [{ cluster: "prod", status: "RUNNING", count: 4 }];
    text = await m.registry.metrics();
    expect(text).toContain('berth_tasks{cluster="prod",status="RUNNING"} 4');
    expect(text).not.toContain('status="PENDING"');
  });

  it("createControlPlaneMetrics: a failing source keeps the last values and counts the error", async () => {
    let fail = false;
    const m = createControlPlaneMetrics({
      taskCounts: async () => {
        if (fail) throw new Error("etcd unavailable");
        return [{ cluster: "a", status: "RUNNING", count: 5 }];
      },
      processMetrics: false,
    });
    await m.registry.metrics();
    fail = true;
    await m.registry.metrics();
    // The error counter renders alongside the failing collect, so it shows on the next scrape.
    const text = await m.registry.metrics();
    expect(text).toContain('berth_tasks{cluster="a",status="RUNNING"} 5');
    expect(text).toContain('berth_metrics_source_errors_total{source="tasks"} 1');
  });

  it("startApiRequest: counts by outcome and observes the duration", async () => {
    const m = createControlPlaneMetrics({ processMetrics: false });
    m.startApiRequest("RunTask")(200);
    m.startApiRequest("RunTask")(400);
    m.startApiRequest("RunTask")("server_error");
    const text = await m.registry.metrics();
    expect(text).toContain('berth_api_requests_total{action="RunTask",outcome="success"} 1');
    expect(text).toContain('berth_api_requests_total{action="RunTask",outcome="client_error"} 1');
    expect(text).toContain('berth_api_requests_total{action="RunTask",outcome="server_error"} 1');
    expect(text).toContain('berth_api_request_duration_seconds_count{action="RunTask"} 3');
  });
});

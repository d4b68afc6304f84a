import { Registry } from "prom-client";
import type { TaskRecord } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { defaultPrices } from "../core/cost.js";
import { registerCostMetrics } from "./cost-metrics.js";

const hour = 3_600_000;
const t0 = Date.UTC(2026, 10, 1);

/** A task record with what metering reads; the rest is irrelevant here. */
const task = (id: string, group: string, startedAtMs: number, stoppedAtMs?: number): TaskRecord =>
  ({ id, arn: `arn:aws:ecs:us-east-1:000000000000:task/prod/${id}`, cluster: "prod", group, cpu: "1024", memory: "2048", reserved: { cpu: 1024, memory: 2048, ports: [], portsUdp: [] }, startedAtMs, stoppedAtMs }) as TaskRecord;

const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"|]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);

describe("registerCostMetrics on a simulated clock", () => {
  it("counts each task's and service's use as it grows, never down", async () => {
    let now = t0 + hour;
    let tasks = [task("a", "service:web", t0), task("b", "family:batch", t0, t0 + hour / 2)];
    const registry = new Registry();
    registerCostMetrics(registry, { tasks: async () => tasks, now: () => now, prices: defaultPrices });
    let text = await registry.metrics();
    expect(value(text, 'berth_task_vcpu_hours_total{cluster="prod",service="web",task="a"}')).toBeCloseTo(1);
    expect(value(text, 'berth_task_gb_hours_total{cluster="prod",service="web",task="a"}')).toBeCloseTo(2);
    expect(value(text, 'berth_task_vcpu_hours_total{cluster="prod",service="",task="b"}')).toBeCloseTo(0.5);
    expect(value(text, 'berth_service_cost_dollars_total{cluster="prod",service="web"}')).toBeCloseTo(0.04048 + 2 * 0.004445);
    // An hour later the running task has doubled; the stopped one stays.
    now += hour;
    text = await registry.metrics();
    expect(value(text, 'berth_task_vcpu_hours_total{cluster="prod",service="web",task="a"}')).toBeCloseTo(2);
    expect(value(text, 'berth_task_vcpu_hours_total{cluster="prod",service="",task="b"}')).toBeCloseTo(0.5);
    // The clock stepping back lowers nothing.
    now -= 30 * 60_000;
    tasks = [...tasks];
    text = await registry.metrics();
    expect(value(text, 'berth_task_vcpu_hours_total{cluster="prod",service="web",task="a"}')).toBeCloseTo(2);
  });
});

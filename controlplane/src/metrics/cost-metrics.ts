import { Counter, type Registry } from "prom-client";
import type { TaskRecord } from "@berth/shared";
import { costOf, meteredTaskOf, serviceOfTask, usageOf, type Prices } from "../core/cost.js";

/** Where metering reads tasks from, and when "now" is (a clock, so tests can move it). */
export interface CostMetricsSource {
  tasks: () => Promise<TaskRecord[]>;
  now: () => number;
  prices: Prices;
}

type CostLabels = "cluster" | "service" | "task";

/** The cost counters on a registry. */
export interface CostMetrics {
  /** `berth_task_vcpu_hours_total{cluster,service,task}`. */
  readonly vcpuHours: Counter<CostLabels>;
  /** `berth_task_gb_hours_total{cluster,service,task}`. */
  readonly gbHours: Counter<CostLabels>;
  /** `berth_task_cost_dollars_total{cluster,service,task}` at the configured prices. */
  readonly dollars: Counter<CostLabels>;
  /** `berth_service_cost_dollars_total{cluster,service}`: the same, summed per service ("" for standalone tasks). */
  readonly serviceDollars: Counter<"cluster" | "service">;
}

/**
 * Registers the metering counters. On each scrape every task's use so far is computed from its
 * record (cpu/memory, start, stop) and each counter grows by what it gained since the last
 * scrape, so the counters only go up and a task's total matches `berth cost`. A task forgotten
 * after its retention keeps its last value until the process restarts (a counter reset).
 */
export function registerCostMetrics(registry: Registry, s: CostMetricsSource): CostMetrics {
  const seen = new Map<string, { vcpu: number; gb: number; dollars: number }>();
  const labels = ["cluster", "service", "task"] as const;
  let refreshing: Promise<void> | undefined;
  const refresh = async () => {
    const now = s.now();
    for (const t of await s.tasks()) {
      const u = usageOf(meteredTaskOf(t), now);
      const l = { cluster: t.cluster, service: serviceOfTask(t), task: t.id };
      const before = seen.get(t.arn) ?? { vcpu: 0, gb: 0, dollars: 0 };
      const after = { vcpu: u.vcpuHours, gb: u.gbHours, dollars: costOf(u, s.prices) };
      // Only growth is counted: a clock step backwards or a changed price never lowers a counter.
      const grow = (c: Counter<CostLabels>, d: number) => d > 0 && c.inc(l, d);
      grow(vcpuHours, after.vcpu - before.vcpu);
      grow(gbHours, after.gb - before.gb);
      const dd = after.dollars - before.dollars;
      if (dd > 0) {
        dollars.inc(l, dd);
        serviceDollars.inc({ cluster: l.cluster, service: l.service }, dd);
      }
      seen.set(t.arn, { vcpu: Math.max(after.vcpu, before.vcpu), gb: Math.max(after.gb, before.gb), dollars: Math.max(after.dollars, before.dollars) });
    }
  };
  // A scrape collects the four counters together: they share one read of the tasks.
  const collect = async () => {
    const current = (refreshing ??= refresh().finally(() => (refreshing = undefined)));
    await current;
  };
  const vcpuHours = new Counter({ name: "berth_task_vcpu_hours_total", help: "vCPU-hours tasks have used (task-level cpu, else reserved), from image pull to stop.", labelNames: labels, registers: [registry], collect });
  const gbHours = new Counter({ name: "berth_task_gb_hours_total", help: "GB-hours of memory tasks have used (task-level memory, else reserved).", labelNames: labels, registers: [registry], collect });
  const dollars = new Counter({ name: "berth_task_cost_dollars_total", help: "What tasks' use costs at the configured Fargate prices, in dollars.", labelNames: labels, registers: [registry], collect });
  const serviceDollars = new Counter({
    name: "berth_service_cost_dollars_total",
    help: "What a service's tasks' use costs at the configured Fargate prices; service \"\" is standalone tasks.",
    labelNames: ["cluster", "service"] as const,
    registers: [registry],
    collect,
  });
  return { vcpuHours, gbHours, dollars, serviceDollars };
}

import type { Command } from "commander";
import { costReport, defaultPrices } from "../../core/cost.js";
import { OpsError, targetFlags, withEcs } from "./client.js";
import { describeServices, listTasks } from "./cluster-reads.js";
import { formatDollars, formatHours, meteredOfTask, parseSince } from "./cost-rows.js";
import { listingTable } from "./table.js";

/**
 * Adds `cost [--service NAME] [--since 24h]`: what the cluster's tasks used in vCPU-hours and
 * GB-hours and what that costs at Fargate's prices, per service, with a total. It reads the
 * tasks the control plane still holds (running, and stopped ones within their retention);
 * the control plane's `berth_task_cost_dollars_total` counters keep the long-run record.
 */
export function registerCostCommand(program: Command): void {
  targetFlags(
    program
      .command("cost")
      .description("vCPU-hours, GB-hours and their Fargate price per service (running and recently stopped tasks)")
      .option("--service <name>", "only this service's tasks")
      .option("--since <when>", "only use after this: a duration back (30m, 24h, 7d) or a date")
      .option("--vcpu-hour-price <dollars>", "price of a vCPU-hour (env BERTH_PRICE_VCPU_HOUR)", process.env.BERTH_PRICE_VCPU_HOUR ?? String(defaultPrices.vcpuHour))
      .option("--gb-hour-price <dollars>", "price of a GB-hour (env BERTH_PRICE_GB_HOUR)", process.env.BERTH_PRICE_GB_HOUR ?? String(defaultPrices.gbHour)),
  ).action((o: { service?: string; since?: string; vcpuHourPrice: string; gbHourPrice: string; endpoint: string; cluster: string }) =>
    withEcs(o, async (ecs, target) => {
      const prices = { vcpuHour: priceOf(o.vcpuHourPrice, "--vcpu-hour-price"), gbHour: priceOf(o.gbHourPrice, "--gb-hour-price") };
      const now = Date.now();
      const sinceMs = o.since === undefined ? undefined : parseSince(o.since, now);
      if (o.service) await describeServices(ecs, target.cluster, o.service);
      const tasks = await listTasks(ecs, target.cluster, { service: o.service, stopped: true });
      const rows = costReport(tasks.map((t) => meteredOfTask(t, target.cluster)), now, { sinceMs, prices });
      const table = listingTable(["CLUSTER", "SERVICE", "TASKS", "VCPU-HOURS", "GB-HOURS", "COST"]);
      for (const r of rows) table.push([r.cluster, r.service || "(standalone)", String(r.tasks), formatHours(r.vcpuHours), formatHours(r.gbHours), formatDollars(r.dollars)]);
      const total = rows.reduce((a, r) => ({ tasks: a.tasks + r.tasks, v: a.v + r.vcpuHours, g: a.g + r.gbHours, d: a.d + r.dollars }), { tasks: 0, v: 0, g: 0, d: 0 });
      table.push(["", "TOTAL", String(total.tasks), formatHours(total.v), formatHours(total.g), formatDollars(total.d)]);
      process.stdout.write(`${table.toString()}\n`);
    }),
  );
}

function priceOf(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new OpsError(`${flag}: '${value}' is not a price in dollars`);
  return n;
}

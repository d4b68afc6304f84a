import type { Command } from "commander";
import type { ScheduleRow } from "../../core/index.js";
import { defaultEndpoint, OpsError, withEcs } from "./client.js";
import { scheduleLines } from "./schedule-table.js";
import { signedPostJson } from "./signed-request.js";
import { listingTable } from "./table.js";

/**
 * Adds `schedules [--cluster NAME]`: every EventBridge Scheduler schedule and scheduled
 * EventBridge rule (or those targeting one cluster) with their next run times, the last run
 * and the last failure, read from the control plane's POST /berth/v1/schedules, signed like
 * the ECS calls.
 */
export function registerSchedulesCommand(program: Command): void {
  program
    .command("schedules")
    .description("scheduled tasks (EventBridge Scheduler schedules and rules): next runs, last run, last failure")
    .option("--endpoint <url>", "berth API endpoint (env BERTH_ENDPOINT)", process.env.BERTH_ENDPOINT ?? defaultEndpoint)
    .option("--cluster <name>", "only schedules that run tasks in this cluster (default: all)")
    .action((o: { endpoint: string; cluster?: string }) =>
      withEcs(o, async (ecs, target) => {
        const { status, answer } = await signedPostJson(target, ecs, "/berth/v1/schedules", o.cluster === undefined ? {} : { cluster: o.cluster });
        if (status !== 200) throw new OpsError(`schedules: ${String(answer.message ?? `HTTP ${status}`)}`);
        const table = listingTable(["KIND", "NAME", "CLUSTER", "TASK DEFINITION", "EXPRESSION", "STATE", "NEXT RUNS (UTC)", "LAST RUN"]);
        for (const l of scheduleLines(answer.schedules as ScheduleRow[])) table.push([l.kind, l.name, l.cluster, l.taskDefinition, l.expression, l.state, l.next, l.last]);
        process.stdout.write(`${table.toString()}\n`);
      }),
    );
}

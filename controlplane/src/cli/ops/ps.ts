import type { Command } from "commander";
import { targetFlags, withEcs } from "./client.js";
import { listingTable } from "./table.js";
import { describeServices, listInstances, listTasks, nodeNameMap } from "./cluster-reads.js";
import { taskRows } from "./task-rows.js";

/** Adds `ps [--service NAME] [--all]`: the cluster's tasks as a table. */
export function registerPsCommand(program: Command): void {
  targetFlags(
    program
      .command("ps")
      .description("list tasks: id, family:revision, node, status (last/desired), ports (host->container), age")
      .option("--service <name>", "only this service's tasks")
      .option("-a, --all", "include STOPPED tasks", false),
  ).action((o: { service?: string; all: boolean; endpoint: string; cluster: string }) =>
    withEcs(o, async (ecs, target) => {
      if (o.service) await describeServices(ecs, target.cluster, o.service);
      const [tasks, instances] = await Promise.all([listTasks(ecs, target.cluster, { service: o.service, stopped: o.all }), listInstances(ecs, target.cluster)]);
      const table = listingTable(["TASK", "DEFINITION", "NODE", "STATUS", "PORTS", "AGE"]);
      for (const r of taskRows(tasks, nodeNameMap(instances), Date.now(), o.all)) table.push([r.id, r.taskDefinition, r.node, r.status, r.ports, r.age]);
      process.stdout.write(`${table.toString()}\n`);
    }),
  );
}

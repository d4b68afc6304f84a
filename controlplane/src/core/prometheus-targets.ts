import type { TaskDefinitionRecord, TaskRecord } from "@berth/shared";
import { keys } from "../store/index.js";
import type { CoreContext } from "./context.js";
import { planScrapeTargets, type ScrapePlan, type ScrapeSnapshot } from "./prometheus-sd.js";

/** How many task definitions are read at once: enough to be quick, few enough to spare etcd. */
const definitionReadsInFlight = 16;

/**
 * What Prometheus's HTTP service discovery lists now, across every cluster (see
 * planScrapeTargets). Instances and tasks are read through the store's paged lists, one
 * bounded range read after another; each task definition a RUNNING task uses is read once.
 */
export async function discoverScrapeTargets(ctx: CoreContext): Promise<ScrapePlan> {
  return planScrapeTargets(await readScrapeSnapshot(ctx));
}

/** The instances, the RUNNING tasks and those tasks' definitions. */
async function readScrapeSnapshot(ctx: CoreContext): Promise<ScrapeSnapshot> {
  const instances = (await ctx.store.instances.list(keys.instances())).items.map((i) => i.value);
  const tasks = (await ctx.store.tasks.list(keys.tasks())).items.map((i) => i.value).filter((t) => t.lastStatus === "RUNNING");
  const wanted = new Map<string, TaskRecord>();
  for (const t of tasks) if (!wanted.has(t.taskDefinitionArn)) wanted.set(t.taskDefinitionArn, t);
  const taskDefinitions = new Map<string, TaskDefinitionRecord>();
  const pending = [...wanted.entries()];
  while (pending.length > 0) {
    const batch = pending.splice(0, definitionReadsInFlight);
    const read = await Promise.all(batch.map(([, t]) => ctx.store.taskDefinitions.get(t.family, t.revision)));
    read.forEach((td, n) => td && taskDefinitions.set(batch[n][0], td.value));
  }
  return { instances, tasks, taskDefinitions };
}

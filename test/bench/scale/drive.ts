/**
 * The load the scale bench puts on the control plane: RunTask in batches of 10 (ECS's limit)
 * from several callers at once, services created with their desired counts, an API sampler
 * reading while that happens, and a paginated walk of ListTasks. Every loop is bounded by a
 * deadline and a count.
 */
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ListTasksCommand,
  RunTaskCommand,
  paginateListTasks,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import { Latencies } from "./measure.js";

/** What one RunTask drive did. */
export interface RunTaskDrive {
  placed: number;
  calls: number;
  /** Calls the control plane answered "conflicted with a concurrent change; retry it", retried as a client would. */
  conflictRetries: number;
  /** Failures ECS reported (reason -> count); a drive stops when a call places nothing. */
  failures: Record<string, number>;
  ms: number;
}

/**
 * Runs `total` tasks of `family` with `concurrency` callers, each claiming up to 10 at a time,
 * round robin over `clients` (one per replica). Stops early when a call places nothing or the
 * deadline passes; `onProgress` gets the placed count after every call.
 */
export async function driveRunTask(opts: {
  clients: ECSClient[];
  cluster: string;
  family: string;
  total: number;
  concurrency: number;
  latencies: Latencies;
  deadline: number;
  onProgress(placed: number): void;
}): Promise<RunTaskDrive> {
  const started = performance.now();
  let claimed = 0;
  let placed = 0;
  let calls = 0;
  let stop = false;
  let conflictRetries = 0;
  const failures: Record<string, number> = {};
  // berth's RunTask gives up after 8 lost races with "retry it"; a client retries, so the bench does (bounded).
  const send = async (client: ECSClient, count: number) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await opts.latencies.time(() => client.send(new RunTaskCommand({ cluster: opts.cluster, taskDefinition: opts.family, count })));
      } catch (err) {
        if (attempt >= 10 || !/conflicted with a concurrent change/.test((err as Error).message)) throw err;
        conflictRetries++;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  };
  const worker = async (w: number) => {
    while (!stop && claimed < opts.total && Date.now() < opts.deadline) {
      const count = Math.min(10, opts.total - claimed);
      claimed += count;
      const client = opts.clients[(calls + w) % opts.clients.length];
      calls++;
      const res = await send(client, count);
      placed += res.tasks?.length ?? 0;
      for (const f of res.failures ?? []) failures[f.reason ?? "?"] = (failures[f.reason ?? "?"] ?? 0) + 1;
      if ((res.tasks?.length ?? 0) === 0) stop = true;
      opts.onProgress(placed);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  return { placed, calls, conflictRetries, failures, ms: performance.now() - started };
}

/** The names of the bench's services. */
export const serviceNames = (n: number): string[] => Array.from({ length: n }, (_, i) => `scale-svc-${String(i).padStart(4, "0")}`);

/** Desired counts for `services` sharing `tasks` as evenly as they go. */
export function serviceCounts(services: number, tasks: number): number[] {
  return Array.from({ length: services }, (_, i) => Math.floor(tasks / services) + (i < tasks % services ? 1 : 0));
}

/** Creates the services (10 at a time), each with its desired count. */
export async function createServices(ecs: ECSClient, cluster: string, family: string, counts: number[], deadline: number): Promise<void> {
  const names = serviceNames(counts.length);
  for (let i = 0; i < names.length; i += 10) {
    if (Date.now() > deadline) throw new Error(`creating services: past the deadline after ${i}`);
    await Promise.all(
      names.slice(i, i + 10).map((serviceName, k) =>
        ecs.send(new CreateServiceCommand({ cluster, serviceName, taskDefinition: family, desiredCount: counts[i + k] })),
      ),
    );
  }
}

/**
 * Calls DescribeServices (when there are services) and ListTasks (a first page of 100) every
 * `everyMs` until stopped, recording their latencies: what a user's reads cost during the run.
 */
export function sampleApi(opts: { ecs: ECSClient; cluster: string; services: () => string[]; describe: Latencies; list: Latencies; everyMs: number }): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const names = opts.services().slice(0, 10);
      await Promise.all([
        names.length ? opts.describe.time(() => opts.ecs.send(new DescribeServicesCommand({ cluster: opts.cluster, services: names }))).catch(() => {}) : undefined,
        opts.list.time(() => opts.ecs.send(new ListTasksCommand({ cluster: opts.cluster, maxResults: 100 }))).catch(() => {}),
      ]);
      await new Promise((r) => setTimeout(r, opts.everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** What a walk through ListTasks found. */
export interface ListWalk {
  pages: number;
  arns: number;
  distinct: number;
  pageLatencies: Latencies;
  ms: number;
}

/** Pages through every task of `cluster` with the SDK's paginator (100 a page), timing each page; bounded by `maxPages`. */
export async function walkListTasks(ecs: ECSClient, cluster: string, maxPages: number): Promise<ListWalk> {
  const pageLatencies = new Latencies();
  const seen = new Set<string>();
  let arns = 0;
  let pages = 0;
  const started = performance.now();
  let last = performance.now();
  for await (const page of paginateListTasks({ client: ecs, pageSize: 100 }, { cluster })) {
    const now = performance.now();
    pageLatencies.samples.push(now - last);
    pages++;
    for (const a of page.taskArns ?? []) {
      arns++;
      seen.add(a);
    }
    if (pages >= maxPages) throw new Error(`ListTasks walk: more than ${maxPages} pages`);
    last = performance.now();
  }
  return { pages, arns, distinct: seen.size, pageLatencies, ms: performance.now() - started };
}

import { DescribeTasksCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import { InvalidArgumentError, type Command } from "commander";
import { explainError, OpsError, targetFlags, withEcs, type OpsTarget } from "./client.js";
import { describeServices, listTasks } from "./cluster-reads.js";
import { formatLogLine, LogInterleaver, logSources, type LogSource } from "./log-merge.js";
import { streamLog } from "./log-stream.js";
import { instanceIdOf } from "./node-rows.js";

interface LogsOptions {
  service?: string;
  task?: string;
  container?: string;
  follow: boolean;
  since?: string;
  tail?: number;
  timestamps: boolean;
  endpoint: string;
  cluster: string;
}

/** How long a followed line waits for quieter containers before it prints. */
const followHoldMs = 300;
/** How often a followed service is asked for new tasks. */
const discoverMs = 3000;

/**
 * Adds `logs [-f] (--service NAME | --task ID) [--container NAME] [--since 10m] [--tail N]`:
 * the containers' output, read through the control plane (which relays to each task's agent),
 * interleaved by Docker's timestamps, each line prefixed `task/container`.
 */
export function registerLogsCommand(program: Command): void {
  targetFlags(
    program
      .command("logs")
      .description("print the output of a task's or a service's containers, interleaved, each line prefixed task/container")
      .option("--service <name>", "every running task of this service")
      .option("--task <id>", "one task (id or ARN)")
      .option("--container <name>", "only this container of each task")
      .option("-f, --follow", "keep printing new lines until Ctrl-C", false)
      .option("--since <time>", "only lines since a duration ago (30s, 10m, 2h, 1d) or unix ms")
      .option("--tail <n>", "only the last n lines of each container", positiveInt)
      .option("-t, --timestamps", "print Docker's timestamp before each line", false),
  ).action(async (o: LogsOptions) => {
    if (!o.service === !o.task) throw new OpsError("name exactly one of --service NAME or --task ID");
    await withEcs(o, async (ecs, target) => {
      const tasks = o.task ? [await oneTask(ecs, target.cluster, o.task)] : await serviceTasks(ecs, target.cluster, o.service!);
      const sources = logSources(tasks, o.container);
      if (sources.length === 0) {
        const names = [...new Set(tasks.flatMap((t) => (t.containers ?? []).map((c) => c.name)))];
        if (o.container && !names.includes(o.container)) throw new OpsError(`no container '${o.container}' in these tasks; their containers: ${names.join(", ")}`);
        throw new OpsError("no container of these tasks has started yet");
      }
      // Following a service, its tasks started later (replacements, scaling) are read too.
      const discover = o.service && o.follow ? async () => (await listTasks(ecs, target.cluster, { service: o.service, stopped: false })) : undefined;
      const failed = await printInterleaved(target, ecs, sources, discover, o);
      if (failed) process.exitCode = 1;
    });
  });
}

function positiveInt(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError("a whole number of lines, at least 1");
  return Number(v);
}

/** The task `ref` names; an unknown one is an error listing the cluster's running tasks. */
async function oneTask(ecs: ECSClient, cluster: string, ref: string): Promise<Task> {
  const task = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [ref] }))).tasks?.[0];
  if (task) return task;
  const known = (await listTasks(ecs, cluster, { stopped: false })).map((t) => instanceIdOf(t.taskArn ?? "")).sort();
  throw new OpsError(`unknown task '${ref}' in cluster ${cluster}; running tasks: ${known.length ? known.join(", ") : "(none)"}`);
}

/** The service's running tasks (the service must exist). */
async function serviceTasks(ecs: ECSClient, cluster: string, service: string): Promise<Task[]> {
  await describeServices(ecs, cluster, service);
  const tasks = (await listTasks(ecs, cluster, { service, stopped: false })).filter((t) => t.lastStatus !== "STOPPED");
  if (tasks.length === 0) throw new OpsError(`service ${service} has no running tasks`);
  return tasks;
}

/**
 * Reads every source's log at once and prints them interleaved; with `discover`, asks it for
 * tasks every few seconds and reads the new ones too, until Ctrl-C. Ctrl-C ends the reads
 * (and, through the closed connections, the agents' reads). True when any source failed.
 */
async function printInterleaved(
  target: OpsTarget,
  ecs: ECSClient,
  initial: LogSource[],
  discover: (() => Promise<Task[]>) | undefined,
  o: LogsOptions,
): Promise<boolean> {
  const merger = new LogInterleaver({ holdMs: o.follow ? followHoldMs : Infinity, maxQueued: 1000 });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  let failed = false;
  const flush = () => {
    const out = merger.take(Date.now());
    if (out.length) process.stdout.write(out.map((l) => `${formatLogLine(l, o.timestamps)}\n`).join(""));
  };
  const seen = new Set<string>();
  const reads: Promise<void>[] = [];
  const read = async ({ task, container }: LogSource, since: string) => {
    const source = `${task}/${container}`;
    try {
      for await (const r of streamLog(target, ecs, { cluster: target.cluster, task, container, follow: o.follow, since, tail: o.tail ?? 0 }, abort.signal)) {
        if ("end" in r) {
          if (r.error) {
            failed = true;
            process.stderr.write(`berth: ${source}: ${r.error}\n`);
          }
          break;
        }
        merger.push(source, [{ source, ...r }], Date.now());
        flush();
      }
    } catch (err) {
      if (!abort.signal.aborted) {
        failed = true;
        process.stderr.write(`berth: ${(explainError(err, target) as Error).message}\n`);
      }
    } finally {
      merger.end(source);
      flush();
    }
  };
  const start = (sources: LogSource[], since: string) => {
    for (const s of sources) {
      seen.add(`${s.task}/${s.container}`);
      merger.add(`${s.task}/${s.container}`);
      reads.push(read(s, since));
    }
  };
  start(initial, o.since ?? "");
  // Following, a quiet container's hold expires on a timer rather than on the next line.
  const ticker = o.follow ? setInterval(flush, followHoldMs / 2) : undefined;
  try {
    if (discover) {
      while (!abort.signal.aborted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, discoverMs);
          abort.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
        });
        if (abort.signal.aborted) break;
        // A task that started after the command did: its whole log is new.
        start(logSources(await discover().catch(() => []), o.container, seen), "");
      }
    }
    await Promise.all(reads);
  } finally {
    if (ticker) clearInterval(ticker);
    process.off("SIGINT", onSignal);
  }
  flush();
  return failed;
}

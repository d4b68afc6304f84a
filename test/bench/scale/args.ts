/**
 * `npm run bench:scale` arguments: the fleet's size, how tasks are driven (RunTask and/or
 * services), the control plane's replicas, the fleet's processes and the timing model. Parsing
 * is pure (argv in, options or a clear error out), so it is unit tested.
 */
import { Command, InvalidArgumentError } from "commander";
import { defaultTimingModel, parseDistribution, type TimingModel } from "@berth/agent";

/** One scale run, fully resolved. */
export interface ScaleOptions {
  instances: number;
  /** Tasks in all: service tasks plus RunTask tasks. */
  tasks: number;
  /** Services sharing `serviceTasks` (0: RunTask only). */
  services: number;
  /** Tasks the services hold between them; the rest go through RunTask. */
  serviceTasks: number;
  /** Control-plane replicas (processes). */
  replicas: 1 | 3;
  /** Fleet processes, each running a slice of the hosts. */
  processes: number;
  /** RunTask calls in flight at once (each of up to 10 tasks, ECS's limit). */
  concurrency: number;
  cpuUnits: number;
  memoryMiB: number;
  zones: number;
  /** Each task's reservation. */
  taskCpu: number;
  taskMemory: number;
  timing: TimingModel;
  seed: number;
  /** Control-plane heartbeat interval (its default 2000 ms). */
  heartbeatMs: number;
  /** Bound on the whole run, seconds. */
  timeoutSec: number;
  /** Write a CPU profile of each control-plane replica (node --cpu-prof) here. */
  cpuProf?: string;
  /** Write a heap snapshot of each replica here at the end of each idle measurement (SIGUSR2). */
  heapSnapshot?: string;
  /** Skip the real agent's idle RSS (it needs dockerd). */
  realAgent: boolean;
  /** Seconds each idle-session measurement lasts (with no tasks, and again with every task RUNNING). */
  idleSec: number;
  /** Seconds to wait before each idle measurement, so the join's (or the placements') after-work is not counted. */
  settleSec: number;
  /** Join the fleet, measure its idle sessions, and stop: no placements. */
  onlyIdle: boolean;
}

// commander names the option in its message around these ("option '--instances <n>' argument ...").
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${v}"`);
  return n;
};
const dist = (field: string) => (v: string) => {
  try {
    return parseDistribution(v, field);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

/** The command, for --help and parsing; `exit` false throws instead of exiting (tests). */
export function scaleCommand(): Command {
  return new Command("bench:scale")
    .description("berth at scale: real etcd and control plane, a simulated fleet of real agents, RunTask and service placements measured")
    .option("--instances <n>", "simulated container instances", int(1, 100_000), 500)
    .option("--tasks <n>", "tasks in all (services' plus RunTask's)", int(0, 1_000_000), 5_000)
    .option("--services <n>", "services sharing --service-tasks (0: RunTask only)", int(0, 5_000), 0)
    .option("--service-tasks <n>", "tasks the services hold between them (default: half of --tasks when --services > 0)", int(0, 1_000_000))
    .option("--replicas <n>", "control-plane replicas: 1 or 3", (v) => {
      if (v !== "1" && v !== "3") throw new InvalidArgumentError(`expected 1 or 3, got "${v}"`);
      return Number(v) as 1 | 3;
    }, 1 as 1 | 3)
    .option("--processes <n>", "fleet processes (each runs a slice of the instances)", int(1, 64), 2)
    .option("--concurrency <n>", "RunTask calls in flight", int(1, 256), 8)
    .option("--cpu <units>", "each instance's CPU units", int(128, 1_048_576), 4096)
    .option("--memory <MiB>", "each instance's memory", int(128, 4_194_304), 16_384)
    .option("--zones <n>", "availability zones, round robin", int(1, 26), 3)
    .option("--task-cpu <units>", "each task's CPU reservation", int(1, 10_240), 128)
    .option("--task-memory <MiB>", "each task's memory reservation", int(1, 120_000), 256)
    .option("--pull <dist>", "pull time (N, uniform:A-B, normal:M,SD, lognormal:MEDIAN,SIGMA, exp:MEAN)", dist("--pull"), defaultTimingModel.pull)
    .option("--create <dist>", "create time", dist("--create"), defaultTimingModel.create)
    .option("--start <dist>", "start time", dist("--start"), defaultTimingModel.start)
    .option("--exit <dist>", "run time before a container exits on its own (never: runs until stopped)", dist("--exit"), defaultTimingModel.exit)
    .option("--seed <n>", "seed of the timing model and names", int(0, 2 ** 31), 1)
    .option("--heartbeat-ms <ms>", "control-plane heartbeat interval", int(100, 60_000), 2000)
    .option("--timeout <s>", "bound on the whole run", int(10, 86_400), 900)
    .option("--cpu-prof <dir>", "write a CPU profile of each control-plane replica here")
    .option("--heap-snapshot <dir>", "write a heap snapshot of each replica here at the end of each idle measurement (it stops the replica for seconds)")
    .option("--no-real-agent", "skip measuring a real (Docker) agent's idle RSS")
    .option("--idle-sec <s>", "length of each idle-sessions measurement (fleet joined; and again with every task RUNNING)", int(2, 3_600), 10)
    .option("--settle-sec <s>", "wait this long before each idle-sessions measurement (the join's garbage collected, its queues drained)", int(0, 3_600), 0)
    .option("--only-idle", "join the fleet, measure its idle sessions for --idle-sec, and stop (no tasks placed)");
}

/** Parses `argv` (the arguments after the script name) into options; throws on a bad one, naming it. */
export function parseScaleArgs(argv: string[]): ScaleOptions {
  const cmd = scaleCommand().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  cmd.parse(argv, { from: "user" });
  const o = cmd.opts();
  const services = o.services as number;
  const tasks = o.tasks as number;
  const serviceTasks = (o.serviceTasks as number | undefined) ?? (services > 0 ? Math.floor(tasks / 2) : 0);
  if (serviceTasks > tasks) throw new Error(`--service-tasks (${serviceTasks}) is more than --tasks (${tasks})`);
  if (serviceTasks > 0 && services === 0) throw new Error(`--service-tasks ${serviceTasks} needs --services of at least 1`);
  if (services > 0 && serviceTasks / services > 5_000) throw new Error(`--service-tasks / --services is ${Math.ceil(serviceTasks / services)} tasks a service, above ECS's 5,000`);
  const perHost = Math.min(Math.floor(o.cpu / o.taskCpu), Math.floor(o.memory / o.taskMemory));
  if (perHost * o.instances < tasks) {
    throw new Error(`--tasks ${tasks} does not fit: ${o.instances} instances hold ${perHost} tasks each (${perHost * o.instances} in all) at --task-cpu ${o.taskCpu} / --task-memory ${o.taskMemory}`);
  }
  return {
    instances: o.instances,
    tasks,
    services,
    serviceTasks,
    replicas: o.replicas,
    processes: o.processes,
    concurrency: o.concurrency,
    cpuUnits: o.cpu,
    memoryMiB: o.memory,
    zones: o.zones,
    taskCpu: o.taskCpu,
    taskMemory: o.taskMemory,
    timing: { pull: o.pull, create: o.create, start: o.start, exit: o.exit, exitCode: 0 },
    seed: o.seed,
    heartbeatMs: o.heartbeatMs,
    timeoutSec: o.timeout,
    cpuProf: o.cpuProf,
    heapSnapshot: o.heapSnapshot,
    realAgent: o.realAgent,
    idleSec: o.idleSec,
    settleSec: o.settleSec,
    onlyIdle: o.onlyIdle === true,
  };
}

import type { AgentMessage, TaskStatsSample } from "@berth/proto";
import type { Logger } from "@berth/shared";
import type { AgentTaskView } from "../engine/types.js";
import type { ContainerSample } from "./container-stats.js";
import { taskIdOf } from "./labels.js";

/** One container's CPU counter as last reported, to turn the next reading into a rate. */
export interface CpuMark {
  cpuSeconds: number;
  atMs: number;
}

/**
 * The report for one round of samples, and the CPU marks the next round starts from. CPU is the
 * counter's growth since the previous reading over the wall time between the two readings, in
 * percent of one core; a container seen for the first time (or whose counter went back: a
 * restart), or not read again since (the collector's cache), has no rate and is left out, so a
 * report never shows a made-up 0 %. Pure.
 */
export function buildStatsReport(
  samples: ContainerSample[],
  tasks: AgentTaskView[],
  previous: ReadonlyMap<string, CpuMark>,
): { tasks: TaskStatsSample[]; marks: Map<string, CpuMark> } {
  const arnOf = new Map(tasks.map((t) => [taskIdOf(t.arn), t.arn]));
  const marks = new Map<string, CpuMark>();
  const byTask = new Map<string, TaskStatsSample>();
  for (const s of samples) {
    const prev = previous.get(s.runtimeId);
    // A cached reading seen again keeps the older mark, so the next new reading spans both.
    if (prev && s.readAtMs <= prev.atMs) {
      marks.set(s.runtimeId, prev);
      continue;
    }
    marks.set(s.runtimeId, { cpuSeconds: s.usage.cpuSeconds, atMs: s.readAtMs });
    const arn = arnOf.get(s.labels.task_id);
    if (!prev || !arn || s.usage.cpuSeconds < prev.cpuSeconds) continue;
    const cpuPercent = ((s.usage.cpuSeconds - prev.cpuSeconds) / ((s.readAtMs - prev.atMs) / 1000)) * 100;
    const entry = byTask.get(arn) ?? { taskArn: arn, containers: [] };
    entry.containers.push({ name: s.labels.container, cpuPercent, memoryBytes: Math.round(s.usage.memoryUsageBytes) });
    byTask.set(arn, entry);
  }
  return { tasks: [...byTask.values()], marks };
}

/** Options for {@link StatsReporter}. */
export interface StatsReporterOptions {
  samples: () => Promise<ContainerSample[]>;
  tasks: () => AgentTaskView[];
  /** How often a report goes out (BERTH_STATS_REPORT_INTERVAL). */
  intervalMs: number;
  log: Logger;
  now?: () => number;
}

/**
 * Sends the running containers' usage over the session every interval, for the control plane's
 * service metrics (auto scaling) and the console. Attached while a session is accepted; the
 * Docker reads are the metrics collector's own (one stats call per container per window).
 */
export class StatsReporter {
  private timer?: NodeJS.Timeout;
  private marks = new Map<string, CpuMark>();
  private write?: (msg: AgentMessage) => void;
  private busy = false;
  private readonly now: () => number;

  constructor(private readonly opts: StatsReporterOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Starts reporting on a newly accepted session. */
  attach(write: (msg: AgentMessage) => void): void {
    this.detach();
    this.write = write;
    // A first round at once sets the CPU marks, so the first report follows one interval later.
    void this.round();
    this.timer = setInterval(() => void this.round(), this.opts.intervalMs);
  }

  /** Stops reporting (the session ended). */
  detach(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.write = undefined;
  }

  private async round(): Promise<void> {
    // A slow Docker must not pile rounds up: a round still reading skips the next tick.
    if (this.busy) return;
    this.busy = true;
    try {
      const samples = await this.opts.samples();
      const { tasks, marks } = buildStatsReport(samples, this.opts.tasks(), this.marks);
      this.marks = marks;
      if (tasks.length > 0) this.write?.({ kind: { $case: "taskStats", value: { sampledAtMs: this.now(), tasks } } });
    } catch (err) {
      this.opts.log.debug("stats report skipped", { err });
    } finally {
      this.busy = false;
    }
  }
}

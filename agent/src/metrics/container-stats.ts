import type Dockerode from "dockerode";
import type { Logger } from "@berth/shared";
import type { AgentTaskView } from "../engine/types.js";
import { parseDockerStats, type ContainerUsage } from "./docker-stats.js";
import { statsTargets, type ContainerLabels } from "./labels.js";

/** Reads one container's raw stats document; the Docker runtime and a simulated one both fit. */
export type StatsSource = (runtimeId: string) => Promise<unknown>;

/**
 * Stats from a Docker engine. `one-shot` (API 1.41) answers from one sample instead of two, as
 * a counter needs no CPU delta; dockerd still answers on its collector's next 1 s tick.
 */
export function dockerStatsSource(docker: Dockerode): StatsSource {
  return (id) => docker.getContainer(id).stats({ stream: false, "one-shot": true });
}

/** One container's labels with its latest usage. */
export interface ContainerSample {
  runtimeId: string;
  labels: ContainerLabels;
  usage: ContainerUsage;
  /** When Docker was asked for this reading (unix ms): a rate is taken between two readings. */
  readAtMs: number;
}

/** Options for {@link ContainerStatsCollector}. */
export interface ContainerStatsOptions {
  tasks: () => AgentTaskView[];
  source: StatsSource;
  logger: Logger;
  /** How long a refresh serves scrapes before Docker is asked again. Default 2000 ms. */
  cacheMs?: number;
  /** Longest wait for one container's stats. Default 5000 ms. */
  timeoutMs?: number;
  /**
   * Containers read at once. Default 32: dockerd's stats collector answers on its 1 s tick, so
   * a read mostly waits, and reads in parallel share one tick.
   */
  concurrency?: number;
  /** Called once per container whose stats could not be read. */
  onError?: () => void;
  now?: () => number;
}

/**
 * Usage of the agent's running containers, refreshed on demand. Scrapes within `cacheMs` of a
 * refresh, and concurrent ones, share it, so several metrics (and several Prometheus servers)
 * cost Docker one stats call per container per window. A container that stopped or left
 * `tasks()` drops out of the next refresh, which removes its series.
 */
export class ContainerStatsCollector {
  private samples: ContainerSample[] = [];
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<ContainerSample[]> | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: ContainerStatsOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The latest samples, refreshing first when the cache is older than `cacheMs`. */
  current(): Promise<ContainerSample[]> {
    if (this.now() - this.refreshedAt < (this.opts.cacheMs ?? 2000)) return Promise.resolve(this.samples);
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async refresh(): Promise<ContainerSample[]> {
    const targets = statsTargets(this.opts.tasks());
    const previous = new Map(this.samples.map((s) => [s.runtimeId, s]));
    const out: ContainerSample[] = [];
    const queue = [...targets];
    const worker = async () => {
      for (let t = queue.shift(); t; t = queue.shift()) {
        try {
          const readAtMs = this.now();
          const usage = parseDockerStats(await this.withTimeout(this.opts.source(t.runtimeId)));
          if (usage) out.push({ runtimeId: t.runtimeId, labels: t.labels, usage, readAtMs });
        } catch (err) {
          this.opts.onError?.();
          this.opts.logger.debug("container stats unavailable", { container: t.labels.container, taskArn: t.labels.task_id, err });
          // Keep the last reading of a container still listed as running: a gap in a counter
          // reads as a reset to rate(), a stale value does not.
          const last = previous.get(t.runtimeId);
          if (last) out.push(last);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 32, targets.length) }, worker));
    this.samples = out;
    this.refreshedAt = this.now();
    return out;
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    const ms = this.opts.timeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`stats took over ${ms} ms`)), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }
}

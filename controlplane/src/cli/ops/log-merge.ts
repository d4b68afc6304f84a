import type { Task } from "@aws-sdk/client-ecs";

/** One line of one container's log as `berth logs` receives it. */
export interface SourcedLine {
  /** `task/container`, the prefix printed before the text. */
  source: string;
  /** Docker's RFC 3339 nanosecond timestamp (fixed width, UTC: compares as text). */
  time: string;
  stream: string;
  text: string;
}

/** How long a line may wait for quieter sources, and how many lines one source may queue. */
export interface InterleaveOptions {
  /** Infinity: wait for every source (a whole log); following, a short wait keeps order without lag. */
  holdMs: number;
  /** Past this many queued lines a source's oldest are released regardless (bounded memory). */
  maxQueued: number;
}

/**
 * Interleaves several containers' logs by timestamp. A line is released once every open
 * source has a line queued or ended (so nothing earlier can still come), or once it has waited
 * `holdMs` (a quiet source does not hold the others back while following), or when its source
 * has `maxQueued` lines waiting. Pure: the caller passes the clock.
 */
export class LogInterleaver {
  private readonly queues = new Map<string, { line: SourcedLine; arrivedMs: number }[]>();
  private readonly open = new Set<string>();

  constructor(private readonly opts: InterleaveOptions) {}

  /** A source that will send lines; until it ends or sends one, it holds back the others. */
  add(source: string): void {
    this.open.add(source);
    if (!this.queues.has(source)) this.queues.set(source, []);
  }

  /** Lines received from `source`, in its own order. */
  push(source: string, lines: SourcedLine[], nowMs: number): void {
    const q = this.queues.get(source) ?? [];
    this.queues.set(source, q);
    for (const line of lines) q.push({ line, arrivedMs: nowMs });
  }

  /** The source will send no more. */
  end(source: string): void {
    this.open.delete(source);
  }

  /** Every source ended and every line taken. */
  get done(): boolean {
    return this.open.size === 0 && [...this.queues.values()].every((q) => q.length === 0);
  }

  /** The lines that may be printed now, in timestamp order. */
  take(nowMs: number): SourcedLine[] {
    const out: SourcedLine[] = [];
    for (;;) {
      let best: { source: string; line: SourcedLine; arrivedMs: number } | undefined;
      let blocked = false;
      for (const [source, q] of this.queues) {
        if (q.length === 0) {
          if (this.open.has(source)) blocked = true;
          continue;
        }
        if (!best || q[0].line.time < best.line.time) best = { source, ...q[0] };
      }
      if (!best) return out;
      let from = best.source;
      if (blocked && nowMs - best.arrivedMs < this.opts.holdMs) {
        // Something earlier may still come; only a full queue is released now, oldest first.
        const full = [...this.queues.entries()].find(([, q]) => q.length >= this.opts.maxQueued);
        if (!full) return out;
        from = full[0];
      }
      out.push(this.queues.get(from)!.shift()!.line);
    }
  }
}

/** One line as printed: `task/container | text`, with Docker's timestamp first when asked. */
export function formatLogLine(l: SourcedLine, timestamps: boolean): string {
  return `${timestamps && l.time ? `${l.time} ` : ""}${l.source} | ${l.text}`;
}

/** One container whose log `berth logs` reads. */
export interface LogSource {
  task: string;
  container: string;
}

/**
 * The containers to read: those of `tasks` (only `container` when named) that Docker has
 * created (a runtime id), less those already being read (`seen`, as `task/container`).
 */
export function logSources(tasks: Task[], container: string | undefined, seen: ReadonlySet<string> = new Set()): LogSource[] {
  return tasks.flatMap((t) =>
    (t.containers ?? [])
      .filter((c) => c.runtimeId && (!container || c.name === container))
      .map((c) => ({ task: t.taskArn!.slice(t.taskArn!.lastIndexOf("/") + 1), container: c.name ?? "" }))
      .filter((s) => !seen.has(`${s.task}/${s.container}`)),
  );
}

/**
 * What the scale bench reads while it runs: call latencies (percentiles), a process's CPU time
 * and RSS from /proc, and etcd's database size from its /metrics.
 */
import { readFile } from "node:fs/promises";

/** Latencies of one API call, in ms. */
export class Latencies {
  readonly samples: number[] = [];
  errors = 0;

  /** Times `call`, recording its latency (errors are counted and rethrown). */
  async time<T>(call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } catch (err) {
      this.errors++;
      throw err;
    } finally {
      this.samples.push(performance.now() - started);
    }
  }

  /** The `p`th percentile (0-100, nearest rank); NaN without samples. */
  percentile(p: number): number {
    return percentile(this.samples, p);
  }
}

/** Nearest-rank percentile of `xs`; NaN when empty. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** CPU seconds (user + system) and RSS of a process, from /proc/<pid>/stat and status. */
export interface ProcSample {
  cpuSeconds: number;
  rssBytes: number;
}

/** Fields 14 and 15 of /proc/<pid>/stat are utime and stime in clock ticks (100 a second on Linux). */
export function parseProcStat(stat: string, ticksPerSecond = 100): number {
  // The command name (field 2) is in parentheses and may hold spaces: split after its last ')'.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state), so utime (14) is rest[11] and stime (15) rest[12].
  return (Number(rest[11]) + Number(rest[12])) / ticksPerSecond;
}

/** VmRSS of /proc/<pid>/status, in bytes. */
export function parseVmRss(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Reads a live process's CPU time and RSS. */
export async function sampleProc(pid: number): Promise<ProcSample> {
  const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, "utf8"), readFile(`/proc/${pid}/status`, "utf8")]);
  return { cpuSeconds: parseProcStat(stat), rssBytes: parseVmRss(status) };
}

/** Tracks one process's CPU over an interval and its largest RSS seen. */
export class ProcWatch {
  private first?: { at: number; cpu: number };
  private last?: { at: number; cpu: number };
  peakRssBytes = 0;
  lastRssBytes = 0;

  constructor(readonly pid: number) {}

  async sample(): Promise<void> {
    const s = await sampleProc(this.pid).catch(() => undefined);
    if (!s) return;
    const point = { at: performance.now(), cpu: s.cpuSeconds };
    this.first ??= point;
    this.last = point;
    this.lastRssBytes = s.rssBytes;
    this.peakRssBytes = Math.max(this.peakRssBytes, s.rssBytes);
  }

  /** Mean share of one core between the first and last sample (1 = a whole core). */
  coreShare(): number {
    if (!this.first || !this.last || this.last.at === this.first.at) return NaN;
    return (this.last.cpu - this.first.cpu) / ((this.last.at - this.first.at) / 1000);
  }

  /** Starts a new interval at the latest sample. */
  restart(): void {
    this.first = this.last;
  }
}

/** A gauge's value in Prometheus text, or undefined when absent. */
export function promValue(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, "m").exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The sum of every series of `name` in Prometheus text (all label sets). */
export function promSum(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, "gm"))) sum += Number(m[1]);
  return sum;
}

/** Guarded writes that lost a compare, summed over the replicas' /metrics. */
export async function txnConflicts(endpoints: string[]): Promise<number> {
  let n = 0;
  for (const e of endpoints) n += promSum(await (await fetch(`${e}/metrics`, { signal: AbortSignal.timeout(10_000) })).text(), "berth_etcd_txn_conflicts_total");
  return n;
}

/** etcd's backend database size in bytes (`etcd_mvcc_db_total_size_in_bytes`, 3.4 also under etcd_debugging_). */
export async function etcdDbSize(endpoint: string): Promise<number | undefined> {
  const text = await (await fetch(`${endpoint}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  return promValue(text, "etcd_mvcc_db_total_size_in_bytes") ?? promValue(text, "etcd_debugging_mvcc_db_total_size_in_bytes");
}

/** Bytes as MiB with one decimal. */
export const mib = (b: number | undefined): string => (b === undefined || !Number.isFinite(b) ? "—" : `${(b / 1024 / 1024).toFixed(1)} MiB`);
/** Milliseconds with one decimal. */
export const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : "—");

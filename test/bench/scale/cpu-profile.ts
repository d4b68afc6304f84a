/**
 * A summary of a V8 CPU profile (`node --cpu-prof` output): where the samples fell, by frame
 * (self time) and by file, so the bench can say what dominated a replica's time.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** The parts of a .cpuprofile this reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  /** When the profile started, µs of the monotonic clock (CLOCK_MONOTONIC, as `process.hrtime`). */
  startTime?: number;
  /** Each sample's time after the one before it (the first after startTime), µs. */
  timeDeltas?: number[];
}

/** A span of the monotonic clock in µs (see {@link monotonicUs}), shared by every process here. */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** Now on the clock V8 stamps its profiles with (libuv's hrtime and V8's TimeTicks are CLOCK_MONOTONIC). */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** The samples (node ids) taken within `w`, or every sample without one (or without timestamps). */
export function samplesIn(p: CpuProfile, w?: ProfileWindow): number[] {
  if (!w || p.startTime === undefined || !p.timeDeltas) return p.samples;
  const out: number[] = [];
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t >= w.fromUs && t <= w.toUs) out.push(p.samples[i]);
  }
  return out;
}

/** One row of the summary: a frame or a file and its share of all samples. */
export interface ProfileRow {
  name: string;
  share: number;
}

/** Shortens a file URL to what names it: the package or the repo-relative path. */
export function shortUrl(url: string): string {
  if (!url) return "(native)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/(controlplane|shared|proto|agent)\/(dist|src|generated)\/(.*)$/.exec(url);
  if (m) return `${m[1]}/${m[3]}`;
  return url.replace(/^file:\/\//, "").replace(/^node:/, "node:");
}

/** Self-time shares of the busy samples: the top `n` frames and files, and the idle share of all samples. */
export function summarise(p: CpuProfile, n = 12, w?: ProfileWindow): { frames: ProfileRow[]; files: ProfileRow[]; samples: number; idle: number } {
  const samples = samplesIn(p, w);
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const frames = new Map<string, number>();
  const files = new Map<string, number>();
  // Shares are of the busy samples: "(idle)" is the event loop waiting (on etcd, on clients).
  let idle = 0;
  for (const id of samples) {
    const node = byId.get(id);
    if (!node) continue;
    const f = node.callFrame;
    if (f.functionName === "(idle)") {
      idle++;
      continue;
    }
    const file = shortUrl(f.url);
    const frame = `${f.functionName || "(anonymous)"} ${file}${f.url ? `:${f.lineNumber + 1}` : ""}`;
    frames.set(frame, (frames.get(frame) ?? 0) + 1);
    files.set(file, (files.get(file) ?? 0) + 1);
  }
  const top = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, c]) => ({ name, share: c / Math.max(1, samples.length - idle) }));
  return { frames: top(frames), files: top(files), samples: samples.length, idle: idle / Math.max(1, samples.length) };
}

/**
 * Inclusive time of the control plane's own functions (a frame counts for every busy sample it
 * is on the stack of, once per sample): which of berth's paths the busy time is spent under.
 */
export function inclusiveBerth(p: CpuProfile, n = 12, w?: ProfileWindow): ProfileRow[] {
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const counts = new Map<string, number>();
  let busy = 0;
  for (const id of samplesIn(p, w)) {
    if (byId.get(id)?.callFrame.functionName === "(idle)") continue;
    busy++;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (!/\/controlplane\/(dist|src)\//.test(f.url)) continue;
      const name = `${f.functionName || "(anonymous)"} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
      if (seen.has(name)) continue;
      seen.add(name);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, c]) => ({ name, share: c / Math.max(1, busy) }));
}

/** Summaries of every .cpuprofile in `dir`, newest last: of the whole run, and of each named window. */
export async function summariseDir(
  dir: string,
  n = 12,
  windows: { label: string; window: ProfileWindow }[] = [],
): Promise<{ file: string; label: string; summary: ReturnType<typeof summarise>; inclusive: ProfileRow[] }[]> {
  const names = (await readdir(dir)).filter((f) => f.endsWith(".cpuprofile")).sort();
  const out = [];
  for (const f of names) {
    const profile = JSON.parse(await readFile(join(dir, f), "utf8")) as CpuProfile;
    for (const { label, window } of [{ label: "the whole run", window: undefined }, ...windows]) {
      out.push({ file: join(dir, f), label, summary: summarise(profile, n, window), inclusive: inclusiveBerth(profile, n, window) });
    }
  }
  return out;
}

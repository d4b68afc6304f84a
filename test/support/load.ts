// A bounded HTTP load generator for loopback tests and benchmarks: a fixed number of GET requests
// at a fixed rate (or as fast as `concurrency` allows), each on a new connection so a load
// balancer chooses a server per request, stopping by itself. Nothing here retries: a refused
// connection, a reset or a non-2xx answer is a failed request.
import { request, type Agent } from "node:http";

/** What to send. */
export interface LoadOptions {
  url: string;
  /** How many requests in all. */
  count: number;
  /** Requests started per second; 0 or absent: closed loop, `concurrency` at a time. */
  ratePerSecond?: number;
  /** At most this many in flight (default 64 at a fixed rate, 16 closed loop). */
  concurrency?: number;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Reuse connections through this agent instead of one connection per request. */
  agent?: Agent;
  /** Start no new request once this settles (`count` stays the most sent): load for as long as something takes. */
  until?: Promise<unknown>;
}

/** What came back. */
export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** The first few failures, for the test's message. */
  failures: string[];
  /** Bodies of the successful answers, trimmed, counted. */
  bodies: Map<string, number>;
  /** Latencies of the successful answers in ms, sorted. */
  latenciesMs: number[];
  elapsedMs: number;
}

/** One GET: its status and body, or the error. */
function get(url: string, timeoutMs: number, agent: Agent | false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", agent, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** Sends `count` requests as told and reports every outcome. */
export async function generateLoad(opts: LoadOptions): Promise<LoadResult> {
  const rate = opts.ratePerSecond ?? 0;
  const concurrency = opts.concurrency ?? (rate > 0 ? 64 : 16);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const out: LoadResult = { sent: 0, ok: 0, failed: 0, failures: [], bodies: new Map(), latenciesMs: [], elapsedMs: 0 };
  const started = performance.now();
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const one = async (i: number) => {
    const t0 = performance.now();
    try {
      const res = await get(opts.url, timeoutMs, opts.agent ?? false);
      if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status}`);
      out.ok++;
      out.latenciesMs.push(performance.now() - t0);
      const body = res.body.trim();
      out.bodies.set(body, (out.bodies.get(body) ?? 0) + 1);
    } catch (err) {
      out.failed++;
      if (out.failures.length < 10) out.failures.push(`request ${i} at ${Math.round(t0 - started)} ms: ${(err as Error).message}`);
    } finally {
      inFlight--;
      wake?.();
    }
  };
  const running: Promise<void>[] = [];
  let ended = false;
  void opts.until?.then(
    () => (ended = true),
    () => (ended = true),
  );
  for (let i = 0; i < opts.count && !ended; i++) {
    if (rate > 0) {
      // Open loop: request i starts at i / rate seconds, late ones at once.
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (ended) break;
    }
    while (inFlight >= concurrency) await new Promise<void>((r) => (wake = r));
    inFlight++;
    out.sent++;
    running.push(one(i));
  }
  await Promise.all(running);
  out.elapsedMs = performance.now() - started;
  out.latenciesMs.sort((a, b) => a - b);
  return out;
}

/** The `p`th percentile (0-100) of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

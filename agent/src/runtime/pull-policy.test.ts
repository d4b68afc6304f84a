import { PassThrough } from "node:stream";
import Docker from "dockerode";
import { silentLogger } from "@berth/shared";
import { describe, expect, it } from "vitest";
import { CannotPullContainerError, ImagePullTimeoutError, type PullTimeoutKind } from "./errors.js";
import {
  ensureImage,
  mayUseCacheAfterFailedPull,
  pullTimeoutError,
  shouldPull,
  watchPull,
  type PullPolicy,
  type PullProgressLine,
  type PullStream,
  type PullTimeouts,
  type PullTimers,
} from "./pull-policy.js";
import type { ContainerRuntime } from "./types.js";

describe("pull policy", () => {
  it.each<[PullPolicy, boolean, boolean, boolean]>([
    // default: always pull; a failed pull falls back to the cached image.
    ["default", true, true, true],
    // default with nothing cached: pull, and a failure fails.
    ["default", false, true, false],
    // always: pull, never fall back.
    ["always", true, true, false],
    // once: only when absent.
    ["once", true, false, false],
    ["once", false, true, false],
    // prefer-cached: only when absent.
    ["prefer-cached", true, false, false],
    ["prefer-cached", false, true, false],
  ])("%s with cached=%s: pull=%s, fallback=%s", (policy, cached, pull, fallback) => {
    expect(shouldPull(policy, cached)).toBe(pull);
    expect(mayUseCacheAfterFailedPull(policy, cached)).toBe(fallback);
  });
});

/** Timers moved by hand: `advance` fires what falls due, in order, letting promises settle between. */
class ManualTimers implements PullTimers {
  now = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    this.seq += 1;
    this.pending.set(this.seq, { at: this.now + ms, fn });
    return this.seq;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Number of timers still armed. */
  get armed(): number {
    return this.pending.size;
  }

  async advanceTo(end: number): Promise<void> {
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
      await settleMicrotasks();
    }
    this.now = end;
  }
}

const settleMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

/** dockerode's real followProgress; building the client opens no connection. */
const modem = new Docker({ socketPath: "/nonexistent.sock", version: "v1.41" }).modem;

type Step =
  | { at: number; do: "answer" } // dockerd sends its headers
  | { at: number; do: "line"; status?: string; error?: string } // one JSON progress line
  | { at: number; do: "end" } // the body ends
  | { at: number; do: "break" } // the connection breaks
  | { at: number; do: "refuse" }; // the request fails before any answer

type Outcome = { kind: "done"; lines: number } | { kind: PullTimeoutKind } | { kind: "error"; message: string };

/** Plays `steps` against watchPull on manual time; returns what it settled with and when. */
async function play(timeouts: PullTimeouts, steps: Step[]) {
  const timers = new ManualTimers();
  let signal: AbortSignal | undefined;
  let answer!: (s: PullStream) => void;
  let refuse!: (err: Error) => void;
  const stream = new PassThrough();
  const result: { outcome?: Outcome; atMs?: number } = {};
  const done = watchPull(
    "127.0.0.1:5000/x:1",
    {
      open: (s) => {
        signal = s;
        return new Promise<PullStream>((resolve, reject) => {
          answer = resolve;
          refuse = reject;
        });
      },
      follow: (s, onFinished, onProgress) => modem.followProgress(s, onFinished as never, onProgress as never),
    },
    timeouts,
    timers,
  ).then(
    (lines: PullProgressLine[]) => ({ kind: "done", lines: lines.length }) as Outcome,
    (err: unknown) => (err instanceof ImagePullTimeoutError ? { kind: err.timeout } : { kind: "error", message: (err as Error).message }) as Outcome,
  );
  void done.then((o) => {
    result.outcome = o;
    result.atMs = timers.now;
  });
  for (const step of steps) {
    await timers.advanceTo(step.at);
    if (step.do === "answer") answer(stream);
    if (step.do === "line") stream.write(`${JSON.stringify({ status: step.status ?? "Downloading", error: step.error })}\n`);
    if (step.do === "end") stream.end();
    if (step.do === "break") stream.destroy(new Error("socket hang up"));
    if (step.do === "refuse") refuse(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
    await settleMicrotasks();
  }
  await timers.advanceTo(100_000);
  await done;
  return { ...result, aborted: signal?.aborted ?? false, destroyed: stream.destroyed, armed: timers.armed };
}

const t = (inactivityMs: number, overallMs: number): PullTimeouts => ({ inactivityMs, overallMs });
const every = (ms: number, until: number): Step[] => Array.from({ length: Math.floor(until / ms) }, (_, i) => ({ at: (i + 1) * ms, do: "line" as const }));

describe("watchPull", () => {
  it.each<[string, PullTimeouts, Step[], Outcome, number, { aborted: boolean; destroyed: boolean }]>([
    // dockerd never answers (registry silent): inactivity counts from the request itself
    ["no answer", t(1000, 5000), [], { kind: "inactivity" }, 1000, { aborted: true, destroyed: false }],
    // the answer is progress: the timer re-arms from it
    ["answer, then silence", t(1000, 5000), [{ at: 600, do: "answer" }], { kind: "inactivity" }, 1600, { aborted: true, destroyed: true }],
    // each line re-arms: silence only after the last line at 2400 counts
    ["lines, then silence", t(1000, 5000), [{ at: 100, do: "answer" }, ...every(800, 2400)], { kind: "inactivity" }, 3400, { aborted: true, destroyed: true }],
    // steady progress never trips inactivity; the overall limit ends it
    ["steady progress", t(1000, 5000), [{ at: 100, do: "answer" }, ...every(800, 9000)], { kind: "overall" }, 5000, { aborted: true, destroyed: true }],
    // an overall limit shorter than inactivity fires first
    ["overall first", t(10_000, 2000), [], { kind: "overall" }, 2000, { aborted: true, destroyed: false }],
    // a pull that finishes in time resolves with its lines and leaves no timer armed
    ["finishes", t(1000, 5000), [{ at: 100, do: "answer" }, ...every(800, 2400), { at: 2500, do: "end" }], { kind: "done", lines: 3 }, 2500, { aborted: false, destroyed: true }],
    // error lines are data here; the caller reads them
    ["error line", t(1000, 5000), [{ at: 100, do: "answer" }, { at: 200, do: "line", error: "manifest unknown" }, { at: 300, do: "end" }], { kind: "done", lines: 1 }, 300, { aborted: false, destroyed: true }],
    // a broken connection is the connection's error, not a timeout
    ["broken stream", t(1000, 5000), [{ at: 100, do: "answer" }, { at: 500, do: "break" }], { kind: "error", message: "socket hang up" }, 500, { aborted: false, destroyed: true }],
    // the daemon refusing the request is its own error
    ["refused", t(1000, 5000), [{ at: 10, do: "refuse" }], { kind: "error", message: "connect ECONNREFUSED" }, 10, { aborted: false, destroyed: false }],
    // an answer arriving after the timeout is closed at once and changes nothing
    ["late answer", t(1000, 5000), [{ at: 1500, do: "answer" }, { at: 1600, do: "end" }], { kind: "inactivity" }, 1000, { aborted: true, destroyed: true }],
  ])("watchPull: %s", async (_name, timeouts, steps, outcome, atMs, closed) => {
    const r = await play(timeouts, steps);
    expect(r.outcome).toEqual(outcome);
    expect(r.atMs).toBe(atMs);
    expect({ aborted: r.aborted, destroyed: r.destroyed }).toEqual(closed);
    expect(r.armed).toBe(0);
  });
});

describe("pullTimeoutError", () => {
  it.each<[PullTimeoutKind, PullTimeouts, string, boolean]>([
    // ECS's default inactivity limit, retryable (the engine's attempts bound it)
    ["inactivity", t(60_000, 7_200_000), "CannotPullContainerError: pull image 127.0.0.1:5000/x:1: no progress for 1m0s (ECS_IMAGE_PULL_INACTIVITY_TIMEOUT)", true],
    // ECS's default overall limit, fatal (the whole budget is spent)
    ["overall", t(60_000, 7_200_000), "CannotPullContainerError: pull image 127.0.0.1:5000/x:1: not finished after 2h0m0s (ECS_IMAGE_PULL_TIMEOUT)", false],
    // short limits print as Go prints them
    ["inactivity", t(2000, 3000), "CannotPullContainerError: pull image 127.0.0.1:5000/x:1: no progress for 2s (ECS_IMAGE_PULL_INACTIVITY_TIMEOUT)", true],
  ])("pullTimeoutError: %s %j", (kind, timeouts, reason, retryable) => {
    const err = pullTimeoutError("127.0.0.1:5000/x:1", kind, timeouts);
    expect(err).toBeInstanceOf(CannotPullContainerError);
    expect(err.reason).toBe(reason);
    expect(err.retryable).toBe(retryable);
  });
});

describe("ensureImage after a pull timeout", () => {
  const timeout = pullTimeoutError("reg/x:1", "inactivity", t(60_000, 7_200_000));
  const runtime = (cached: boolean) => ({ imageExists: async () => cached, pullImage: async () => Promise.reject(timeout) }) as unknown as ContainerRuntime;

  it.each<[PullPolicy, boolean, "cached-after-failed-pull" | "throws"]>([
    // default falls back to the cached copy
    ["default", true, "cached-after-failed-pull"],
    // default with nothing cached fails with the timeout itself
    ["default", false, "throws"],
    // always never falls back
    ["always", true, "throws"],
    // once pulls only when absent, so there is nothing to fall back to
    ["once", false, "throws"],
  ])("ensureImage: %s with cached=%s -> %s", async (policy, cached, want) => {
    const run = ensureImage(runtime(cached), "reg/x:1", policy, silentLogger);
    if (want === "throws") await expect(run).rejects.toBe(timeout);
    else await expect(run).resolves.toBe(want);
  });
});

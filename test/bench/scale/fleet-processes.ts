/**
 * The bench's side of a fleet split over processes: forks one fleet-worker per slice, waits for
 * each to start its agents (bounded), asks them for counts, and stops them (SIGKILL after a bound).
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FleetSliceSpec } from "./fleet.js";
import type { FleetToParent, ParentToFleet } from "./fleet-worker.js";

/** The fleet as the bench drives it. */
export interface FleetProcesses {
  pids: number[];
  /** Longest time one process took to start its slice. */
  startMs: number;
  /** Running simulated containers and RSS summed over the processes. */
  status(timeoutMs?: number): Promise<{ running: number; rssBytes: number }>;
  stop(): Promise<void>;
}

const workerPath = fileURLToPath(new URL("./fleet-worker.js", import.meta.url));

/** Splits `count` hosts into `processes` slices as even as they go, first index and size of each. */
export function splitFleet(count: number, processes: number): { first: number; count: number }[] {
  const n = Math.max(1, Math.min(processes, count));
  const out: { first: number; count: number }[] = [];
  for (let p = 0, first = 0; p < n; p++) {
    const size = Math.floor(count / n) + (p < count % n ? 1 : 0);
    out.push({ first, count: size });
    first += size;
  }
  return out;
}

function waitFor<T>(child: ChildProcess, pick: (m: FleetToParent) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`fleet process ${child.pid}: no ${what} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: FleetToParent) => {
      if (m.type === "failed") return done(new Error(`fleet process ${child.pid} failed: ${m.error}`));
      const v = pick(m);
      if (v !== undefined) done(undefined, v);
    };
    const onExit = (code: number | null) => done(new Error(`fleet process ${child.pid} exited (${code}) before ${what}`));
    const done = (err?: Error, v?: T) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(v as T);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Starts every slice in a process of its own; rejects (having stopped the rest) if any fails to start in `startTimeoutMs`. */
export async function startFleetProcesses(slices: FleetSliceSpec[], startTimeoutMs: number): Promise<FleetProcesses> {
  const children = slices.map((s) =>
    fork(workerPath, [], {
      env: { ...process.env, BERTH_FLEET_SLICE: JSON.stringify(s) },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    }),
  );
  const stop = async () => {
    await Promise.all(
      children.map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((r) => c.once("exit", () => r()));
        if (c.connected) c.send({ type: "stop" } satisfies ParentToFleet);
        else c.kill("SIGTERM");
        const timer = setTimeout(() => c.kill("SIGKILL"), 25_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  };
  let startMs = 0;
  try {
    const ready = await Promise.all(children.map((c) => waitFor(c, (m) => (m.type === "ready" ? m : undefined), startTimeoutMs, "ready")));
    startMs = Math.max(...ready.map((r) => r.startMs));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    pids: children.map((c) => c.pid as number),
    startMs,
    async status(timeoutMs = 10_000) {
      const all = await Promise.all(
        children.map((c) => {
          const got = waitFor(c, (m) => (m.type === "status" ? m : undefined), timeoutMs, "status");
          c.send({ type: "status" } satisfies ParentToFleet);
          return got;
        }),
      );
      return { running: all.reduce((n, s) => n + s.running, 0), rssBytes: all.reduce((n, s) => n + s.rssBytes, 0) };
    },
    stop,
  };
}

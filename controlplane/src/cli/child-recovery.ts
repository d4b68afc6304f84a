import { readFile, rm, writeFile } from "node:fs/promises";
import type { Logger } from "@berth/shared";
import { portHolder, portIsFree, processFacts, signalPid } from "./proc.js";
import { heldPortMessage, planRecovery, type ChildIdentity, type PortFacts, type RecordedPid, type RecoveryFacts } from "./recovery-plan.js";

/** A child of `berth up` to clear the way for: its name, how to recognise it, its pid file and ports. */
export interface ChildSpec {
  name: string;
  identity: ChildIdentity;
  pidFile: string;
  ports: { port: number; label: string }[];
  /** How long a stopped orphan gets after SIGTERM before SIGKILL, ms. */
  stopGraceMs: number;
}

/**
 * Writes the child's pid file: the pid alone and a newline, as dockerd, containerd and etcd's
 * own pid files hold, so `kill $(cat etcd.pid)` works. What makes the pid ours is not in the file
 * but in /proc (see ChildIdentity), checked each time the file is read.
 */
export async function writePidFile(path: string, pid: number): Promise<void> {
  await writeFile(path, `${pid}\n`, { mode: 0o644 });
}

/** Removes the child's pid file if it still names `pid` (a newer berth up may have rewritten it). */
export async function removePidFile(path: string, pid: number): Promise<void> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text !== undefined && Number(text.trim()) === pid) await rm(path, { force: true });
}

async function readRecorded(path: string): Promise<RecordedPid> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return { state: "absent" };
  const pid = Number(text.trim());
  if (!Number.isSafeInteger(pid) || pid <= 1) return { state: "unreadable", text };
  return { state: "pid", pid, process: await processFacts(pid) };
}

async function gather(spec: ChildSpec): Promise<RecoveryFacts> {
  const ports: PortFacts[] = [];
  for (const p of spec.ports) {
    const free = await portIsFree(p.port);
    ports.push({ ...p, free, holder: free ? undefined : await portHolder(p.port) });
  }
  return { name: spec.name, identity: spec.identity, pidFile: spec.pidFile, recorded: await readRecorded(spec.pidFile), ports };
}

/**
 * SIGTERM, then SIGKILL once `graceMs` has passed, then waits (bounded) for the pid to be gone.
 * The orphan is not our child, so there is no exit event: /proc is polled.
 */
async function terminate(pid: number, graceMs: number, progress: (s: string) => void): Promise<void> {
  const started = Date.now();
  // The pid with its start time names the process we judged ours; once either differs it has
  // exited (and the pid may already belong to another process, which must not be signalled).
  const first = await processFacts(pid);
  if (!first) return;
  const gone = async () => (await processFacts(pid))?.startTime !== first.startTime;
  signalPid(pid, "SIGTERM");
  let killed = false;
  for (;;) {
    if (await gone()) return;
    const waited = Date.now() - started;
    if (!killed && waited > graceMs) {
      if (await gone()) return;
      signalPid(pid, "SIGKILL");
      killed = true;
    }
    if (waited > graceMs + 5_000) throw new Error(`pid ${pid} did not exit within ${Math.round(waited / 1000)} s of SIGTERM and SIGKILL`);
    progress(`${killed ? "SIGKILL" : "SIGTERM"} sent to pid ${pid}, waiting for it to exit (${Math.round(waited / 1000)} s)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Clears the way for starting `spec`'s child after a `berth up` that did not stop cleanly: stops
 * an orphan that is ours, removes a stale pid file, and throws a clear error when a port is held
 * by a process that is not ours. Each round gathers facts afresh and applies one planned step,
 * so what a stop changed (ports freed, or not) is seen before the next decision; bounded rounds.
 * Resolves with the pids it stopped.
 */
export async function clearWayFor(spec: ChildSpec, log: Logger, progress: (s: string) => void): Promise<number[]> {
  const stopped: number[] = [];
  for (let round = 0; round < 3; round++) {
    const step = planRecovery(await gather(spec));
    if (step.action === "refuse") throw new Error(step.message);
    if (step.action === "start") {
      if (step.removeStale) {
        log.info("removing stale pid file", { child: spec.name, pidFile: spec.pidFile, why: step.removeStale });
        await rm(spec.pidFile, { force: true });
      }
      return stopped;
    }
    log.warn(`stopping the ${spec.name} a previous berth up left running`, { child: spec.name, childPid: step.pid, why: step.why });
    progress(`stopping the ${spec.name} a previous berth up left running (pid ${step.pid})`);
    await terminate(step.pid, spec.stopGraceMs, (s) => progress(`stopping the ${spec.name} a previous berth up left running: ${s}`));
    await rm(spec.pidFile, { force: true });
    stopped.push(step.pid);
  }
  throw new Error(`could not clear the way for ${spec.name} after stopping what a previous berth up left running; see the log lines above`);
}

/**
 * Throws the same clear refusal as for etcd's ports when a port `berth up` listens on itself
 * (the ECS API, agent gRPC) is taken. Its own listeners die with it, so a holder is never ours.
 */
export async function refuseHeldPorts(ports: { host: string; port: number; label: string }[]): Promise<void> {
  for (const p of ports) {
    if (p.port === 0 || (await portIsFree(p.port, p.host))) continue;
    throw new Error(heldPortMessage({ ...p, free: false, holder: await portHolder(p.port) }, "this berth up"));
  }
}

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Logger } from "@berth/shared";
import type { HaproxyPaths } from "./config.js";
import { runtimeCommand } from "./socket.js";

const run = promisify(execFile);

/** How long a new HAProxy may take to answer on its runtime socket before its start counts as failed. */
const readyTimeoutMs = 5000;

/** The files of one load balancer's HAProxy in its folder. */
export function haproxyFiles(dir: string, bindAddress: string): HaproxyPaths & { config: string; pidFile: string; logFile: string } {
  return {
    bindAddress,
    socket: join(dir, "admin.sock"),
    stateFile: join(dir, "server-state"),
    config: join(dir, "haproxy.cfg"),
    pidFile: join(dir, "haproxy.pid"),
    logFile: join(dir, "haproxy.log"),
  };
}

/** The pid in a folder's pid file when that process is still an HAProxy running that folder's config. */
export async function adoptablePid(dir: string): Promise<number | undefined> {
  const files = haproxyFiles(dir, "");
  const pid = Number((await readFile(files.pidFile, "utf8").catch(() => "")).trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  // A pid file outlives its process and pids are reused: the command line must still be ours.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return cmdline.includes("haproxy") && cmdline.includes(files.config) ? pid : undefined;
}

/**
 * One load balancer's HAProxy process (HAProxy 2.6 in the foreground, no master process),
 * started and replaced by the leader. A replacement starts a new process with `-sf <old pid>`:
 * it binds beside the old one (SO_REUSEPORT), then tells it to stop listening and finish its
 * connections, so a config change drops no connection; the servers' states are saved to the
 * server-state file first and loaded by the new process, so health survives too. A process left
 * by an earlier berth (its pid file) is replaced the same way.
 */
export class HaproxyProcess {
  private child?: ChildProcess;
  /** The structure the running process was started with (see RenderedConfig.structure). */
  structure?: string;
  readonly files: ReturnType<typeof haproxyFiles>;

  constructor(
    readonly dir: string,
    bindAddress: string,
    private readonly haproxyPath: string,
    private readonly log: Logger,
  ) {
    this.files = haproxyFiles(dir, bindAddress);
  }

  /** Whether the process this object started is still running. */
  running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The runtime API's answer to one command. */
  command(cmd: string): Promise<string> {
    return runtimeCommand(this.files.socket, cmd);
  }

  /**
   * Checks `text` with `haproxy -c` (a config HAProxy refuses is never installed: the running
   * process goes on), writes it, and starts a process on it that takes over from the running
   * one or from an adoptable orphan. Resolves once the new process answers on its socket.
   */
  async start(text: string, structure: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const candidate = `${this.files.config}.new`;
    await writeFile(candidate, text);
    await run(this.haproxyPath, ["-c", "-q", "-f", candidate]).catch((err: { stderr?: string; message: string }) => {
      throw new Error(`haproxy refused the generated config: ${(err.stderr ?? err.message).trim()}`);
    });
    if (this.running()) await this.saveServerState();
    await rename(candidate, this.files.config);
    const old = this.running() ? this.child!.pid : await adoptablePid(this.dir);
    const out = openSync(this.files.logFile, "a");
    // -x: the listening sockets come from the old process (expose-fd listeners), a seamless reload.
    const takeover = old && existsSync(this.files.socket) ? ["-x", this.files.socket] : [];
    const child = spawn(this.haproxyPath, ["-db", "-f", this.files.config, ...takeover, ...(old ? ["-sf", String(old)] : [])], { stdio: ["ignore", out, out], detached: true });
    closeSync(out);
    child.unref();
    child.on("exit", (code, signal) => {
      if (this.child === child) this.log.warn("haproxy exited", { pid: child.pid, code, signal });
    });
    await this.waitReady(child);
    await writeFile(this.files.pidFile, `${child.pid}\n`);
    this.child = child;
    this.structure = structure;
    this.log.info(old ? "haproxy replaced" : "haproxy started", { pid: child.pid, replaced: old });
  }

  // Ready when the runtime socket answers from this process's pid (the old one's socket is replaced).
  private async waitReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      const info = await this.command("show info").catch(() => "");
      if (new RegExp(`^Pid: ${child.pid}$`, "m").test(info)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    const tail = (await readFile(this.files.logFile, "utf8").catch(() => "")).split("\n").filter((l) => /ALERT|error/i.test(l)).slice(-3).join("; ");
    throw new Error(`haproxy did not start: ${tail || "no answer on its runtime socket"}`);
  }

  /** Saves `show servers state` to the state file the next process loads (health and drain survive a reload). */
  private async saveServerState(): Promise<void> {
    const state = await this.command("show servers state").catch(() => "");
    if (state.startsWith("1\n")) await writeFile(this.files.stateFile, state);
  }

  /** Stops the process (and an adoptable orphan of the folder), waiting for it to exit. */
  async stop(removeFiles = false): Promise<void> {
    const pids = new Set<number>();
    if (this.running()) pids.add(this.child!.pid!);
    const orphan = await adoptablePid(this.dir);
    if (orphan) pids.add(orphan);
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    for (const pid of pids) await waitGone(pid);
    this.child = undefined;
    this.structure = undefined;
    if (removeFiles) await rm(this.dir, { recursive: true, force: true });
  }
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone
  }
}

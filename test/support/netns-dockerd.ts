import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, createReadStream, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type Docker from "dockerode";
import { docker } from "./docker.js";
import { netnsPath, slotBridgeIp, type HostRecord } from "./netns.js";

/** The last lines of a log file, for failure messages. */
export function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines - 1).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Resolves when the child has exited, or at once if it already has. */
export function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Signals a child and waits up to `graceMs` for it to exit, then SIGKILLs it and waits. */
export async function endChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const exited = exitOf(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  if ((await Promise.race([exited.then(() => "exited"), sleep(graceMs).then(() => "late")])) === "late") {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Resolves or rejects as `work` does, or rejects after `ms` naming `what`: no wait here is unbounded. */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A dockerd running inside a host's network namespace, with its own data, exec root and socket. */
export class NetnsDockerd {
  private child?: ChildProcess;
  readonly log: string;

  constructor(private readonly r: HostRecord) {
    this.log = join(r.dir, "dockerd.log");
  }

  /** A dockerode client for this engine's socket (API v1.41). */
  client(): Docker {
    return docker(this.r.socket);
  }

  /** Whether the dockerd process this object started is still running. */
  running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts dockerd in the namespace through nsenter (not `ip netns exec`, which remounts /sys
   * and hides the cgroup mounts), in a session of its own, and waits until it answers, saying
   * every few seconds that it still waits. Its own --bip keeps its bridge apart; --iptables
   * writes rules in the namespace's tables only.
   */
  async start(timeoutMs = 60_000, progress: (line: string) => void = () => {}): Promise<void> {
    if (this.running()) return;
    const d = this.r.dir;
    const out = openSync(this.log, "a");
    try {
      this.child = spawn(
        "nsenter",
        [
          `--net=${netnsPath(this.r.netns)}`,
          "/usr/sbin/dockerd",
          "--data-root", join(d, "data"),
          "--exec-root", join(d, "exec"),
          "-H", `unix://${this.r.socket}`,
          "--pidfile", join(d, "docker.pid"),
          "--bip", slotBridgeIp(this.r.slot),
          "--iptables=true",
        ],
        { detached: true, stdio: ["ignore", out, out] },
      );
    } finally {
      closeSync(out);
    }
    const child = this.child;
    child.once("error", () => {});
    const started = Date.now();
    let said = started;
    for (;;) {
      if (!this.running()) throw new Error(`${this.r.netns}: dockerd exited during start-up\n${logTail(this.log)}`);
      if (await this.client().ping().then(() => true, () => false)) return;
      if (Date.now() - started > timeoutMs) {
        await endChild(child, "SIGKILL", 0);
        throw new Error(`${this.r.netns}: dockerd did not answer within ${timeoutMs} ms\n${logTail(this.log)}`);
      }
      if (Date.now() - said >= 5_000) {
        said = Date.now();
        progress(`${this.r.netns}: waiting for dockerd (${Math.round((said - started) / 1000)} s)`);
      }
      await sleep(100);
    }
  }

  /**
   * Stops dockerd with SIGTERM, which stops its containers on the way down; SIGKILL after
   * `graceMs`. Containers survive a SIGKILLed engine, so stopAll removes them first.
   */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.child) await endChild(this.child, "SIGTERM", graceMs);
  }

  /** Force-removes every container of this engine, running or not; returns how many. */
  async removeAllContainers(timeoutMs = 30_000): Promise<number> {
    const client = this.client();
    return within(timeoutMs, `${this.r.netns}: removing containers`, (async () => {
      const all = await client.listContainers({ all: true });
      await Promise.all(all.map((c) => client.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
      return all.length;
    })());
  }

  /** Loads an image archive (as `docker save` writes it) into this engine. */
  async loadImage(archive: string, timeoutMs = 60_000): Promise<void> {
    const client = this.client();
    const body = await within(timeoutMs, `${this.r.netns}: docker load`, (async () => {
      const res = (await client.loadImage(createReadStream(archive), { quiet: true })) as NodeJS.ReadableStream;
      return new Promise<string>((resolve, reject) => {
        let text = "";
        res.on("data", (b: Buffer) => (text += b.toString()));
        res.on("end", () => resolve(text));
        res.on("error", reject);
      });
    })());
    if (/"error"/.test(body)) throw new Error(`${this.r.netns}: docker load failed: ${body}`);
  }
}

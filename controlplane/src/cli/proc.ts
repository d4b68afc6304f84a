import { readdir, readFile, readlink } from "node:fs/promises";
import { createServer } from "node:net";

/** What /proc shows of one live process. */
export interface ProcessFacts {
  pid: number;
  /** argv as the process was started (/proc/PID/cmdline split at NUL). */
  cmdline: string[];
  /** Its parent's pid (1, or a subreaper's, once the parent died). */
  ppid: number;
  /** When it started, in clock ticks since boot (stat field 22): with the pid, names one process for good. */
  startTime: string;
  /** Its parent's argv when the parent is alive (undefined once it died). */
  parentCmdline?: string[];
}

/** The process behind `pid`, or undefined when no such process is running (or it is a zombie). */
export async function processFacts(pid: number): Promise<ProcessFacts | undefined> {
  try {
    // A zombie (killed, not yet reaped by its parent) holds nothing and is gone for our purposes;
    // its cmdline reads empty, but its stat says Z.
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const state = statState(stat);
    if (state === "Z" || state === "X") return undefined;
    const { ppid, startTime } = statFields(stat);
    const parentCmdline = ppid > 1 ? await readCmdline(ppid) : undefined;
    return { pid, cmdline: (await readCmdline(pid)) ?? [], ppid, startTime, parentCmdline };
  } catch {
    return undefined;
  }
}

async function readCmdline(pid: number): Promise<string[] | undefined> {
  const raw = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  if (raw === undefined) return undefined;
  return raw === "" ? [] : raw.replace(/\0$/, "").split("\0");
}

/** The parent pid (field 4) and start time (field 22) from the text of /proc/PID/stat. */
export function statFields(stat: string): { ppid: number; startTime: string } {
  const rest = afterName(stat);
  return { ppid: Number(rest[1]), startTime: rest[19] ?? "" };
}

/** The fields of /proc/PID/stat after the parenthesised name: rest[0] is field 3, field n is rest[n - 3]. */
function afterName(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** Whether `port` can be bound on `host` now: the bind etcd itself is about to try. */
export function portIsFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * Inodes of the sockets listening on `port` in the text of /proc/net/tcp or /proc/net/tcp6:
 * a header line, then `sl local_address rem_address st … uid timeout inode …` per socket, the
 * address as hex `ADDR:PORT` and the state `0A` for LISTEN.
 */
export function listeningInodes(table: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes: string[] = [];
  for (const line of table.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (f[1].slice(f[1].lastIndexOf(":") + 1) === hexPort && f[3] === "0A") inodes.push(f[9]);
  }
  return inodes;
}

/** A process's state letter from the text of /proc/PID/stat (after the parenthesised name, which may hold spaces and parentheses). */
export function statState(stat: string): string {
  return afterName(stat)[0] ?? "";
}

/**
 * The process listening on TCP `port`, found the way `ss -ltnp` finds it: the socket's inode in
 * /proc/net/tcp{,6}, then the /proc/PID/fd link naming that inode. Undefined when no listener is
 * visible or its process belongs to a user whose /proc/PID/fd we may not read.
 */
export async function portHolder(port: number): Promise<ProcessFacts | undefined> {
  const inodes: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) inodes.push(...listeningInodes(await readFile(table, "utf8").catch(() => ""), port));
  if (inodes.length === 0) return undefined;
  const targets = new Set(inodes.map((i) => `socket:[${i}]`));
  const pids = (await readdir("/proc").catch(() => [] as string[])).filter((d) => /^\d+$/.test(d));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      if (targets.has(link)) return processFacts(Number(pid));
    }
  }
  return undefined;
}

/** Sends `signal` to `pid`; false when there is no such process (any more). */
export function signalPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

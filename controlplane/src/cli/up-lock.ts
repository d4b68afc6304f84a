import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";

/** The lock a running `berth up` holds on its data folder. */
export interface UpLock {
  /** The informational pid file, `DATA/up.pid`. */
  pidFile: string;
  release(): Promise<void>;
}

/** What the holder of the lock answers on it, for the refusal message. */
interface Holder {
  pid: number;
  startedAt: string;
  dataDir: string;
}

/**
 * The lock is a listening Unix socket in Linux's abstract namespace, named after the data
 * folder's real path. The kernel frees it the moment the process dies, however it dies (kill -9,
 * the OOM killer), so unlike a pid file or a lock file it can never be stale, and taking it is
 * atomic: of two `berth up` started together exactly one binds it. Node has no flock(2); this is
 * the same guarantee. The holder answers a connection with its pid, so the refusal can name it.
 * Abstract names live per network namespace: two `berth up` in different namespaces on one data
 * folder would not see each other's lock (etcd's own lock on its data folder still stops the second).
 */
function socketName(dataDir: string): string {
  return `\0berth-up:${createHash("sha256").update(realpathSync(dataDir)).digest("hex").slice(0, 32)}`;
}

function listen(server: Server, name: string): Promise<"ok" | "taken"> {
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => (err.code === "EADDRINUSE" ? resolve("taken") : reject(err)));
    server.listen(name, () => resolve("ok"));
  });
}

/** Asks the lock's holder who it is; undefined when it does not answer (it just died). */
function askHolder(name: string): Promise<Holder | undefined> {
  return new Promise((resolve) => {
    let text = "";
    const socket = connect(name);
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on("data", (b) => (text += b.toString()));
    socket.once("error", () => resolve(undefined));
    socket.once("close", () => {
      try {
        resolve(JSON.parse(text) as Holder);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/**
 * Takes the data folder's lock for this process, or throws naming the `berth up` that holds it,
 * so a second `berth up` on the same folder refuses before it touches etcd, the agent or a port.
 * Also writes `DATA/up.pid` (the pid alone) for operators: `kill $(cat ~/.berth/up/up.pid)`.
 * The lock, not that file, decides; a stale up.pid from a killed `berth up` is just overwritten.
 */
export async function lockDataDir(dataDir: string): Promise<UpLock> {
  const name = socketName(dataDir);
  const me: Holder = { pid: process.pid, startedAt: new Date().toISOString(), dataDir };
  for (let attempt = 0; attempt < 3; attempt++) {
    const server = createServer((socket) => socket.end(JSON.stringify(me)));
    if ((await listen(server, name)) === "ok") {
      // The lock must not keep the process alive on its own, and children must not inherit it:
      // Node opens sockets close-on-exec, so etcd and the agent never hold it after we die.
      server.unref();
      const pidFile = join(dataDir, "up.pid");
      await writeFile(pidFile, `${process.pid}\n`);
      return {
        pidFile,
        async release() {
          await rm(pidFile, { force: true });
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    }
    const holder = await askHolder(name);
    if (holder) {
      throw new Error(
        `berth up (pid ${holder.pid}, started ${holder.startedAt}) is already running on data dir ${dataDir}; ` +
          `stop it first (Ctrl-C in its terminal, or kill ${holder.pid}) or pass another --data-dir`,
      );
    }
    // The holder died between our bind and our question: the kernel has freed the name; retry.
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`another berth up holds data dir ${dataDir} but does not answer; retry in a moment`);
}

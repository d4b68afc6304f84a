import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, closeSync } from "node:fs";
import { join } from "node:path";
import etcd3 from "etcd3";
import { keys } from "../store/index.js";

/** A local etcd started as a child process, with its own data folder. */
export interface LocalEtcd {
  endpoint: string;
  dataDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface LocalEtcdOptions {
  dataDir: string;
  clientPort: number;
  peerPort: number;
  /** etcd binary; Debian's etcd-server installs /usr/bin/etcd. */
  binary?: string;
  /** How long to wait for etcd to answer, ms. */
  readyTimeoutMs?: number;
  /** Called while waiting, with the elapsed ms, for progress. */
  onWait?: (elapsedMs: number) => void;
}

/**
 * Starts etcd on 127.0.0.1 with its data in `dataDir/etcd` and its log in `dataDir/etcd.log`,
 * and resolves once it answers a read. The child is in its own process group so a terminal's
 * Ctrl-C reaches berth first and berth stops etcd last, after everything that writes to it.
 */
export async function startLocalEtcd(opts: LocalEtcdOptions): Promise<LocalEtcd> {
  const dataDir = join(opts.dataDir, "etcd");
  mkdirSync(dataDir, { recursive: true });
  const logFd = openSync(join(opts.dataDir, "etcd.log"), "a");
  const client = `http://127.0.0.1:${opts.clientPort}`;
  const peer = `http://127.0.0.1:${opts.peerPort}`;
  const child = spawn(
    opts.binary ?? "etcd",
    [
      "--name", "berth",
      "--data-dir", dataDir,
      "--listen-client-urls", client,
      "--advertise-client-urls", client,
      "--listen-peer-urls", peer,
      "--initial-advertise-peer-urls", peer,
      "--initial-cluster", `berth=${peer}`,
      "--logger", "zap",
      "--log-outputs", "stderr",
    ],
    { stdio: ["ignore", logFd, logFd], detached: true },
  );
  closeSync(logFd);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  const started = Date.now();
  const probe = new etcd3.Etcd3({ hosts: client, dialTimeout: 1000 });
  try {
    for (;;) {
      const outcome = await Promise.race([
        probe.get(keys.root).exec().then(() => "ready" as const, () => "retry" as const),
        exited.then((code) => `etcd exited with code ${code}; see ${join(opts.dataDir, "etcd.log")}`),
        spawnError.then((err) => `cannot start ${opts.binary ?? "etcd"}: ${err.message} (install Debian's etcd-server)`),
      ]);
      if (outcome === "ready") break;
      if (outcome !== "retry") throw new Error(outcome);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`etcd did not answer within ${opts.readyTimeoutMs ?? 30_000} ms; see ${join(opts.dataDir, "etcd.log")}`);
      }
      opts.onWait?.(Date.now() - started);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    probe.close();
  }
  return { endpoint: client, dataDir, child, stop };
}

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, closeSync } from "node:fs";
import { basename, join } from "node:path";
import etcd3 from "etcd3";
import { keys } from "../store/index.js";
import { removePidFile, writePidFile, type ChildSpec } from "./child-recovery.js";

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

/** The client URL of the local etcd on `clientPort`. */
export function localEtcdEndpoint(clientPort: number): string {
  return `http://127.0.0.1:${clientPort}`;
}

/**
 * How `berth up` recognises the etcd it started on `dataDir` (its binary with `--data-dir
 * DATA/etcd`), where its pid file is and which ports it needs, for clearWayFor.
 */
export function localEtcdSpec(opts: Pick<LocalEtcdOptions, "dataDir" | "clientPort" | "peerPort" | "binary">): ChildSpec {
  return {
    name: "etcd",
    identity: { program: basename(opts.binary ?? "etcd"), dataDir: join(opts.dataDir, "etcd") },
    pidFile: join(opts.dataDir, "etcd.pid"),
    ports: [
      { port: opts.clientPort, label: "etcd client port, --etcd-port" },
      { port: opts.peerPort, label: "etcd peer port, --etcd-port + 1" },
    ],
    // etcd flushes and exits within a second of SIGTERM; more than this means it is stuck.
    stopGraceMs: 10_000,
  };
}

/**
 * Starts etcd on 127.0.0.1 with its data in `dataDir/etcd` and its log in `dataDir/etcd.log`,
 * and resolves once it answers a read. The child is in its own process group so a terminal's
 * Ctrl-C reaches berth first and berth stops etcd last, after everything that writes to it. That
 * same detachment lets it outlive a `berth up` killed with -9, so its pid goes to
 * `dataDir/etcd.pid` (removed when it exits) for the next `berth up` to find it.
 */
export async function startLocalEtcd(opts: LocalEtcdOptions): Promise<LocalEtcd> {
  const dataDir = join(opts.dataDir, "etcd");
  const pidFile = localEtcdSpec(opts).pidFile;
  mkdirSync(dataDir, { recursive: true });
  const logFd = openSync(join(opts.dataDir, "etcd.log"), "a");
  const client = localEtcdEndpoint(opts.clientPort);
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
  // Written before waiting for etcd, so a kill -9 from here on leaves a pid file behind; removed
  // once etcd exits, whoever stopped it, and stop() waits for the removal.
  const pid = child.pid;
  if (pid !== undefined) await writePidFile(pidFile, pid);
  const pidFileGone = pid === undefined ? Promise.resolve() : exited.then(() => removePidFile(pidFile, pid)).catch(() => undefined);
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await pidFileGone;
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

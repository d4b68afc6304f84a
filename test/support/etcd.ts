import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePorts, LOOPBACK } from "./ports.js";

/** Options for startEtcd; every field has a default fit for tests. */
export interface StartEtcdOptions {
  /** The etcd binary; Debian's etcd-server 3.4 by default. */
  binary?: string;
  /** How long to wait for /health to answer true (default 30 s). */
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
  /**
   * Serve clients over https with this server certificate and demand client certificates signed
   * by `caFile` (--client-cert-auth). Health is then read on a plain metrics URL.
   */
  tls?: { caFile: string; certFile: string; keyFile: string };
}

/** A running single-member etcd of its own, on loopback, with a temporary data folder. */
export interface EtcdServer {
  /** The client URL, e.g. http://127.0.0.1:41234, for etcd3's `hosts`. */
  endpoint: string;
  /** The temporary data folder; stop() removes it. */
  dataDir: string;
  /** The etcd process id. */
  pid: number;
  /** etcd's most recent output lines, for failure messages. */
  output(): string;
  /** Stops etcd (SIGTERM, SIGKILL after the timeout) and removes its data; safe to call twice. */
  stop(): Promise<void>;
}

const OUTPUT_LINES = 100;
const PORT_ATTEMPTS = 3;

/**
 * etcd processes still running in this process; killed and their folders removed if the test
 * process exits without stopping them, so a crashed test leaves no etcd behind.
 */
const running = new Map<ChildProcess, string>();
process.once("exit", () => {
  for (const [child, dataDir] of running) {
    child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** A bounded tail of a process's combined output. */
export function captureOutput(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > OUTPUT_LINES) lines.splice(0, lines.length - OUTPUT_LINES);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => lines.join("\n");
}

/** Whether etcd's /health under `endpoint` (a client or metrics URL) answers true. */
export async function isHealthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1_000) });
    const body = (await res.json()) as { health?: unknown };
    return body.health === "true";
  } catch {
    return false;
  }
}

/** Thrown when etcd exits during start-up because a chosen port was taken meanwhile. */
class PortTakenError extends Error {
  override name = "PortTakenError";
}

async function launch(options: StartEtcdOptions): Promise<EtcdServer> {
  const binary = options.binary ?? "/usr/bin/etcd";
  const [clientPort, peerPort, metricsPort] = await freePorts(3);
  const endpoint = `${options.tls ? "https" : "http"}://${LOOPBACK}:${clientPort}`;
  const peer = `http://${LOOPBACK}:${peerPort}`;
  const metrics = `http://${LOOPBACK}:${metricsPort}`;
  const tls = options.tls;
  const tlsArgs = tls ? ["--client-cert-auth", "--trusted-ca-file", tls.caFile, "--cert-file", tls.certFile, "--key-file", tls.keyFile, "--listen-metrics-urls", metrics] : [];
  const dataDir = await mkdtemp(join(tmpdir(), "berth-etcd-"));
  const child = spawn(
    binary,
    [
      "--name", "berth-test",
      "--data-dir", dataDir,
      "--listen-client-urls", endpoint,
      "--advertise-client-urls", endpoint,
      "--listen-peer-urls", peer,
      "--initial-advertise-peer-urls", peer,
      "--initial-cluster", `berth-test=${peer}`,
      "--initial-cluster-state", "new",
      "--logger", "zap",
      "--log-outputs", "stderr",
      ...tlsArgs,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  running.set(child, dataDir);
  const output = captureOutput(child);
  let gone = false;
  // A binary that cannot be spawned reports an 'error' event and never an 'exit'.
  let spawnError: Error | undefined;
  child.once("error", (err) => {
    spawnError = err;
    gone = true;
  });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      gone = true;
      resolve();
    }),
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill("SIGTERM");
        const stopTimeout = sleep(options.stopTimeoutMs ?? 10_000).then(() => "timeout" as const);
        if ((await Promise.race([exited, stopTimeout])) === "timeout") {
          child.kill("SIGKILL");
          await exited;
        }
      }
      running.delete(child);
      await rm(dataDir, { recursive: true, force: true });
    })());

  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (gone) {
      await stop();
      const text = output();
      if (/address already in use/.test(text)) throw new PortTakenError(text);
      throw new Error(`etcd exited during start-up${spawnError ? `: ${spawnError.message}` : ""}\n${text}`);
    }
    if (await isHealthy(tls ? metrics : endpoint)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd at ${endpoint} was not healthy within ${startTimeoutMs} ms\n${output()}`);
    }
    await sleep(100);
  }
  return { endpoint, dataDir, pid: child.pid as number, output, stop };
}

/**
 * Starts a single-member etcd on free loopback client and peer ports with a temporary data
 * folder, and resolves once its /health answers true. Tests call stop() when done. A port taken
 * between choosing and binding it is retried with new ports.
 */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(options);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}

/**
 * How a cut connection fails. `reset`: open connections get a TCP reset and new ones are reset
 * at once, as when the far side's process dies. `freeze`: nothing passes either way and new
 * connections hang, as in a network partition; heal() lets the held bytes through.
 */
export type CutMode = "reset" | "freeze";

/** A TCP proxy in front of etcd whose traffic a test can cut and heal. */
export interface EtcdProxy {
  /** The proxy's URL; give it to clients instead of etcd's endpoint. */
  endpoint: string;
  /** Connections open through the proxy now. */
  readonly connections: number;
  /** Whether traffic is cut, and how. */
  readonly state: "open" | CutMode;
  /** Stops traffic (reset by default); see CutMode. */
  cut(mode?: CutMode): void;
  /** Lets traffic through again; frozen connections carry on where they stopped. */
  heal(): void;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
}

/**
 * Starts a TCP proxy on a free loopback port forwarding to the etcd at `upstream` (a URL such
 * as EtcdServer.endpoint), for fault tests without touching the host's network.
 */
export async function etcdProxy(upstream: string): Promise<EtcdProxy> {
  const target = new URL(upstream);
  const pairs = new Set<Pair>();
  let state: "open" | CutMode = "open";

  // A connection that ends on its own closes its partner; a cut resets the client's side.
  const release = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };
  const reset = (pair: Pair) => {
    pairs.delete(pair);
    if (!pair.client.destroyed) pair.client.resetAndDestroy();
    pair.upstream?.destroy();
  };
  const forward = (pair: Pair) => {
    if (!pair.upstream) {
      const up = createConnection({ host: target.hostname, port: Number(target.port) });
      up.on("error", () => release(pair));
      up.on("close", () => release(pair));
      pair.upstream = up;
    }
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  };
  const freeze = (pair: Pair) => {
    pair.client.unpipe();
    pair.client.pause();
    pair.upstream?.unpipe();
    pair.upstream?.pause();
  };

  const server: Server = createServer((client) => {
    const pair: Pair = { client };
    client.on("error", () => release(pair));
    client.on("close", () => release(pair));
    if (state === "reset") {
      client.resetAndDestroy();
      return;
    }
    pairs.add(pair);
    if (state === "open") forward(pair);
    else freeze(pair);
  });
  server.listen(0, LOOPBACK);
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy is not on TCP");

  return {
    endpoint: `http://${LOOPBACK}:${address.port}`,
    get connections() {
      return pairs.size;
    },
    get state() {
      return state;
    },
    cut(mode: CutMode = "reset") {
      state = mode;
      for (const pair of [...pairs]) (mode === "reset" ? reset : freeze)(pair);
    },
    heal() {
      state = "open";
      for (const pair of pairs) forward(pair);
    },
    async close() {
      state = "reset";
      for (const pair of [...pairs]) reset(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

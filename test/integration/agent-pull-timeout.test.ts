import { createHash, randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, type LogLevel } from "@berth/shared";
import { DockerRuntime, type AgentTaskEngine } from "@berth/agent";
import { dockerEngine, stateDir, taskSpec, waitForTask } from "../support/agent-engine.js";
import { DEFAULT_DOCKER_SOCKET, docker, ensureTestImage, removeContainersByLabel } from "../support/docker.js";

/*
 * ECS_IMAGE_PULL_INACTIVITY_TIMEOUT and ECS_IMAGE_PULL_TIMEOUT against the real Docker engine,
 * with registries on loopback only: dockerd treats 127.0.0.1:<port> as an insecure registry, so
 * it tries HTTPS and then HTTP against the port we give it.
 *  - a "registry" that accepts connections and never answers: without the agent's timeout dockerd
 *    itself gives up only after ~25 s (10 s TLS handshake, then a 15 s ping), so an inactivity
 *    failure after ~2 s is the agent's doing;
 *  - a registry that serves a manifest and then trickles a layer forever: progress keeps coming,
 *    so only the overall timeout can end it, and it can only do so if each progress line kept
 *    resetting the inactivity timer.
 */

const logger = createLogger({ level: (process.env.BERTH_TEST_LOG as LogLevel | undefined) ?? "silent" });
const cluster = `pull-timeout-it-${randomBytes(4).toString("hex")}`;
const clusterLabel = `com.amazonaws.ecs.cluster=${cluster}`;
const client = docker();

/** Accepts and never says a word; records each connection so the test can show the hang was real. */
interface SilentServer {
  server: TcpServer;
  port: number;
  sockets: Set<Socket>;
  accepted: number;
}

async function silentServer(): Promise<SilentServer> {
  const s: SilentServer = { server: createTcpServer(), port: 0, sockets: new Set(), accepted: 0 };
  s.server.on("connection", (sock) => {
    s.accepted++;
    s.sockets.add(sock);
    sock.on("error", () => undefined);
    sock.on("close", () => s.sockets.delete(sock));
  });
  await new Promise<void>((resolve) => s.server.listen(0, "127.0.0.1", resolve));
  s.port = (s.server.address() as AddressInfo).port;
  return s;
}

/** A registry (API v2, plain HTTP) whose one image has a layer that never finishes downloading. */
interface TrickleRegistry {
  server: HttpServer;
  port: number;
  /** Chunks of layer written so far, across all requests. */
  chunks: number;
  /** Layer downloads still open. */
  open: Set<ServerResponse>;
}

const layerSize = 10_000_000;
const chunkBytes = 200_000; // 2% of the layer: each chunk is one Docker progress line
const chunkEveryMs = 300;

async function trickleRegistry(repo: string): Promise<TrickleRegistry> {
  const sha = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
  const layerDigest = sha(randomBytes(32)); // never verified: the download never completes
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha("diff")] }, config: {} }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      config: { mediaType: "application/vnd.docker.container.image.v1+json", size: config.length, digest: sha(config) },
      layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: layerSize, digest: layerDigest }],
    }),
  );
  const r: TrickleRegistry = { server: createHttpServer(), port: 0, chunks: 0, open: new Set() };
  r.server.on("request", (req, res) => {
    const url = req.url ?? "";
    if (url === "/v2/") return res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    if (url.startsWith(`/v2/${repo}/manifests/`)) {
      res.writeHead(200, { "Content-Type": "application/vnd.docker.distribution.manifest.v2+json", "Docker-Content-Digest": sha(manifest), "Content-Length": manifest.length });
      return res.end(req.method === "HEAD" ? undefined : manifest);
    }
    if (url === `/v2/${repo}/blobs/${sha(config)}`) {
      return res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": config.length }).end(config);
    }
    if (url === `/v2/${repo}/blobs/${layerDigest}`) {
      res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": layerSize });
      r.open.add(res);
      // Stops well before the layer is complete, so the pull can only end by a timeout.
      const timer = setInterval(() => {
        if (r.chunks * chunkBytes >= layerSize / 2) return;
        r.chunks++;
        res.write(randomBytes(chunkBytes));
      }, chunkEveryMs);
      res.on("close", () => {
        clearInterval(timer);
        r.open.delete(res);
      });
      return;
    }
    res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ errors: [{ code: "NOT_FOUND", message: url }] }));
  });
  await new Promise<void>((resolve) => r.server.listen(0, "127.0.0.1", resolve));
  r.port = (r.server.address() as AddressInfo).port;
  return r;
}

/** Runs `pull`, returning what it threw and how long it took. */
async function timed(pull: () => Promise<void>): Promise<{ err: unknown; ms: number }> {
  const started = Date.now();
  try {
    await pull();
  } catch (err) {
    return { err, ms: Date.now() - started };
  }
  throw new Error("the pull was expected to fail");
}

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return cond();
}

let silent: SilentServer;
let trickle: TrickleRegistry;
const engines: AgentTaskEngine[] = [];
const dirs: string[] = [];
const tags: string[] = [];

beforeAll(async () => {
  silent = await silentServer();
  trickle = await trickleRegistry("berth/slow");
});

afterAll(async () => {
  for (const e of engines) await e.close();
  await removeContainersByLabel(clusterLabel);
  // Removing a tag only untags: the test image itself stays.
  for (const tag of tags) await client.getImage(tag).remove().catch(() => undefined);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  for (const sock of silent.sockets) sock.destroy();
  for (const res of trickle.open) res.destroy();
  await new Promise((r) => silent.server.close(r));
  await new Promise((r) => trickle.server.close(r));
});

describe("image pull timeouts on Docker", () => {
  it("a registry that never answers fails the pull after the inactivity timeout", async () => {
    const runtime = new DockerRuntime({ socketPath: DEFAULT_DOCKER_SOCKET, logger, pullInactivityTimeoutMs: 2_000, pullTimeoutMs: 60_000 });
    const image = `127.0.0.1:${silent.port}/berth/never:1`;
    const before = silent.accepted;
    const { err, ms } = await timed(() => runtime.pullImage(image));
    expect((err as Error).name).toBe("CannotPullContainerError");
    expect((err as Error).message).toBe(`pull image ${image}: no progress for 2s (ECS_IMAGE_PULL_INACTIVITY_TIMEOUT)`);
    // Retryable: the engine tries a bounded few more times.
    expect((err as { retryable: boolean }).retryable).toBe(true);
    // The hang was real: dockerd had connected to the silent registry and was waiting on it.
    expect(silent.accepted).toBeGreaterThan(before);
    // The timer ended it, not dockerd (which gives up on its own only after ~25 s).
    expect(ms).toBeGreaterThan(1_500);
    expect(ms).toBeLessThan(10_000);
  });

  it("a pull that keeps progressing but never finishes fails after the overall timeout", async () => {
    const runtime = new DockerRuntime({ socketPath: DEFAULT_DOCKER_SOCKET, logger, pullInactivityTimeoutMs: 2_000, pullTimeoutMs: 5_000 });
    const image = `127.0.0.1:${trickle.port}/berth/slow:1`;
    const chunksBefore = trickle.chunks;
    const { err, ms } = await timed(() => runtime.pullImage(image));
    expect((err as Error).name).toBe("CannotPullContainerError");
    expect((err as Error).message).toBe(`pull image ${image}: not finished after 5s (ECS_IMAGE_PULL_TIMEOUT)`);
    // Fatal: the whole budget was spent; another attempt would be as slow.
    expect((err as { retryable: boolean }).retryable).toBe(false);
    expect(ms).toBeGreaterThan(4_500);
    expect(ms).toBeLessThan(10_000);
    // Progress flowed for longer than the inactivity timeout: each line reset it.
    expect((trickle.chunks - chunksBefore) * chunkEveryMs).toBeGreaterThan(2_000);
    // Closing our stream made dockerd cancel its download from the registry.
    expect(await waitUntil(() => trickle.open.size === 0, 5_000)).toBe(true);
  });

  it("with pull policy default, a timed-out pull falls back to the cached image and the task runs", async () => {
    const testImage = await ensureTestImage();
    const image = `127.0.0.1:${silent.port}/berth/cached:1`;
    const [repo, tag] = [image.slice(0, image.lastIndexOf(":")), image.slice(image.lastIndexOf(":") + 1)];
    await client.getImage(testImage).tag({ repo, tag });
    tags.push(image);
    const dir = await stateDir();
    dirs.push(dir);
    const runtime = new DockerRuntime({ socketPath: DEFAULT_DOCKER_SOCKET, logger, pullInactivityTimeoutMs: 2_000, pullTimeoutMs: 60_000 });
    const engine = dockerEngine({ cluster, stateDir: dir, runtime, logger, pullPolicy: "default" });
    engines.push(engine);
    await engine.start();
    const before = silent.accepted;
    const started = Date.now();
    await engine.applyPayload([taskSpec(cluster, "cached", [{ name: "app", image, essential: true, command: ["sleep", "60"], memory: 32 }])]);
    const t = await waitForTask(engine, "cached", (x) => x.knownStatus === "RUNNING", 30_000);
    expect(t.containers[0].knownStatus).toBe("RUNNING");
    // It did try the registry and waited out the inactivity timeout before using the cache.
    expect(silent.accepted).toBeGreaterThan(before);
    expect(Date.now() - started).toBeGreaterThan(1_500);
  });

  it("with pull policy always, the task stops with the timeout as its reason after bounded retries", async () => {
    const dir = await stateDir();
    dirs.push(dir);
    const runtime = new DockerRuntime({ socketPath: DEFAULT_DOCKER_SOCKET, logger, pullInactivityTimeoutMs: 2_000, pullTimeoutMs: 60_000 });
    const engine = dockerEngine({ cluster, stateDir: dir, runtime, logger, pullPolicy: "always" });
    engines.push(engine);
    await engine.start();
    const image = `127.0.0.1:${silent.port}/berth/never:2`;
    await engine.applyPayload([taskSpec(cluster, "never", [{ name: "app", image, essential: true, memory: 32 }])]);
    // dockerEngine allows 2 attempts: ~2 x 2 s plus a short backoff.
    const t = await waitForTask(engine, "never", (x) => x.knownStatus === "STOPPED", 30_000);
    expect(t.containers[0].reason).toBe(`CannotPullContainerError: pull image ${image}: no progress for 2s (ECS_IMAGE_PULL_INACTIVITY_TIMEOUT)`);
  });
});

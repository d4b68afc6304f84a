import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFile, readlink, rm, writeFile } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import type { Logger } from "@berth/shared";
import { hostCommand } from "../network/host-commands.js";
import { metadataAddress, parseMetadataPath } from "./paths.js";
import { backendSocket, backendSocketDir } from "./backend-socket.js";

/** How often an agent that is not the front tries to become it (the front may have stopped). */
const takeoverMs = 2000;

/**
 * The one listener on 169.254.170.2:80 of a network namespace, shared by every agent in it.
 * SDKs reach task role credentials only at that address and port, and several agents may run
 * side by side (tests, berth up's Fargate agent beside its EC2 one), so whichever agent binds it
 * first is the front and forwards each request, by the route in its endpoint id, to the agent
 * that gave the id out, over that agent's unix socket (backend-socket.ts). The others keep trying to bind,
 * so one takes over within {@link takeoverMs} of the front stopping. Bridge, host and awsvpc
 * tasks all reach the address: it is on the host namespace's loopback device, and the host
 * accepts packets for its own addresses from any interface.
 */
export class MetadataFront {
  private server?: Server;
  private timer?: NodeJS.Timeout;
  private closed = false;
  /** This agent added 169.254.170.2 to lo (it was not there before): only then may it remove it. */
  private addedAddress = false;
  /** Problems are logged once, not every retry. */
  private warned = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly port = 80,
  ) {}

  /** Whether this agent holds the listener now. */
  get serving(): boolean {
    return this.server !== undefined;
  }

  /** Makes sure the address exists, then tries to bind; retries in the background. */
  async start(): Promise<void> {
    await this.ensureAddress();
    await this.attempt();
  }

  /**
   * Stops listening. The last agent of the namespace removes the address if berth added it (this
   * agent, or another that left a marker saying so and went first); otherwise one of the others
   * takes the listener over. An address that was there before berth stays.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    const marker = await addressMarker();
    const ours = this.addedAddress || (await readFile(marker).then(() => true, () => false));
    if (ours && (await otherBackends()) === 0) {
      this.addedAddress = false;
      await rm(marker, { force: true }).catch(() => undefined);
      await hostCommand("ip", ["addr", "del", `${metadataAddress}/32`, "dev", "lo"]).catch((err: Error) => this.log.debug("metadata address not removed", { err: err.message }));
    }
  }

  private async ensureAddress(): Promise<void> {
    try {
      await hostCommand("ip", ["addr", "add", `${metadataAddress}/32`, "dev", "lo"]);
      this.addedAddress = true;
      // For whichever agent of the namespace leaves last, if not this one.
      await writeFile(await addressMarker(), "").catch(() => undefined);
    } catch (err) {
      // Another agent (or an earlier run) put it there: it is the same address either way.
      if (!/exists|already assigned/i.test((err as Error).message) && !this.warned.has("address")) {
        this.warned.add("address");
        this.log.warn("cannot add the task metadata address; tasks will not reach their metadata or role credentials", { address: metadataAddress, err: (err as Error).message });
      }
    }
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    if (this.server) return this.keepAddress();
    const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 }, (req, res) => forward(req, res));
    const outcome = await new Promise<"ok" | NodeJS.ErrnoException>((resolve) => {
      server.once("error", (err: NodeJS.ErrnoException) => resolve(err));
      server.listen(this.port, metadataAddress, () => resolve("ok"));
    });
    if (outcome === "ok" && !this.closed) {
      this.server = server;
      this.log.info("task metadata endpoint listening", { address: `${metadataAddress}:${this.port}` });
      return this.keepAddress();
    }
    server.close();
    if (outcome !== "ok" && outcome.code === "EADDRNOTAVAIL") await this.ensureAddress();
    else if (outcome !== "ok" && outcome.code !== "EADDRINUSE" && !this.warned.has(String(outcome.code))) {
      this.warned.add(String(outcome.code));
      this.log.warn("task metadata endpoint cannot listen", { address: metadataAddress, err: outcome.message });
    }
    this.retryLater();
  }

  /**
   * The front checks, every {@link takeoverMs}, that the address is still there: the last other
   * agent leaving removes it when it sees no endpoint listening, and an agent starting at that
   * moment binds just before the removal. The bound listener hears the address again once it is
   * back.
   */
  private async keepAddress(): Promise<void> {
    if (!hasAddress()) {
      this.log.info("task metadata address gone from lo while listening; adding it again", { address: metadataAddress });
      await this.ensureAddress();
    }
    this.retryLater();
  }

  private retryLater(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.attempt(), takeoverMs);
    this.timer.unref();
  }
}

/** Whether an interface of this namespace has the metadata address (getifaddrs: no process spawned). */
function hasAddress(): boolean {
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === metadataAddress));
}

/** Forwards a GET to the agent whose route the path names; 404 when none in this namespace has it. */
function forward(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const reply = (status: number, body: unknown) => {
    if (res.headersSent) return void res.destroy();
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
  };
  if (req.method !== "GET" && req.method !== "HEAD") return reply(405, `method ${req.method} not allowed`);
  const parsed = parseMetadataPath(path);
  if (parsed.kind === "not-found") return reply(404, parsed.why);
  const upstream = request({ socketPath: backendSocket(parsed.route), path, method: req.method, headers: { accept: "application/json" } }, (up) => {
    res.writeHead(up.statusCode ?? 502, { "content-type": up.headers["content-type"] ?? "application/json" });
    up.pipe(res);
  });
  upstream.setTimeout(30_000, () => upstream.destroy(new Error("timeout")));
  // The agent that gave the id out is gone (or restarting): as unknown as a made-up id.
  upstream.on("error", () => reply(404, "task metadata: no agent here serves this endpoint ID"));
  upstream.end();
}

/**
 * How many agents' endpoints listen in this namespace: /proc/net/unix lists the sockets bound in
 * the reader's network namespace only, though the directory is shared by all of them.
 */
export async function otherBackends(): Promise<number> {
  const table = await readFile("/proc/net/unix", "utf8").catch(() => "");
  // A listening socket's flags are 00010000 (__SO_ACCEPTCON).
  return table.split("\n").filter((l) => l.includes(`${backendSocketDir}/`) && / 00010000 /.test(l)).length;
}

/** The file that says berth added the address in this network namespace (the directory is shared by all). */
async function addressMarker(): Promise<string> {
  const ns = await readlink("/proc/self/ns/net").catch(() => "net");
  return `${backendSocketDir}/address-added-${ns.replace(/\D/g, "") || "0"}`;
}

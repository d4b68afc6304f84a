import { randomUUID } from "node:crypto";
import http from "node:http";
import type { Duplex } from "node:stream";
import { SerializationException, UnknownOperationException, type Logger } from "@berth/shared";
import { apiOutcome } from "../../metrics/index.js";
import { parseJsonBody, readBody, queryOf } from "./http-body.js";
import type { ApiReply, ApiRequest, AwsApi } from "./service.js";
import { verifySigV4 } from "./sigv4.js";

/** Per-request observations the API reports (the metrics module implements this). */
export interface ApiObserver {
  request(action: string, outcome: "success" | "client_error" | "server_error", seconds: number): void;
}

/** A streaming route: writes status, headers and body to `res` itself; throws before writing to refuse. */
export type StreamRoute = (req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams) => Promise<void>;

/** An upgrade route: takes the socket over, or throws before it does to refuse. */
export type UpgradeRoute = (req: http.IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams) => Promise<void>;

/** Everything served on berth's one API port. */
export interface ApiServerOptions {
  /** The AWS APIs, asked in order whether a request is theirs; the last should claim all (ECS). */
  apis: AwsApi[];
  region: string;
  log: Logger;
  /** Credentials to verify SigV4 against; when absent any signature (or none) is accepted. */
  lookupSecret?: (accessKeyId: string) => string | undefined;
  /** The secret of temporary credentials with their session token (task roles'); see SigV4Options. */
  lookupSessionSecret?: (accessKeyId: string, sessionToken: string) => Promise<string>;
  /** Largest request body accepted, bytes. */
  maxBodyBytes?: number;
  observer?: ApiObserver;
  /** Plain GET routes on the same port (/metrics, /healthz, /prometheus/sd). */
  getRoutes?: Record<string, () => Promise<{ status?: number; contentType: string; body: string }>>;
  /**
   * Streaming GET routes (berth's own, such as /berth/v1/logs): the handler answers itself,
   * over as long as it needs. Signed like the AWS APIs (as `ecs`) when credentials are configured;
   * errors in the shape of the last (catch-all) API.
   */
  streamRoutes?: Record<string, StreamRoute>;
  /**
   * Routes served by upgrading the connection (the exec WebSocket), signed like the stream
   * routes; a refusal before the upgrade is a plain HTTP answer in the catch-all API's shape.
   */
  upgradeRoutes?: Record<string, UpgradeRoute>;
  /**
   * berth's own JSON POST routes (such as /berth/v1/spot/interrupt): a JSON object in, one out,
   * signed like the stream routes, errors in the catch-all API's shape.
   */
  postRoutes?: Record<string, (input: Record<string, unknown>) => Promise<object>>;
  /**
   * GET/HEAD routes owning every path under a prefix (the console's files at /console/, the key
   * without its trailing slash matching too); not signed, so they must serve no data.
   */
  prefixRoutes?: Record<string, (req: http.IncomingMessage, res: http.ServerResponse, pathname: string) => Promise<void>>;
}

/**
 * berth's HTTP endpoint: every AWS API a client's `--endpoint-url` reaches, plus berth's own
 * routes. Each request is size-capped, handed to the first API that claims it, SigV4-verified
 * under that API's signing name, and answered in that API's shape, errors included.
 */
export function createApiServer(opts: ApiServerOptions): http.Server {
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const fallback = opts.apis[opts.apis.length - 1];
  if (!fallback) throw new Error("createApiServer needs at least one API");
  const server = http.createServer({ requestTimeout: 30_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 }, (req, res) => {
    void handle(req, res);
  });

  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void upgrade(req, socket, head));

  const authenticate = async (api: AwsApi, r: ApiRequest) => {
    if (!opts.lookupSecret) return;
    await verifySigV4(
      { method: r.method, path: r.path, query: queryOf(r.query), headers: r.headers, body: r.body },
      { region: opts.region, service: api.signingName, lookupSecret: opts.lookupSecret, lookupSessionSecret: opts.lookupSessionSecret },
    );
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? "/", "http://berth");
    const path = url.pathname;
    if (req.method === "GET" && opts.getRoutes?.[path]) {
      try {
        const out = await opts.getRoutes[path]();
        res.writeHead(out.status ?? 200, { "content-type": out.contentType }).end(out.body);
      } catch (err) {
        opts.log.error("route failed", { path, err });
        res.writeHead(500, { "content-type": "text/plain" }).end("internal error\n");
      }
      return;
    }
    const prefixRoute = req.method === "GET" || req.method === "HEAD" ? prefixRouteOf(opts.prefixRoutes, path) : undefined;
    if (prefixRoute) {
      try {
        await prefixRoute(req, res, path);
      } catch (err) {
        opts.log.error("route failed", { path, err });
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("internal error\n");
      }
      return;
    }
    const request: ApiRequest = { method: req.method ?? "GET", path, query: url.searchParams, headers: req.headers, body: Buffer.alloc(0), requestId };
    if (req.method === "GET" && opts.streamRoutes?.[path]) {
      try {
        await authenticate(fallback, request);
        await opts.streamRoutes[path](req, res, url.searchParams);
      } catch (err) {
        const reply = fallback.errorReply(err, request);
        if (reply.status >= 500) opts.log.error("stream route failed", { path, requestId, err });
        if (!res.headersSent) res.writeHead(reply.status, { "content-type": reply.contentType, "x-amzn-requestid": requestId });
        res.end(reply.body);
      }
      return;
    }
    let api = fallback;
    let reply: ApiReply;
    const postRoute = req.method === "POST" ? opts.postRoutes?.[path] : undefined;
    try {
      request.body = await readBody(req, maxBody);
      if (postRoute) {
        await authenticate(fallback, request);
        const input = parseJsonBody(request.body);
        if (input === null || typeof input !== "object" || Array.isArray(input)) throw new SerializationException("the body must be a JSON object");
        reply = { status: 200, contentType: "application/json", body: JSON.stringify(await postRoute(input as Record<string, unknown>)), action: path };
      } else {
        api = opts.apis.find((a) => a.claims(request)) ?? fallback;
        await authenticate(api, request);
        reply = await api.handle(request);
      }
    } catch (err) {
      reply = api.errorReply(err, request);
    }
    res.writeHead(reply.status, {
      ...reply.headers,
      "content-type": reply.contentType,
      "x-amzn-requestid": requestId,
      "content-length": Buffer.byteLength(reply.body),
    });
    res.end(reply.body);
    const action = api === fallback ? reply.action : `${api.name}:${reply.action}`;
    opts.observer?.request(action, apiOutcome(reply.status), Number(process.hrtime.bigint() - started) / 1e9);
  }

  async function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? "/", "http://berth");
    const request: ApiRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.alloc(0), requestId };
    socket.on("error", () => socket.destroy());
    try {
      const route = req.method === "GET" ? opts.upgradeRoutes?.[url.pathname] : undefined;
      if (!route) throw new UnknownOperationException(`No upgrade route for ${req.method} ${url.pathname}`);
      await authenticate(fallback, request);
      await route(req, socket, head, url.searchParams);
    } catch (err) {
      const reply = fallback.errorReply(err, request);
      if (reply.status >= 500 && reply.status !== 503) opts.log.error("upgrade route failed", { path: url.pathname, requestId, err });
      // Not upgraded: a plain HTTP answer on the raw socket, then close.
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${reply.status} ${http.STATUS_CODES[reply.status] ?? "Error"}\r\ncontent-type: ${reply.contentType}\r\nx-amzn-requestid: ${requestId}\r\n` +
            `content-length: ${Buffer.byteLength(reply.body)}\r\nconnection: close\r\n\r\n${reply.body}`,
        );
      } else socket.destroy();
    }
  }

  return server;
}

/** The prefix route owning `path`: the one whose prefix it starts with, or equals without the trailing slash. */
function prefixRouteOf<R>(routes: Record<string, R> | undefined, path: string): R | undefined {
  for (const [prefix, route] of Object.entries(routes ?? {})) {
    if (path.startsWith(prefix) || path === prefix.replace(/\/$/, "")) return route;
  }
  return undefined;
}

import { randomUUID } from "node:crypto";
import http from "node:http";
import {
  BerthError,
  RequestEntityTooLargeException,
  SerializationException,
  UnknownOperationException,
  UnsupportedFeatureException,
  type Logger,
} from "@berth/shared";
import type { CoreContext } from "../../core/index.js";
import { actions } from "./actions/index.js";
import { apiOutcome } from "../../metrics/index.js";
import { toEcsError } from "./errors.js";
import { verifySigV4 } from "./sigv4.js";
import { ecsOperations, validateRequest } from "./validate.js";

const targetPrefix = "AmazonEC2ContainerServiceV20141113.";

/** Per-request observations the API reports (the metrics module implements this). */
export interface ApiObserver {
  request(action: string, outcome: "success" | "client_error" | "server_error", seconds: number): void;
}

/** How the ECS API is served. */
export interface EcsApiOptions {
  ctx: CoreContext;
  log: Logger;
  /** Credentials to verify SigV4 against; when absent any signature (or none) is accepted. */
  lookupSecret?: (accessKeyId: string) => string | undefined;
  /** Largest request body accepted, bytes. */
  maxBodyBytes?: number;
  observer?: ApiObserver;
  /** Extra GET routes on the same port (/metrics, /healthz, /prometheus/sd). */
  getRoutes?: Record<string, () => Promise<{ status?: number; contentType: string; body: string }>>;
  /**
   * Streaming GET routes (berth's own, such as /berth/v1/logs): the handler answers itself,
   * over as long as it needs. Signed like the ECS API when credentials are configured.
   */
  streamRoutes?: Record<string, StreamRoute>;
  /**
   * berth's own JSON POST routes (such as /berth/v1/spot/interrupt): a JSON object in, one out,
   * signed like the ECS API when credentials are configured, errors in ECS's shape.
   */
  postRoutes?: Record<string, (input: Record<string, unknown>) => Promise<object>>;
}

/** A streaming route: writes status, headers and body to `res` itself; throws BerthErrors before writing. */
export type StreamRoute = (req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams) => Promise<void>;

/**
 * The ECS-compatible HTTP API: AWS JSON 1.1 on `POST /`, the action named by X-Amz-Target.
 * Every request is size-capped, optionally SigV4-verified, validated against the ECS model,
 * then handed to its action; every failure answers in ECS's error shape.
 */
export function createEcsServer(opts: EcsApiOptions): http.Server {
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const server = http.createServer({ requestTimeout: 30_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 }, (req, res) => {
    void handle(req, res);
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const started = process.hrtime.bigint();
    const path = (req.url ?? "/").split("?")[0];
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
    if (req.method === "GET" && opts.streamRoutes?.[path]) {
      try {
        if (opts.lookupSecret) {
          await verifySigV4(
            { method: "GET", path, query: queryOf(req.url ?? "/"), headers: req.headers, body: Buffer.alloc(0) },
            { region: opts.ctx.scope.region, lookupSecret: opts.lookupSecret },
          );
        }
        await opts.streamRoutes[path](req, res, new URL(req.url ?? "/", "http://berth").searchParams);
      } catch (err) {
        const reply = toEcsError(err, requestId);
        if (reply.status >= 500) opts.log.error("stream route failed", { path, requestId, err });
        if (!res.headersSent) res.writeHead(reply.status, { "content-type": "application/json", "x-amzn-requestid": requestId });
        res.end(JSON.stringify(reply.body));
      }
      return;
    }
    let action = "unknown";
    let status = 200;
    let body: object;
    try {
      const raw = await readBody(req, maxBody);
      const route = req.method === "POST" ? opts.postRoutes?.[path] : undefined;
      if (route) {
        action = path;
        if (opts.lookupSecret) {
          await verifySigV4({ method: "POST", path, query: queryOf(req.url ?? "/"), headers: req.headers, body: raw }, { region: opts.ctx.scope.region, lookupSecret: opts.lookupSecret });
        }
        const input = parseJson(raw);
        if (input === null || typeof input !== "object" || Array.isArray(input)) throw new SerializationException("the body must be a JSON object");
        body = await route(input as Record<string, unknown>);
      } else {
        if (req.method !== "POST" || path !== "/") throw new UnknownOperationException(`No route for ${req.method} ${path}; the ECS API is POST / with X-Amz-Target`);
        const target = String(req.headers["x-amz-target"] ?? "");
        if (!target.startsWith(targetPrefix)) throw new UnknownOperationException(`X-Amz-Target '${target}' is not an ECS operation`);
        action = target.slice(targetPrefix.length);
        if (opts.lookupSecret) {
          await verifySigV4(
            { method: req.method!, path, query: queryOf(req.url ?? "/"), headers: req.headers, body: raw },
            { region: opts.ctx.scope.region, lookupSecret: opts.lookupSecret },
          );
        }
        const input = parseJson(raw);
        validateRequest(action, input);
        const handler = actions[action];
        if (!handler) {
          if (!ecsOperations.includes(action)) throw new UnknownOperationException(`Unknown operation ${action}`);
          throw new UnsupportedFeatureException(`${action} is not implemented by berth yet`);
        }
        body = await handler(opts.ctx, input);
      }
    } catch (err) {
      const reply = toEcsError(err, requestId);
      status = reply.status;
      body = reply.body;
      if (!(err instanceof BerthError) || status >= 500) opts.log.error("request failed", { action, requestId, err });
      else opts.log.debug("request refused", { action, requestId, type: reply.body.__type, message: reply.body.message });
    }
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-requestid": requestId,
      "content-length": Buffer.byteLength(payload),
    });
    res.end(payload);
    opts.observer?.request(action, apiOutcome(status), Number(process.hrtime.bigint() - started) / 1e9);
  }

  return server;
}

/**
 * The whole body, refused with 413 once it grows past `max`. Past the cap the rest is drained
 * unread (bounded by the server's request timeout) so the client still gets an answer.
 */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
      else chunks.length = 0;
    });
    req.on("end", () =>
      size > max ? reject(new RequestEntityTooLargeException(`Request body exceeds ${max} bytes`)) : resolve(Buffer.concat(chunks)),
    );
    req.on("error", reject);
  });
}

/** The query string's parameters, repeated names as lists, as SigV4's canonical query takes them. */
function queryOf(url: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URL(url, "http://berth").searchParams) {
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (err) {
    throw new SerializationException(`Request body is not valid JSON: ${(err as Error).message}`);
  }
}

import http from "node:http";
import type { Duplex } from "node:stream";
import { ServiceUnavailableException } from "@berth/shared";
import { sessionHolder, type CoreContext } from "../../core/index.js";

/**
 * Set on a request one replica passes to another: the receiver serves it or refuses it, never
 * passes it on again, so a session that moves while the request travels cannot make a loop.
 */
export const forwardedByHeader = "x-berth-forwarded-by";

/** How long the holding replica may take to answer before the request is refused. */
const answerTimeoutMs = 10_000;

/** Response headers that describe one hop's framing, not the answer. */
const hopHeaders = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

/**
 * Where a request for `instanceId`'s session goes: the URL of the same request on the replica
 * that holds the session, found through the session key and that replica's advertisement.
 * The request is passed on unchanged, its Host header included, so its SigV4 signature still
 * verifies there. Each reason it cannot be passed on is a 503 in words.
 */
async function holderUrl(ctx: CoreContext, selfId: string, req: http.IncomingMessage, cluster: string, instanceId: string): Promise<URL> {
  const from = req.headers[forwardedByHeader];
  if (from) {
    throw new ServiceUnavailableException(`replica ${String(from)} passed this request on, but the agent's session (instance ${instanceId}) is not held here either; it moved; retry`);
  }
  const holder = await sessionHolder(ctx, cluster, instanceId);
  if (holder.state === "none") throw new ServiceUnavailableException(`the agent of instance ${instanceId} is not connected`);
  if (holder.state === "unadvertised") {
    throw new ServiceUnavailableException(
      `the agent of instance ${instanceId} is connected to replica ${holder.replicaId ?? "(unknown)"}, which advertises no address to forward to; retry`,
    );
  }
  // Our own record, with no port of ours: the session is being opened or closed right now.
  if (holder.replica.id === selfId) throw new ServiceUnavailableException(`the agent of instance ${instanceId} is (re)connecting to this replica; retry`);
  return holderRequestUrl(req.url ?? "/", holder.replica.apiUrl);
}

/**
 * The URL a request goes to on the holder: the holder's origin with the request's path and query
 * only. A request target in absolute form (`http://host/…`) or scheme-relative (`//host/…`)
 * routes here by its path, yet names a host of its own; taken as it came it would send this
 * replica, its caller's headers and all, to any host (an open proxy). Pure.
 */
export function holderRequestUrl(reqUrl: string, apiUrl: string): URL {
  const asked = new URL(reqUrl, "http://berth");
  const url = new URL(apiUrl);
  url.pathname = asked.pathname;
  url.search = asked.search;
  return url;
}

function forwardedRequest(url: URL, req: http.IncomingMessage, selfId: string): http.ClientRequest {
  return http.request(url, { method: "GET", headers: { ...req.headers, [forwardedByHeader]: selfId } });
}

function unreachable(url: URL, err: Error): ServiceUnavailableException {
  return new ServiceUnavailableException(`the replica holding the agent's session (${url.origin}) did not answer: ${err.message}`);
}

/** Passes a streaming GET (logs) (`self` names this replica once its port is bound) to the replica holding the session and streams its answer back. */
export function streamForwarder(ctx: CoreContext, self: () => string) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, cluster: string, instanceId: string): Promise<void> => {
    const selfId = self();
    const url = await holderUrl(ctx, selfId, req, cluster, instanceId);
    await new Promise<void>((resolve, reject) => {
      const up = forwardedRequest(url, req, selfId);
      const timer = setTimeout(() => up.destroy(new Error(`no answer within ${answerTimeoutMs} ms`)), answerTimeoutMs);
      up.on("response", (upRes) => {
        clearTimeout(timer);
        const headers = Object.fromEntries(Object.entries(upRes.headers).filter(([k]) => !hopHeaders.has(k)));
        res.writeHead(upRes.statusCode ?? 502, headers);
        res.flushHeaders();
        // pipe carries back-pressure both ways: a slow reader here slows the holder's writes.
        upRes.pipe(res);
        upRes.on("error", () => res.destroy());
        resolve();
      });
      up.on("error", (err) => {
        clearTimeout(timer);
        if (res.headersSent) res.destroy();
        else reject(unreachable(url, err));
      });
      // The reader leaving ends the forwarded request, and with it the holder's read.
      res.on("close", () => up.destroy());
      up.end();
    });
  };
}

/**
 * Passes an upgrade (the exec WebSocket) to the replica holding the session: the holder's
 * answer, a 101 or an error, goes back as it came, and after a 101 the two sockets are joined
 * byte for byte (pipe, so back-pressure crosses the hop).
 */
export function upgradeForwarder(ctx: CoreContext, self: () => string) {
  return async (req: http.IncomingMessage, socket: Duplex, head: Buffer, cluster: string, instanceId: string): Promise<void> => {
    const selfId = self();
    const url = await holderUrl(ctx, selfId, req, cluster, instanceId);
    await new Promise<void>((resolve, reject) => {
      const up = forwardedRequest(url, req, selfId);
      const timer = setTimeout(() => up.destroy(new Error(`no answer within ${answerTimeoutMs} ms`)), answerTimeoutMs);
      up.on("upgrade", (upRes, upSocket: Duplex, upHead: Buffer) => {
        clearTimeout(timer);
        socket.write(`HTTP/1.1 101 Switching Protocols\r\n${rawHeaderLines(upRes.rawHeaders)}\r\n`);
        if (upHead.length) socket.write(upHead);
        if (head.length) upSocket.write(head);
        const cut = () => {
          upSocket.destroy();
          socket.destroy();
        };
        upSocket.on("error", cut);
        socket.on("error", cut);
        upSocket.on("close", cut);
        socket.on("close", cut);
        upSocket.pipe(socket);
        socket.pipe(upSocket);
        resolve();
      });
      up.on("response", (upRes) => {
        clearTimeout(timer);
        // The holder refused before upgrading (an ECS error): its answer goes back whole.
        const chunks: Buffer[] = [];
        upRes.on("data", (c: Buffer) => chunks.push(c));
        upRes.on("end", () => {
          const body = Buffer.concat(chunks);
          const kept: string[] = [];
          for (let i = 0; i + 1 < upRes.rawHeaders.length; i += 2) {
            const name = upRes.rawHeaders[i].toLowerCase();
            if (!hopHeaders.has(name) && name !== "content-length") kept.push(upRes.rawHeaders[i], upRes.rawHeaders[i + 1]);
          }
          socket.end(
            Buffer.concat([
              Buffer.from(`HTTP/1.1 ${upRes.statusCode} ${upRes.statusMessage}\r\n${rawHeaderLines(kept)}content-length: ${body.length}\r\nconnection: close\r\n\r\n`),
              body,
            ]),
          );
          resolve();
        });
      });
      up.on("error", (err) => {
        clearTimeout(timer);
        reject(unreachable(url, err));
      });
      up.end();
    });
  };
}

function rawHeaderLines(raw: string[]): string {
  let out = "";
  for (let i = 0; i + 1 < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out;
}

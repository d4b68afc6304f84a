import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { silentLogger, type Logger } from "@berth/shared";
import type { AgentTaskView } from "../engine/types.js";
import { findTask, metadataResponse, taskResponse, type AgentMetadata } from "./responses.js";

/** What the introspection server shows; the engine, session and metrics supply it. */
export interface IntrospectionProvider {
  metadata(): AgentMetadata;
  /** The engine's task view (`TaskEngine.listTasks`). */
  tasks(): AgentTaskView[];
  /** Rendered at /metrics. */
  registry: Registry;
}

/** Where and what the server serves. */
export interface IntrospectionServerOptions {
  provider: IntrospectionProvider;
  /** Bind address. Default 0.0.0.0. */
  host?: string;
  /** Port, 0 for any free one. Default 51678. */
  port?: number;
  logger?: Logger;
}

/** A running introspection server. */
export interface IntrospectionServer {
  /** The bound address (the real port when 0 was asked for). */
  readonly address: AddressInfo;
  /** Stops accepting, ends idle keep-alive connections, resolves when all are closed. */
  close(): Promise<void>;
}

type Reply = { status: number; body: string; type: string };

const json = (status: number, value: unknown): Reply => ({ status, body: `${JSON.stringify(value)}\n`, type: "application/json" });

/**
 * Starts the agent's local HTTP server: ECS's `/v1/metadata` and `/v1/tasks` with ECS field
 * names, Prometheus `/metrics`, and `/healthz`. Read-only; GET and HEAD only.
 */
export async function startIntrospectionServer(opts: IntrospectionServerOptions): Promise<IntrospectionServer> {
  const logger = (opts.logger ?? silentLogger).child({ component: "introspection" });
  const { provider } = opts;

  const route = async (req: IncomingMessage): Promise<Reply> => {
    const url = new URL(req.url ?? "/", "http://agent");
    if (req.method !== "GET" && req.method !== "HEAD") return json(405, { error: `method ${req.method} not allowed` });
    switch (url.pathname) {
      case "/v1/metadata":
        return json(200, metadataResponse(provider.metadata()));
      case "/v1/tasks": {
        const taskarn = url.searchParams.get("taskarn") ?? undefined;
        const dockerid = url.searchParams.get("dockerid") ?? undefined;
        const tasks = provider.tasks();
        if (taskarn === undefined && dockerid === undefined) return json(200, { Tasks: tasks.map(taskResponse) });
        const found = findTask(tasks, { taskarn, dockerid });
        if ("task" in found) return json(200, taskResponse(found.task));
        return "notFound" in found ? json(404, { error: found.notFound }) : json(400, { error: found.badRequest });
      }
      case "/metrics":
        return { status: 200, body: await provider.registry.metrics(), type: provider.registry.contentType };
      case "/healthz":
        return json(200, { status: "ok" });
      default:
        return json(404, { error: `no such path: ${url.pathname}` });
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    route(req)
      .catch((err: unknown) => {
        logger.error("introspection request failed", { err, path: req.url });
        return json(500, { error: "internal error" });
      })
      .then((reply) => {
        res.writeHead(reply.status, {
          "content-type": reply.type,
          "content-length": Buffer.byteLength(reply.body),
          ...(reply.status === 405 ? { allow: "GET, HEAD" } : {}),
        });
        res.end(req.method === "HEAD" ? undefined : reply.body);
      });
  };

  const server: Server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 }, handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 51678, opts.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  logger.info("introspection server listening", { address: address.address, port: address.port });

  return {
    address,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Prometheus keeps its scrape connection open; without this close() waits for it.
        server.closeIdleConnections();
      }),
  };
}

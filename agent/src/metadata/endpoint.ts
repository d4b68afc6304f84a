import { createServer, type Server } from "node:http";
import { parseArn, taskRoleOf, type Logger } from "@berth/shared";
import type { TaskRoleCredentials } from "@berth/proto";
import type { ContainerEnvironment } from "../engine/index.js";
import { answerMetadata, type MetadataSource } from "./answer.js";
import { prepareBackendSocket, removeBackendSocket } from "./backend-socket.js";
import { MetadataFront } from "./front.js";
import { HeldCredentials } from "./held-credentials.js";
import { metadataEnvironment } from "./paths.js";
import { loadEndpointTokens, type EndpointTokens } from "./tokens.js";

/** What the endpoint is built from. */
export interface TaskMetadataOptions {
  dataDir: string;
  source: Omit<MetadataSource, "credentials">;
  log: Logger;
  /** Serve 169.254.170.2:80 (or share it with the namespace's other agents); default true. */
  listen?: boolean;
}

/** A running task metadata endpoint. */
export interface TaskMetadataEndpoint {
  readonly tokens: EndpointTokens;
  /** For the engine: the endpoint's variables of each container it creates. */
  readonly environment: ContainerEnvironment;
  /** For the session: a task's new role credentials. */
  takeCredentials(c: TaskRoleCredentials): void;
  close(): Promise<void>;
}

/**
 * Starts this agent's part of the task metadata endpoint (docs/TASK-METADATA.md): its own
 * server on a unix socket named by its route in a root-only directory, and its share of the namespace's
 * 169.254.170.2:80 listener that forwards to it. Role credentials are held in memory only.
 */
export async function startTaskMetadataEndpoint(opts: TaskMetadataOptions): Promise<TaskMetadataEndpoint> {
  const log = opts.log.child({ component: "task-metadata" });
  const tokens = await loadEndpointTokens(opts.dataDir);
  const credentials = new HeldCredentials();
  const source: MetadataSource = { ...opts.source, credentials };
  const backend: Server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 }, (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    answerMetadata(source, tokens, path)
      .catch((err: unknown) => {
        log.error("task metadata request failed", { err, path });
        return { status: 500, body: "internal error" };
      })
      .then(({ status, body }) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(req.method === "HEAD" ? undefined : text);
      });
  });
  const socketPath = await prepareBackendSocket(tokens.route);
  await new Promise<void>((resolve, reject) => {
    backend.once("error", reject);
    backend.listen(socketPath, () => {
      backend.off("error", reject);
      resolve();
    });
  });
  const front = opts.listen === false ? undefined : new MetadataFront(log);
  await front?.start();
  log.info("task metadata endpoint started", { route: tokens.route, front: front?.serving ?? false });

  return {
    tokens,
    environment: (task, containerName, parsed) =>
      metadataEnvironment({
        containerId: tokens.container(task.arn, containerName),
        credentialsId: taskRoleOf(parsed.td, parsed.overrides) ? tokens.credentials(task.arn) : undefined,
        region: parseArn(task.arn)?.region,
        launchType: opts.source.context.launchType,
      }),
    takeCredentials(c) {
      credentials.put(c);
      // Not pruned against the engine's tasks as they are now: a payload's credentials all come
      // before it, so its tasks are not known yet; what goes is what the engine knew and forgot.
      credentials.retain(new Set(opts.source.tasks().map((t) => t.arn)), opts.source.now());
    },
    async close() {
      // Our own socket first: the front counts what is left to decide whether the address goes.
      await new Promise<void>((resolve) => {
        backend.close(() => resolve());
        backend.closeAllConnections();
      });
      await removeBackendSocket(tokens.route);
      await front?.close();
    },
  };
}

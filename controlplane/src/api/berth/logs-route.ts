import type http from "node:http";
import { ServiceUnavailableException, type Logger } from "@berth/shared";
import { logTarget, type CoreContext } from "../../core/index.js";
import type { OpenLog } from "../agent/log-relay.js";
import type { SessionRelay } from "../agent/relay.js";
import type { StreamRoute } from "../aws/router.js";
import { parseLogQuery } from "./log-query.js";

/** Hands a request for a session this replica does not hold to the replica that does (forward.ts). */
export type StreamForwarder = (req: http.IncomingMessage, res: http.ServerResponse, cluster: string, instanceId: string) => Promise<void>;

/** Response bytes allowed to wait for a slow reader before the stream is cut (bounded memory). */
const maxPendingBytes = 1024 * 1024;

/**
 * `GET /berth/v1/logs`: one container's log, relayed from the agent that runs the task over its
 * session stream. The answer is NDJSON, one `{"time","stream","text"}` object per line, closed
 * by `{"end":true}` (with `error` when the log could not be read to its end). A reader that
 * leaves cancels the agent's read. A session held by another replica is reached through
 * `forward`, which passes the request to that replica (forward.ts).
 */
export function logsRoute(ctx: CoreContext, relay: SessionRelay, log: Logger, forward?: StreamForwarder): StreamRoute {
  return async (req, res, query) => {
    const q = parseLogQuery(query, ctx.now());
    const target = await logTarget(ctx, q.cluster, q.task, q.container);
    const port = relay.port(q.cluster, target.instanceId)?.logs;
    if (!port) {
      if (forward && target.agentConnected) return forward(req, res, q.cluster, target.instanceId);
      throw new ServiceUnavailableException(
        target.agentConnected
          ? `the agent of task ${target.task.id} (instance ${target.instanceId}) is connected to another replica; ask that replica, or retry`
          : `the agent of task ${target.task.id} (instance ${target.instanceId}) is not connected`,
      );
    }
    let finished = false;
    let open: OpenLog | undefined;
    const finish = (error: string) => {
      if (finished) return;
      finished = true;
      res.end(`${JSON.stringify(error ? { end: true, error } : { end: true })}\n`);
    };
    const opened = port.request(
      { taskArn: target.task.arn, containerName: target.container, follow: q.follow, sinceMs: q.sinceMs, tail: q.tail },
      {
        lines: (lines) => {
          if (finished) return;
          res.write(lines.map((l) => `${JSON.stringify({ time: l.time, stream: l.stream, text: l.text })}\n`).join(""));
          // The agent sends as fast as gRPC lets it; a reader that cannot keep up would make
          // this replica hold the difference, so past the cap the stream is cut, loudly.
          if (res.writableLength > maxPendingBytes) {
            log.warn("log reader too slow; stream cut", { taskArn: target.task.arn, container: target.container });
            open?.cancel();
            finish(`the reader fell more than ${maxPendingBytes} bytes behind; stream cut`);
          }
        },
        end: (error) => finish(error),
      },
    );
    if (typeof opened === "string") throw new ServiceUnavailableException(opened);
    open = opened;
    res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
    // Headers go out at once so a following reader knows the stream is open before any line.
    res.flushHeaders();
    const gone = () => {
      if (finished) return;
      finished = true;
      open?.cancel();
    };
    // The response's close is the reader leaving (or the end written); the request's own
    // close fires once its empty body is read, so it says nothing here.
    res.on("close", gone);
  };
}

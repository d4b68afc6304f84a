import type http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { ServiceUnavailableException, type Logger } from "@berth/shared";
import { execChunkBytes, execWindowBytes } from "@berth/proto";
import { execTarget, type CoreContext } from "../../core/index.js";
import type { ExecPort, OpenExec } from "../agent/exec-relay.js";
import type { SessionRelay } from "../agent/relay.js";
import type { UpgradeRoute } from "../aws/router.js";
import { decodeFrame, encodeFrame, ExecChannel, parseResize, type ExecStatus } from "./exec-frames.js";
import { parseExecQuery, type ExecQuery } from "./exec-query.js";
import { keepAlive } from "./keepalive.js";

/** Hands a request for a session this replica does not hold to the replica that does (forward.ts). */
export type UpgradeForwarder = (req: http.IncomingMessage, socket: Duplex, head: Buffer, cluster: string, instanceId: string) => Promise<void>;

/**
 * `GET /berth/v1/exec` as a WebSocket (frames in exec-frames.ts): runs a command in a task's
 * container through the agent's session and relays stdin, stdout, stderr, resizes and, last,
 * the exit status. Everything the request gets wrong (unknown task, stopped task, unknown
 * container, disconnected agent) is refused before the upgrade, in ECS's error shape. The
 * agent's session may be held by another replica: `forward` then passes the connection on.
 */
export function execRoute(ctx: CoreContext, relay: SessionRelay, log: Logger, forward?: UpgradeForwarder): UpgradeRoute {
  // The client sends stdin in frames of at most a chunk (and small control frames).
  const wss = new WebSocketServer({ noServer: true, maxPayload: execChunkBytes + 1024 });
  return async (req, socket, head, query) => {
    const q = parseExecQuery(query);
    const target = await execTarget(ctx, q.cluster, q.task, q.container);
    const port = relay.port(q.cluster, target.instanceId)?.exec;
    if (!port) {
      if (forward) return forward(req, socket, head, q.cluster, target.instanceId);
      throw new ServiceUnavailableException(`the agent of task ${target.task.id} (instance ${target.instanceId}) is connected to another replica; retry`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      keepAlive(ws);
      bridgeExec(ws, port, q, target.task.arn, target.container, log.child({ taskArn: target.task.arn, container: target.container }));
    });
  };
}

/**
 * Joins one client WebSocket to one exec on the agent. Output is credited back to the agent
 * once written to the client's socket, so this replica holds at most a window of it; stdin is
 * read from the socket only while less than a window of it awaits the agent's credit.
 */
function bridgeExec(ws: WebSocket, port: ExecPort, q: ExecQuery, taskArn: string, container: string, log: Logger): void {
  let done = false;
  let stdinUnacked = 0;
  let exec: OpenExec | undefined;
  const finish = (status: ExecStatus) => {
    if (done) return;
    done = true;
    ws.send(encodeFrame(ExecChannel.status, JSON.stringify(status)), () => ws.close(1000));
  };
  const opened = port.start(
    { taskArn, containerName: container, command: q.command, tty: q.tty, stdin: q.stdin, cols: q.cols, rows: q.rows },
    {
      started: () => log.info("exec started", { command: q.command[0], tty: q.tty }),
      output: (stream, data) => {
        if (done) return;
        ws.send(encodeFrame(stream === "stderr" ? ExecChannel.stderr : ExecChannel.stdout, data), (err) => {
          if (!err) exec?.credit(data.length);
        });
      },
      inputCredit: (bytes) => {
        stdinUnacked = Math.max(0, stdinUnacked - bytes);
        if (ws.isPaused && stdinUnacked < execWindowBytes) ws.resume();
      },
      exit: (exitCode, error) => {
        log.info("exec ended", error ? { error } : { exitCode });
        finish(error ? { error } : { exitCode });
      },
    },
  );
  if (typeof opened === "string") return finish({ error: opened });
  exec = opened;
  // The status goes first, so the cancel's own "cancelled" is not what the client reads.
  const refuse = (error: string) => {
    finish({ error });
    exec?.cancel();
  };
  ws.on("message", (raw: RawData, isBinary: boolean) => {
    if (done) return;
    if (!isBinary) return refuse("exec frames are binary messages");
    let frame;
    try {
      frame = decodeFrame(toBuffer(raw));
    } catch (err) {
      return refuse((err as Error).message);
    }
    switch (frame.channel) {
      case ExecChannel.stdin:
        if (!q.stdin || frame.data.length === 0) return;
        stdinUnacked += frame.data.length;
        exec!.input(frame.data, false);
        // Reading pauses here; TCP then holds the client back.
        if (stdinUnacked >= execWindowBytes) ws.pause();
        return;
      case ExecChannel.stdinEnd:
        if (q.stdin) exec!.input(Buffer.alloc(0), true);
        return;
      case ExecChannel.resize:
        try {
          const { cols, rows } = parseResize(frame.data);
          exec!.resize(cols, rows);
        } catch (err) {
          refuse((err as Error).message);
        }
        return;
      default:
        return refuse(`channel ${frame.channel} is not one the client sends`);
    }
  });
  ws.on("close", () => {
    if (done) return;
    done = true;
    exec?.cancel();
  });
  ws.on("error", (err) => log.debug("exec socket error", { err: err.message }));
}

function toBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}

import type { IncomingMessage } from "node:http";
import { WebSocket, type RawData } from "ws";
import type { Command } from "commander";
import { execChunkBytes, execWindowBytes } from "@berth/proto";
import { decodeFrame, encodeFrame, ExecChannel, parseStatus, type ExecStatus } from "../../api/berth/exec-frames.js";
import { OpsError, targetFlags, withEcs } from "./client.js";
import { execExitCode, execQuery, type ExecArgs } from "./exec-args.js";
import { signedGet } from "./signed-request.js";

interface ExecOptions {
  container?: string;
  interactive: boolean;
  tty: boolean;
  endpoint: string;
  cluster: string;
}

/**
 * Adds `exec [-i] [-t] [--container NAME] <task> -- <command...>`: runs the command in the
 * task's container through the control plane (which relays to the task's agent), streams its
 * output (and, with -i, stdin), and exits with the command's exit code.
 */
export function registerExecCommand(program: Command): void {
  targetFlags(
    program
      .command("exec")
      .description("run a command in a task's container; its exit code is berth's (-it for an interactive terminal)")
      .argument("<task>", "task id or ARN")
      .argument("<command...>", "the command and its arguments, after --")
      .option("--container <name>", "the container (default: the task's only or first essential one)")
      .option("-i, --interactive", "send stdin to the command", false)
      .option("-t, --tty", "give the command a terminal (with -i: raw keys, resizes forwarded)", false),
  ).action(async (task: string, command: string[], o: ExecOptions) => {
    const code = await withEcs(o, async (ecs, target) => {
      const args: ExecArgs = { task, command, container: o.container, interactive: o.interactive, tty: o.tty };
      const query = execQuery(args, target.cluster, { stdinIsTty: Boolean(process.stdin.isTTY), cols: process.stdout.columns, rows: process.stdout.rows });
      const { url, headers } = await signedGet(target, ecs, "/berth/v1/exec", query);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      return runExec(url, headers, args);
    });
    // Exit once the output is out: stdin may still be open (not -i), and nothing else is left to do.
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
  });
}

/** Connects, relays until the status frame and the close, and returns berth's exit code. */
async function runExec(url: URL, headers: Record<string, string>, a: ExecArgs): Promise<number> {
  const ws = new WebSocket(url, { headers, maxPayload: execChunkBytes + 1024, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    // Refused before the upgrade: the control plane's answer is an ECS error; say its message.
    ws.once("unexpected-response", (_req, res: IncomingMessage) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => reject(new OpsError(errorMessage(body, res.statusCode ?? 0))));
    });
  });
  const rawMode = a.tty && a.interactive && process.stdin.isTTY;
  if (rawMode) process.stdin.setRawMode(true);
  const onResize = () => {
    if (process.stdout.columns && process.stdout.rows) ws.send(encodeFrame(ExecChannel.resize, JSON.stringify({ cols: process.stdout.columns, rows: process.stdout.rows })));
  };
  if (a.tty) process.stdout.on("resize", onResize);
  if (a.interactive) pumpStdin(ws);
  let status: ExecStatus | undefined;
  await new Promise<void>((resolve) => {
    ws.on("message", (raw: RawData) => {
      let frame;
      try {
        frame = decodeFrame(Buffer.isBuffer(raw) ? raw : Buffer.from(raw as ArrayBuffer));
      } catch (err) {
        status = { error: `the control plane sent ${(err as Error).message}` };
        return ws.close();
      }
      if (frame.channel === ExecChannel.status) status = parseStatus(frame.data);
      else if (frame.channel === ExecChannel.stdout || frame.channel === ExecChannel.stderr) {
        const out = frame.channel === ExecChannel.stdout ? process.stdout : process.stderr;
        // A terminal slower than the command: stop reading the socket, and the control plane
        // (then the agent, then the command) waits.
        if (!out.write(frame.data)) {
          ws.pause();
          out.once("drain", () => ws.resume());
        }
      }
    });
    ws.on("close", () => resolve());
    ws.on("error", () => resolve());
  });
  if (rawMode) process.stdin.setRawMode(false);
  process.stdout.off("resize", onResize);
  process.stdin.pause();
  if (!status) process.stderr.write("berth: the connection to the control plane closed before the command ended\n");
  else if ("error" in status) process.stderr.write(`berth: ${status.error}\n`);
  return execExitCode(status);
}

/**
 * Sends stdin in chunks of at most execChunkBytes, pausing while more than a window waits in
 * the socket's buffer; its end is sent as a stdin-end frame.
 */
function pumpStdin(ws: WebSocket): void {
  const stdin = process.stdin;
  stdin.on("data", (data: Buffer) => {
    for (let i = 0; i < data.length; i += execChunkBytes) {
      ws.send(encodeFrame(ExecChannel.stdin, data.subarray(i, i + execChunkBytes)), () => {
        if (stdin.isPaused() && ws.bufferedAmount < execWindowBytes) stdin.resume();
      });
    }
    if (ws.bufferedAmount >= execWindowBytes) stdin.pause();
  });
  stdin.on("end", () => {
    if (ws.readyState === WebSocket.OPEN) ws.send(encodeFrame(ExecChannel.stdinEnd));
  });
}

/** The message of an ECS error body, or the body as it came. */
function errorMessage(body: string, status: number): string {
  try {
    const m = (JSON.parse(body) as { message?: string }).message;
    if (m) return m;
  } catch {
    // not JSON
  }
  return body.trim() || `HTTP ${status}`;
}

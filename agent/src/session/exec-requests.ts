import type { Logger } from "@berth/shared";
import { execChunkBytes, execWindowBytes, type ExecInput, type ExecResize, type ExecStart } from "@berth/proto";
import { ecsLabel } from "../engine/index.js";
import type { ContainerExec, ContainerExecSource, ContainerRuntime, LogStreamName } from "../runtime/index.js";
import type { LogOutlet } from "./log-requests.js";

/** Options for {@link ExecRequests}. */
export interface ExecRequestsOptions {
  source: ContainerExecSource;
  runtime: Pick<ContainerRuntime, "listContainers">;
  log: Logger;
  /** Execs open at once on this agent; more are refused (default 16). */
  maxOpen?: number;
}

/** One exec this agent relays, from ExecStart to ExecExit. */
interface OpenExec {
  exec?: ContainerExec;
  /** Stdin that came before the exec was open, in order (bounded by the input window). */
  early: ExecInput[];
  earlyBytes: number;
  /** Output sent and not yet credited back by the control plane. */
  unacked: number;
  /** Paused because the window is full, or because the session stream's buffer is. */
  windowFull: boolean;
  streamFull: boolean;
  cancelled: boolean;
}

/**
 * The execs the control plane asked this agent for. Each finds the task's container, starts the
 * command through the runtime, and relays: output as ExecOutput messages of at most 32 KiB, with
 * at most the window (256 KiB) sent but not credited, and stdin handed to the command with a
 * credit back once the runtime took it. Reading the command's output pauses while either the
 * window or the session stream's buffer is full, so memory stays bounded however slow the
 * reader. Every exec ends with exactly one ExecExit.
 */
export class ExecRequests {
  private readonly open = new Map<string, OpenExec>();
  private readonly maxOpen: number;

  constructor(private readonly opts: ExecRequestsOptions) {
    this.maxOpen = opts.maxOpen ?? 16;
  }

  /** Starts the exec `req` asks for on `out`. */
  start(req: ExecStart, out: LogOutlet): void {
    const id = req.execId;
    const exitWith = (exitCode: number, error: string) => out.write({ kind: { $case: "execExit", value: { execId: id, exitCode, error } } });
    if (this.open.has(id)) return void exitWith(-1, `exec ${id} is already open`);
    if (this.open.size >= this.maxOpen) return void exitWith(-1, `this agent already runs ${this.maxOpen} execs; try again later`);
    if (req.command.length === 0) return void exitWith(-1, "no command to run");
    const entry: OpenExec = { early: [], earlyBytes: 0, unacked: 0, windowFull: false, streamFull: false, cancelled: false };
    this.open.set(id, entry);
    const finish = (exitCode: number, error: string) => {
      if (this.open.get(id) !== entry) return;
      this.open.delete(id);
      exitWith(exitCode, error);
    };
    const flow = () => {
      const paused = entry.windowFull || entry.streamFull;
      if (paused) entry.exec?.pause();
      else entry.exec?.resume();
    };
    void (async () => {
      const rows = await this.opts.runtime.listContainers({ [ecsLabel.taskArn]: req.taskArn, [ecsLabel.containerName]: req.containerName });
      const row = rows[0];
      if (!row) return finish(-1, `container ${req.containerName} of task ${req.taskArn} has no Docker container on this instance (not started yet, or already removed)`);
      if (row.state !== "running") return finish(-1, `container ${req.containerName} of task ${req.taskArn} is not running (Docker state ${row.state})`);
      const exec = await this.opts.source.openExec(
        row.id,
        { command: req.command, tty: req.tty, stdin: req.stdin, cols: req.cols, rows: req.rows },
        {
          output: (stream: LogStreamName, data: Buffer) => {
            if (this.open.get(id) !== entry) return;
            for (const piece of chunkBytes(data, execChunkBytes)) {
              entry.unacked += piece.length;
              if (!out.write({ kind: { $case: "execOutput", value: { execId: id, stream, data: piece } } }) && !entry.streamFull) {
                entry.streamFull = true;
                out.once("drain", () => {
                  entry.streamFull = false;
                  flow();
                });
              }
            }
            entry.windowFull = entry.unacked >= execWindowBytes;
            flow();
          },
          exit: (exitCode, error) => finish(exitCode, error ?? ""),
        },
      );
      entry.exec = exec;
      if (entry.cancelled || this.open.get(id) !== entry) return exec.close();
      out.write({ kind: { $case: "execStarted", value: { execId: id } } });
      flow();
      for (const early of entry.early.splice(0)) this.deliver(entry, early, out);
      entry.earlyBytes = 0;
    })().catch((err: Error) => {
      this.opts.log.warn("exec failed to start", { taskArn: req.taskArn, container: req.containerName, err: err.message });
      finish(-1, `the command could not be started: ${err.message}`);
    });
  }

  /** Stdin for an open exec; input for one not open any more is dropped. */
  input(msg: ExecInput, out: LogOutlet): void {
    const entry = this.open.get(msg.execId);
    if (!entry) return;
    if (entry.exec) return this.deliver(entry, msg, out);
    entry.earlyBytes += msg.data.length;
    // The control plane stops reading stdin at a window (give or take the frames already read);
    // one that sent far past it is not to be trusted with memory.
    if (entry.earlyBytes > 2 * execWindowBytes) return void this.failOpen(msg.execId, out, `stdin ran past the ${execWindowBytes}-byte window`);
    entry.early.push(msg);
  }

  /** A resize of the exec's tty. */
  resize(msg: ExecResize): void {
    void this.open.get(msg.execId)?.exec?.resize(msg.cols, msg.rows).catch((err: Error) => this.opts.log.debug("exec resize failed", { err: err.message }));
  }

  /** The control plane took `bytes` of output: read more if the window had filled. */
  credit(execId: string, bytes: number): void {
    const entry = this.open.get(execId);
    if (!entry) return;
    entry.unacked = Math.max(0, entry.unacked - bytes);
    if (entry.windowFull && entry.unacked < execWindowBytes) {
      entry.windowFull = false;
      if (!entry.streamFull) entry.exec?.resume();
    }
  }

  /** The client went away: stop relaying (the ExecExit follows from the runtime's close). */
  cancel(execId: string): void {
    const entry = this.open.get(execId);
    if (!entry) return;
    entry.cancelled = true;
    entry.exec?.close();
  }

  /** Closes every exec (the session ended; nobody reads their answers any more). */
  closeAll(): void {
    const entries = [...this.open.values()];
    this.open.clear();
    for (const e of entries) {
      e.cancelled = true;
      e.exec?.close();
    }
  }

  private deliver(entry: OpenExec, msg: ExecInput, out: LogOutlet): void {
    const exec = entry.exec!;
    if (msg.data.length > 0) {
      const bytes = msg.data.length;
      exec.write(msg.data, () => out.write({ kind: { $case: "execInputCredit", value: { execId: msg.execId, bytes } } }));
    }
    if (msg.eof) exec.closeStdin();
  }

  private failOpen(execId: string, out: LogOutlet, error: string): void {
    const entry = this.open.get(execId);
    if (!entry) return;
    this.open.delete(execId);
    entry.cancelled = true;
    entry.exec?.close();
    out.write({ kind: { $case: "execExit", value: { execId, exitCode: -1, error } } });
  }
}

/** `data` cut into pieces of at most `max` bytes (views, not copies). */
export function chunkBytes(data: Buffer, max: number): Buffer[] {
  if (data.length <= max) return data.length ? [data] : [];
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += max) out.push(data.subarray(i, i + max));
  return out;
}

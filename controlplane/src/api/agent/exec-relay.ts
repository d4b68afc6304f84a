import { randomUUID } from "node:crypto";
import type { ControlMessage, ExecExit, ExecInputCredit, ExecOutput, ExecStart, ExecStarted } from "@berth/proto";

/** Where the answers to one exec go, on the replica that serves the client's WebSocket. */
export interface ExecListener {
  /** The command runs: its stdin is read from now on. */
  started(): void;
  output(stream: string, data: Buffer): void;
  /** The agent handed `bytes` of stdin to the command: that many more may be sent. */
  inputCredit(bytes: number): void;
  /** Called once, last: the exit code, or (error set) why the command did not run to its end. */
  exit(exitCode: number, error: string): void;
}

/** An open exec, as the WebSocket side drives it. */
export interface OpenExec {
  /** Stdin for the command (at most execChunkBytes a call); `eof` closes it after `data`. */
  input(data: Buffer, eof: boolean): void;
  resize(cols: number, rows: number): void;
  /** The client took `bytes` of output: the agent may send that many more. */
  credit(bytes: number): void;
  /** The client went away: the agent stops relaying; the listener hears `exit` with "cancelled". */
  cancel(): void;
}

/** One agent session's door for execs. */
export interface ExecPort {
  /** Sends the request to the agent; a string when refused (too many open). */
  start(req: Omit<ExecStart, "execId">, listener: ExecListener): OpenExec | string;
}

/**
 * The execs open on one agent session: each gets an id, goes down the session stream, and its
 * answers come back tagged with it. At most `maxOpen` at once; no data is held here, it goes
 * straight to the listener (flow control is the credit both ends send, see agent.proto).
 */
export class SessionExecRequests implements ExecPort {
  private readonly open = new Map<string, ExecListener>();

  constructor(
    private readonly write: (msg: ControlMessage) => void,
    private readonly maxOpen = 32,
  ) {}

  start(req: Omit<ExecStart, "execId">, listener: ExecListener): OpenExec | string {
    if (this.open.size >= this.maxOpen) return `the agent already runs ${this.maxOpen} execs; try again later`;
    const execId = randomUUID();
    this.open.set(execId, listener);
    this.write({ kind: { $case: "execStart", value: { ...req, execId } } });
    const live = () => this.open.get(execId) === listener;
    return {
      input: (data, eof) => {
        if (live()) this.write({ kind: { $case: "execInput", value: { execId, data, eof } } });
      },
      resize: (cols, rows) => {
        if (live()) this.write({ kind: { $case: "execResize", value: { execId, cols, rows } } });
      },
      credit: (bytes) => {
        if (live()) this.write({ kind: { $case: "execOutputCredit", value: { execId, bytes } } });
      },
      cancel: () => {
        // The agent answers a cancel with ExecExit; the listener is told now, and that exit is dropped.
        if (!this.open.delete(execId)) return;
        this.write({ kind: { $case: "execCancel", value: { execId } } });
        listener.exit(-1, "cancelled");
      },
    };
  }

  onStarted(msg: ExecStarted): void {
    this.open.get(msg.execId)?.started();
  }

  /** Output from the agent; output of an exec no longer open (cancelled) is dropped. */
  onOutput(msg: ExecOutput): void {
    this.open.get(msg.execId)?.output(msg.stream, msg.data);
  }

  onInputCredit(msg: ExecInputCredit): void {
    this.open.get(msg.execId)?.inputCredit(msg.bytes);
  }

  /** The agent's last word on an exec. */
  onExit(msg: ExecExit): void {
    const listener = this.open.get(msg.execId);
    if (!listener) return;
    this.open.delete(msg.execId);
    listener.exit(msg.exitCode, msg.error);
  }

  /** Ends every open exec with `why` (the session ended). */
  closeAll(why: string): void {
    const listeners = [...this.open.values()];
    this.open.clear();
    for (const l of listeners) l.exit(-1, why);
  }
}

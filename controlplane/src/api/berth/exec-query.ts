import { InvalidParameterException } from "@berth/shared";

/** A parsed `GET /berth/v1/exec` request. */
export interface ExecQuery {
  cluster: string;
  task: string;
  /** Left out: the task's only container, else its first essential one. */
  container?: string;
  command: string[];
  tty: boolean;
  stdin: boolean;
  /** The terminal's size (tty); 0 when not given. */
  cols: number;
  rows: number;
}

/** Most arguments and bytes a command may have: it travels in the URL. */
const maxArgs = 256;
const maxCommandBytes = 8 * 1024;

/**
 * The exec a query string names: `cluster` (default `default`), `task` (id or ARN, required),
 * `container`, `cmd` (repeated, one per argument, required), `tty` and `stdin` (1/0, true/false),
 * `cols` and `rows`. Each bad value is refused naming its parameter.
 */
export function parseExecQuery(q: URLSearchParams): ExecQuery {
  const task = q.get("task") ?? "";
  if (!task) throw new InvalidParameterException("task: the task id or ARN is required");
  const command = q.getAll("cmd");
  if (command.length === 0) throw new InvalidParameterException("cmd: the command to run is required (one cmd parameter per argument)");
  if (command.length > maxArgs) throw new InvalidParameterException(`cmd: ${command.length} arguments; at most ${maxArgs}`);
  if (command.reduce((n, a) => n + Buffer.byteLength(a), 0) > maxCommandBytes) throw new InvalidParameterException(`cmd: the command is longer than ${maxCommandBytes} bytes`);
  if (command[0] === "") throw new InvalidParameterException("cmd: the program name is empty");
  return {
    cluster: q.get("cluster") || "default",
    task,
    container: q.get("container") || undefined,
    command,
    tty: flag(q, "tty"),
    stdin: flag(q, "stdin"),
    cols: size(q, "cols"),
    rows: size(q, "rows"),
  };
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name) ?? "0";
  if (!["0", "1", "true", "false"].includes(v)) throw new InvalidParameterException(`${name}: '${v}' is not 1, 0, true or false`);
  return v === "1" || v === "true";
}

function size(q: URLSearchParams, name: string): number {
  const v = q.get(name) ?? "0";
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new InvalidParameterException(`${name}: '${v}' is not a terminal size from 0 to 65535`);
  return Number(v);
}

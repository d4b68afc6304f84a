import type { ExecStatus } from "../../api/berth/exec-frames.js";
import { OpsError } from "./client.js";

/** `berth exec`'s flags and operands as commander parsed them. */
export interface ExecArgs {
  task: string;
  command: string[];
  container?: string;
  interactive: boolean;
  tty: boolean;
}

/** The local terminal, as far as exec cares. */
export interface LocalTerminal {
  stdinIsTty: boolean;
  cols?: number;
  rows?: number;
}

/**
 * The query of `GET /berth/v1/exec` for these arguments. As with docker, `-i -t` needs a
 * terminal on stdin (its keys are sent raw); `-t` alone gives the command a tty for output.
 */
export function execQuery(a: ExecArgs, cluster: string, term: LocalTerminal): Record<string, string | string[]> {
  if (!a.task) throw new OpsError("name the task: berth exec <task> -- <command...>");
  if (a.command.length === 0 || a.command[0] === "") throw new OpsError("name the command to run: berth exec <task> -- <command...>");
  if (a.tty && a.interactive && !term.stdinIsTty) throw new OpsError("the input device is not a TTY; drop -t, or run from a terminal");
  const q: Record<string, string | string[]> = { cluster, task: a.task, cmd: a.command, tty: a.tty ? "1" : "0", stdin: a.interactive ? "1" : "0" };
  if (a.container) q.container = a.container;
  if (a.tty && term.cols && term.rows) {
    q.cols = String(term.cols);
    q.rows = String(term.rows);
  }
  return q;
}

/** berth's exit code when the connection closed before the command's status came (as ssh's 255). */
export const lostConnectionExit = 255;

/**
 * The exit code `berth exec` ends with: the command's own when it ran (0-255, as Docker reports
 * it, 128+N for a signal); 1 when it could not run (the message is printed); 255 when the
 * connection to the control plane was lost before the command's status arrived.
 */
export function execExitCode(status: ExecStatus | undefined): number {
  if (!status) return lostConnectionExit;
  if ("error" in status) return 1;
  return status.exitCode >= 0 && status.exitCode <= 255 ? status.exitCode : lostConnectionExit;
}

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built `berth` CLI, as `npx berth` runs it. */
export const berthBin = fileURLToPath(new URL("../../controlplane/bin/berth.js", import.meta.url));

/** What a finished command said. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Debian's engine speaks API 1.41; a newer docker CLI on PATH must not ask for more.
const env = { ...process.env, DOCKER_API_VERSION: "1.41" };

/** Runs a command to its end, failing or not, and returns its exit code and output. */
export function runCommand(cmd: string, args: string[], timeoutMs = 600_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `berth ARGS` with the built CLI. */
export const berthCli = (...args: string[]) => runCommand(process.execPath, [berthBin, ...args]);

/** Debian's docker CLI. */
export const dockerCommand = (...args: string[]) => runCommand("/usr/bin/docker", args);
